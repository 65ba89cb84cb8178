using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Core;

/// <summary>Size and depth of the images the current camera produces.</summary>
public readonly record struct MMImageFormat(int Width, int Height, int BytesPerPixel, int BitDepth);

/// <summary>
/// A typed .NET face of one <c>mmcorej.CMMCore</c> inside the hosted JVM. Each call enters the JVM on the calling
/// thread (attaching and detaching it if needed), checks for a Java exception and turns MMCore's errors into
/// <see cref="MicroManagerException"/>. JNI descriptors are MMCoreJ's (SWIG 3) exactly; see docs/micromanager.md.
/// Thread-safe as far as MMCore is.
/// </summary>
public sealed partial class MMCore : IDisposable
{
    private const string Core = "Core";
    private readonly JavaVm _vm;
    private readonly IntPtr _core;        // global ref to the CMMCore instance
    private readonly IntPtr _coreClass;   // global ref
    private readonly IntPtr _shortArrayClass, _byteArrayClass, _bridge; // global refs
    private readonly ConcurrentDictionary<string, IntPtr> _methods = new();
    private readonly GCHandle _callbackHandle;
    private IntPtr _strVectorToArray;
    private int _disposed;

    public MMCore(JavaVm vm)
    {
        _vm = vm;
        Events = new MMCoreEvents();
        using var scope = vm.Enter();
        var env = scope.Env;
        _coreClass = env.NewGlobalRef(env.FindClass("mmcorej/CMMCore"));
        var ctor = env.GetMethodID(_coreClass, "<init>", "()V");
        try
        {
            _core = env.NewGlobalRef(env.NewObject(_coreClass, ctor, [], "new CMMCore"));
        }
        catch (JavaException e)
        {
            throw MicroManagerException.From(Core, "new CMMCore (loading MMCoreJ's native library)", e);
        }
        _shortArrayClass = env.NewGlobalRef(env.FindClass("[S"));
        _byteArrayClass = env.NewGlobalRef(env.FindClass("[B"));

        // The bridge instance holds a GCHandle to the events; freed in Dispose after MMCore forgets the callback.
        _callbackHandle = GCHandle.Alloc(new CallbackTarget(vm, Events));
        var bridgeClass = CallbackBridge.EnsureDefined(env, _coreClass);
        var bridgeCtor = env.GetMethodID(bridgeClass, "<init>", "(J)V");
        _bridge = env.NewGlobalRef(env.NewObject(bridgeClass, bridgeCtor, [JValue.Of((long)GCHandle.ToIntPtr(_callbackHandle))], "new CoreEventBridge"));
        env.CallVoid(_core, Method(env, "registerCallback", "(Lmmcorej/MMEventCallback;)V"), [JValue.Of(_bridge)], "CMMCore.registerCallback");
    }

    public JavaVm Vm => _vm;
    public MMCoreEvents Events { get; }

    private IntPtr Method(JniEnv env, string name, string signature)
    {
        var key = name + signature;
        if (_methods.TryGetValue(key, out var id)) return id;
        id = env.GetMethodID(_coreClass, name, signature);
        _methods[key] = id;
        return id;
    }

    // ---- generic call helpers: arguments are string, double, int, long or bool ----------------------------------

    private static void Fill(JniEnv env, object?[] args, Span<JValue> values)
    {
        for (int i = 0; i < args.Length; i++)
            values[i] = args[i] switch
            {
                string s => JValue.Of(env.NewString(s)),
                double d => JValue.Of(d),
                int n => JValue.Of(n),
                long l => JValue.Of(l),
                bool b => JValue.Of(b),
                IntPtr p => JValue.Of(p),
                null => JValue.Of(IntPtr.Zero),
                var other => throw new ArgumentException($"cannot pass {other.GetType().Name} to Java"),
            };
    }

