using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Core;

/// <summary>
/// A Java subclass of <c>mmcorej.MMEventCallback</c>, generated as bytecode and defined at run time, that
/// overrides every callback (so none falls back to MMCore's default of printing to stdout) and forwards each to
/// one static native method bound to <see cref="Dispatch"/>. The instance carries a GCHandle to the
/// <see cref="MMCoreEvents"/> it feeds, so several cores in one process each reach their own events.
/// </summary>
internal static unsafe class CallbackBridge
{
    public const string ClassName = "livescope/mm/CoreEventBridge";
    private const string BaseClass = "mmcorej/MMEventCallback";
    private const string DispatchName = "dispatch";
    private const string DispatchSignature = "(JILjava/lang/String;Ljava/lang/String;Ljava/lang/String;DD)V";

    /// <summary>Each override: its kind, name and parameter list (S string, D double, Z boolean).</summary>
    private static readonly (CoreEventKind Kind, string Name, string Parameters)[] Overrides =
    [
        (CoreEventKind.PropertiesChanged, "onPropertiesChanged", ""),
        (CoreEventKind.PropertyChanged, "onPropertyChanged", "SSS"),
        (CoreEventKind.ChannelGroupChanged, "onChannelGroupChanged", "S"),
        (CoreEventKind.ConfigGroupChanged, "onConfigGroupChanged", "SS"),
        (CoreEventKind.SystemConfigurationLoaded, "onSystemConfigurationLoaded", ""),
        (CoreEventKind.PixelSizeChanged, "onPixelSizeChanged", "D"),
        (CoreEventKind.PixelSizeAffineChanged, "onPixelSizeAffineChanged", "DDDDDD"),
        (CoreEventKind.StagePositionChanged, "onStagePositionChanged", "SD"),
        (CoreEventKind.XYStagePositionChanged, "onXYStagePositionChanged", "SDD"),
        (CoreEventKind.ExposureChanged, "onExposureChanged", "SD"),
        (CoreEventKind.ShutterOpenChanged, "onShutterOpenChanged", "SZ"),
        (CoreEventKind.SLMExposureChanged, "onSLMExposureChanged", "SD"),
        (CoreEventKind.ImageSnapped, "onImageSnapped", "S"),
        (CoreEventKind.SequenceAcquisitionStarted, "onSequenceAcquisitionStarted", "S"),
        (CoreEventKind.SequenceAcquisitionStopped, "onSequenceAcquisitionStopped", "S"),
    ];

    /// <summary>The class file of the bridge.</summary>
    public static byte[] ClassFile()
    {
        var w = new ClassFileWriter(ClassName, BaseClass);
        w.Field(ClassFileWriter.AccPrivate | ClassFileWriter.AccFinal, "handle", "J");
        var handleField = w.FieldRef(ClassName, "handle", "J");
        var baseCtor = w.MethodRef(BaseClass, "<init>", "()V");
        var dispatch = w.MethodRef(ClassName, DispatchName, DispatchSignature);

        // public CoreEventBridge(long handle) { super(); this.handle = handle; }
        w.Method(ClassFileWriter.AccPublic, "<init>", "(J)V", maxStack: 3, maxLocals: 3,
        [
            0x2a, 0xb7, .. ClassFileWriter.U2(baseCtor), // aload_0; invokespecial super()
            0x2a, 0x1f, 0xb5, .. ClassFileWriter.U2(handleField), // aload_0; lload_1; putfield handle
            0xb1, // return
        ]);
        w.NativeMethod(ClassFileWriter.AccPrivate | ClassFileWriter.AccStatic, DispatchName, DispatchSignature);

        foreach (var (kind, name, parameters) in Overrides)
        {
            var code = new List<byte> { 0x2a, 0xb4 }; // aload_0; getfield handle
            code.AddRange(ClassFileWriter.U2(handleField));
            code.AddRange([0x10, (byte)kind]); // bipush kind
            int slot = 1;
            var strings = new List<int>();
            var numbers = new List<(int Slot, char Type)>();
            var descriptor = new System.Text.StringBuilder("(");
            foreach (var p in parameters)
            {
                switch (p)
                {
                    case 'S': strings.Add(slot); slot += 1; descriptor.Append("Ljava/lang/String;"); break;
                    case 'D': numbers.Add((slot, 'D')); slot += 2; descriptor.Append('D'); break;
                    case 'Z': numbers.Add((slot, 'Z')); slot += 1; descriptor.Append('Z'); break;
                }
            }
            descriptor.Append(")V");
            for (int i = 0; i < 3; i++)
            {
                if (i < strings.Count) code.AddRange([0x19, (byte)strings[i]]); // aload n
                else code.Add(0x01); // aconst_null
            }
            for (int i = 0; i < 2; i++)
            {
                if (i < numbers.Count && numbers[i].Type == 'D') code.AddRange([0x18, (byte)numbers[i].Slot]); // dload n
                else if (i < numbers.Count) code.AddRange([0x15, (byte)numbers[i].Slot, 0x87]); // iload n; i2d
                else code.Add(0x0e); // dconst_0
            }
            code.Add(0xb8); // invokestatic dispatch
            code.AddRange(ClassFileWriter.U2(dispatch));
            code.Add(0xb1); // return
            w.Method(ClassFileWriter.AccPublic, name, descriptor.ToString(), maxStack: 10, maxLocals: slot, code.ToArray());
        }
        return w.ToArray();
    }

    /// <summary>Defines the bridge class next to mmcorej (once per JVM) and binds its native method; returns a local ref.</summary>
    public static IntPtr EnsureDefined(JniEnv env, IntPtr coreClass)
    {
        try
        {
            return env.FindClass(ClassName);
        }
        catch (JavaException e) when (e.JavaClass == "java.lang.NoClassDefFoundError")
        {
            // Not defined yet in this JVM.
        }
        var classClass = env.FindClass("java/lang/Class");
        var getLoader = env.GetMethodID(classClass, "getClassLoader", "()Ljava/lang/ClassLoader;");
        var loader = env.CallObject(coreClass, getLoader, [], "Class.getClassLoader");
        var cls = env.DefineClass(ClassName, loader, ClassFile());
        env.RegisterNatives(cls, [(DispatchName, DispatchSignature, (IntPtr)(delegate* unmanaged<IntPtr, IntPtr, long, int, IntPtr, IntPtr, IntPtr, double, double, void>)&Dispatch)]);
        return cls;
    }

    /// <summary>Entered from Java on MMCore's notification thread; nothing may throw out of here.</summary>
    [UnmanagedCallersOnly]
    private static void Dispatch(IntPtr envPtr, IntPtr cls, long handle, int kind, IntPtr a, IntPtr b, IntPtr c, double x, double y)
    {
        try
        {
            if (GCHandle.FromIntPtr((IntPtr)handle).Target is not CallbackTarget target) return;
            var env = new JniEnv(envPtr, target.Vm);
            target.Events.Raise((CoreEventKind)kind, env.GetString(a), env.GetString(b), env.GetString(c), x, y);
        }
        catch
        {
            // An exception crossing into Java would be undefined behaviour; MMCoreEvents reports handler failures.
        }
    }
}

/// <summary>What a bridge instance's handle points at.</summary>
internal sealed class CallbackTarget(JavaVm vm, MMCoreEvents events)
{
    public JavaVm Vm { get; } = vm;
    public MMCoreEvents Events { get; } = events;
}