    private T Call<T>(string device, string name, string signature, object?[] args, Func<JniEnv, IntPtr, JValue[], string, T> invoke)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var scope = _vm.Enter();
        var env = scope.Env;
        var values = new JValue[args.Length];
        Fill(env, args, values);
        try
        {
            return invoke(env, Method(env, name, signature), values, "CMMCore." + name);
        }
        catch (JavaException e)
        {
            throw MicroManagerException.From(device, name, e);
        }
    }

    internal void Void(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => { env.CallVoid(_core, m, a, op); return 0; });

    internal double Double(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => env.CallDouble(_core, m, a, op));

    internal int Int(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => env.CallInt(_core, m, a, op));

    internal long Long(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => env.CallLong(_core, m, a, op));

    internal bool Bool(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => env.CallBoolean(_core, m, a, op));

    internal string String(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) => env.GetString(env.CallObject(_core, m, a, op)) ?? "");

    /// <summary>Calls a method returning an object and converts it with its <c>toString()</c> (SWIG enums).</summary>
    internal string ObjectText(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) =>
        {
            var obj = env.CallObject(_core, m, a, op);
            if (obj == IntPtr.Zero) return "";
            var toString = env.GetMethodID(env.GetObjectClass(obj), "toString", "()Ljava/lang/String;");
            return env.GetString(env.CallObject(obj, toString, [], "toString")) ?? "";
        });

    /// <summary>Calls a method returning a StrVector and reads it through MMCoreJ's <c>toArray()</c>.</summary>
    internal string[] Strings(string device, string name, string signature, params object?[] args) =>
        Call(device, name, signature, args, (env, m, a, op) =>
        {
            var vector = env.CallObject(_core, m, a, op);
            if (vector == IntPtr.Zero) return [];
            if (_strVectorToArray == IntPtr.Zero)
                _strVectorToArray = env.GetMethodID(env.GetObjectClass(vector), "toArray", "()[Ljava/lang/String;");
            var array = env.CallObject(vector, _strVectorToArray, [], "StrVector.toArray");
            var result = new string[env.GetArrayLength(array)];
            for (int i = 0; i < result.Length; i++)
            {
                var s = env.GetObjectArrayElement(array, i);
                result[i] = env.GetString(s) ?? "";
                env.DeleteLocalRef(s);
            }
            return result;
        });

    // ---- images: the hot path allocates nothing per frame ---------------------------------------------------------

    /// <summary>
    /// Copies a Java image array (short[] 16-bit, byte[] 8-bit) into <paramref name="destination"/>, widening 8-bit
    /// pixels. Other pixel types (32bitRGB) are refused: LiveScope's frames are 16-bit monochrome.
    /// </summary>
    internal void CopyPixels(JniEnv env, IntPtr array, Span<ushort> destination, string device)
    {
        if (array == IntPtr.Zero) throw new MicroManagerException(device, "getImage", "MMCore returned no image", "null");
        int length = env.GetArrayLength(array);
        if (env.IsInstanceOf(array, _shortArrayClass))
        {
            if (length < destination.Length)
                throw new MicroManagerException(device, "getImage", $"image holds {length} pixels, expected {destination.Length}", "size");
            env.GetShortArrayRegion(array, 0, destination);
        }
        else if (env.IsInstanceOf(array, _byteArrayClass) && length == destination.Length)
        {
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                env.GetByteArrayRegion(array, 0, bytes.AsSpan(0, length));
                for (int i = 0; i < length; i++) destination[i] = bytes[i];
            }
            finally { ArrayPool<byte>.Shared.Return(bytes); }
        }
        else
        {
            throw new MicroManagerException(device, "getImage",
                "unsupported pixel type (LiveScope takes 8- or 16-bit monochrome; set the camera's PixelType)", "pixel type");
        }
    }

    internal IntPtr CoreObject => _core;
    /// <summary>The Java callback bridge instance (global ref) MMCore notifies.</summary>
    internal IntPtr Bridge => _bridge;
    internal IntPtr CoreMethod(JniEnv env, string name, string signature) => Method(env, name, signature);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using (var scope = _vm.Enter())
        {
            var env = scope.Env;
            try
            {
                // Unregister before the bridge's handle is freed, then let go of the devices and the native core.
                env.CallVoid(_core, Method(env, "registerCallback", "(Lmmcorej/MMEventCallback;)V"), [JValue.Of(IntPtr.Zero)], "registerCallback(null)");
                env.CallVoid(_core, Method(env, "unloadAllDevices", "()V"), [], "unloadAllDevices");
                env.CallVoid(_core, env.GetMethodID(_coreClass, "delete", "()V"), [], "CMMCore.delete");
            }
            catch (JavaException)
            {
                // Closing down: a failure to unload is not worth more than releasing what we hold.
            }
            env.DeleteGlobalRef(_bridge);
            env.DeleteGlobalRef(_core);
            env.DeleteGlobalRef(_coreClass);
            env.DeleteGlobalRef(_shortArrayClass);
            env.DeleteGlobalRef(_byteArrayClass);
        }
        _callbackHandle.Free();
    }
}
