using System.Runtime.InteropServices;

namespace LiveScope.MicroManager.Jni;

/// <summary>What the hosted JVM is started with.</summary>
public sealed record JvmOptions
{
    /// <summary>Full path of libjvm.so / jvm.dll; see <see cref="JvmLocator"/>.</summary>
    public required string JvmLibrary { get; init; }
    public IReadOnlyList<string> ClassPath { get; init; } = [];
    /// <summary>Where Java looks for native libraries (the Micro-Manager installation folder).</summary>
    public string? LibraryPath { get; init; }
    /// <summary>More -D/-X options. -Xrs is always added: Ctrl-C must reach LiveScope's safe shutdown, not the JVM.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}

/// <summary>
/// The JVM hosted inside this process. JNI allows one JVM per process, never restarted, so <see cref="Start"/>
/// returns a handle on the existing one when there is one (found through JNI_GetCreatedJavaVMs, not a static
/// field) and refuses one whose class path lacks what is asked for. Threads enter it through <see cref="Enter"/>,
/// which attaches the calling thread if needed and detaches it again on dispose, so no thread exits attached.
/// </summary>
public sealed unsafe class JavaVm
{
    private const int IxDetachCurrentThread = 5, IxAttachCurrentThread = 4, IxGetEnv = 6;
    private static readonly object StartGate = new();

    private readonly IntPtr _vm;
    private readonly IntPtr _throwableGetMessage;
    private readonly IntPtr _objectGetClass;
    private readonly IntPtr _classGetName;

    private JavaVm(IntPtr vm, bool created)
    {
        _vm = vm;
        CreatedHere = created;
        using var scope = Enter();
        var env = scope.Env;
        var throwable = env.FindClass("java/lang/Throwable");
        var obj = env.FindClass("java/lang/Object");
        var cls = env.FindClass("java/lang/Class");
        // Method IDs stay valid as long as their class is loaded; these system classes never unload.
        _throwableGetMessage = env.GetMethodID(throwable, "getMessage", "()Ljava/lang/String;");
        _objectGetClass = env.GetMethodID(obj, "getClass", "()Ljava/lang/Class;");
        _classGetName = env.GetMethodID(cls, "getName", "()Ljava/lang/String;");
    }

    /// <summary>False when the JVM already existed in this process and this is another handle on it.</summary>
    public bool CreatedHere { get; }

    /// <summary>Whether SIGSEGV's handler runs on the alternate stack (recipe 1 of issue 5 applied).</summary>
    public static bool SegvOnAlternateStack => SignalChain.SegvHandlerHasOnStack();

    public static JavaVm Start(JvmOptions options)
    {
        lock (StartGate)
        {
            IntPtr library;
            try
            {
                library = NativeLibrary.Load(options.JvmLibrary);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw new JvmStartException($"could not load the JVM library '{options.JvmLibrary}': {e.Message}", e);
            }
            var getCreated = (delegate* unmanaged<IntPtr*, int, int*, int>)NativeLibrary.GetExport(library, "JNI_GetCreatedJavaVMs");
            IntPtr existing;
            int count;
            if (getCreated(&existing, 1, &count) == JniConstants.Ok && count > 0)
            {
                var vm = new JavaVm(existing, created: false);
                vm.RequireClassPath(options.ClassPath);
                return vm;
            }
            var create = (delegate* unmanaged<IntPtr*, IntPtr*, JavaVMInitArgs*, int>)NativeLibrary.GetExport(library, "JNI_CreateJavaVM");
            IntPtr created = CreateOnOwnThread(create, BuildOptions(options));
            return new JavaVm(created, created: true);
        }
    }

    private static List<string> BuildOptions(JvmOptions options)
    {
        var list = new List<string> { "-Xrs" };
        if (options.ClassPath.Count > 0) list.Add("-Djava.class.path=" + string.Join(Path.PathSeparator, options.ClassPath));
        if (options.LibraryPath is not null)
        {
            list.Add("-Djava.library.path=" + options.LibraryPath);
            list.Add("-Dmmcorej.library.path=" + options.LibraryPath);
        }
        list.AddRange(options.ExtraOptions);
        return list;
    }

    /// <summary>
    /// Creates the JVM on a short-lived thread of its own, then detaches that thread, so no caller's thread
    /// becomes the JVM's "main" thread. The SIGSEGV fix is applied right after creation, before any other
    /// managed code can fault.
    /// </summary>
    private static IntPtr CreateOnOwnThread(delegate* unmanaged<IntPtr*, IntPtr*, JavaVMInitArgs*, int> create, List<string> options)
    {
        IntPtr vm = IntPtr.Zero;
        int rc = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var strings = options.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            try
            {
                var opts = new JavaVMOption[strings.Length];
                for (int i = 0; i < strings.Length; i++) opts[i].OptionString = strings[i];
                fixed (JavaVMOption* p = opts)
                {
                    var args = new JavaVMInitArgs { Version = JniConstants.Version8, NOptions = opts.Length, Options = (IntPtr)p, IgnoreUnrecognized = 0 };
                    IntPtr env;
                    IntPtr created;
                    rc = create(&created, &env, &args);
                    if (rc != JniConstants.Ok) return;
                    vm = created;
                    SignalChain.AddOnStackToSegvHandler();
                    ((delegate* unmanaged<IntPtr, int>)(*(IntPtr**)vm)[IxDetachCurrentThread])(vm);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                foreach (var s in strings) Marshal.FreeCoTaskMem(s);
            }
        }, maxStackSize: 8 << 20) { Name = "JVM start", IsBackground = true };
        thread.Start();
        thread.Join();
        if (failure is not null) throw new JvmStartException("starting the JVM failed: " + failure.Message, failure);
        if (vm == IntPtr.Zero) throw new JvmStartException($"JNI_CreateJavaVM failed with code {rc} (options: {string.Join(" ", options)})");
        return vm;
    }

    private void RequireClassPath(IReadOnlyList<string> classPath)
    {
        if (classPath.Count == 0) return;
        using var scope = Enter();
        var env = scope.Env;
        var system = env.FindClass("java/lang/System");
        var getProperty = env.GetStaticMethodID(system, "getProperty", "(Ljava/lang/String;)Ljava/lang/String;");
        var key = env.NewString("java.class.path");
        var current = env.GetString(env.CallStaticObject(system, getProperty, [JValue.Of(key)], "System.getProperty")) ?? "";
        var entries = current.Split(Path.PathSeparator).Select(p => Path.GetFullPath(p)).ToHashSet();
        var missing = classPath.Where(p => !entries.Contains(Path.GetFullPath(p))).ToList();
        if (missing.Count > 0)
            throw new JvmStartException($"this process already hosts a JVM whose class path ({current}) lacks {string.Join(", ", missing)}; " +
                "one process can host one Micro-Manager installation — restart LiveScope to switch");
    }

    private IntPtr Invoke(int index) => (*(IntPtr**)_vm)[index];

    /// <summary>
    /// Enters the JVM on the calling thread: attaches it if it is not attached (and detaches it on dispose) and
    /// opens a local-reference frame that dispose pops, so long-lived threads never accumulate local references.
    /// </summary>
    public JniScope Enter(int localCapacity = 32)
    {
        IntPtr env;
        bool attachedHere = false;
        int rc = ((delegate* unmanaged<IntPtr, IntPtr*, int, int>)Invoke(IxGetEnv))(_vm, &env, JniConstants.Version8);
        if (rc == JniConstants.Detached)
        {
            rc = ((delegate* unmanaged<IntPtr, IntPtr*, IntPtr, int>)Invoke(IxAttachCurrentThread))(_vm, &env, IntPtr.Zero);
            if (rc != JniConstants.Ok) throw new InvalidOperationException($"AttachCurrentThread failed with {rc}");
            attachedHere = true;
        }
        else if (rc != JniConstants.Ok) throw new InvalidOperationException($"GetEnv failed with {rc}");
        var jni = new JniEnv(env, this);
        try
        {
            jni.PushLocalFrame(localCapacity);
        }
        catch
        {
            if (attachedHere) Detach();
            throw;
        }
        return new JniScope(jni, attachedHere ? this : null);
    }

    /// <summary>Whether the calling thread is attached to the JVM.</summary>
    public bool IsCurrentThreadAttached
    {
        get
        {
            IntPtr env;
            return ((delegate* unmanaged<IntPtr, IntPtr*, int, int>)Invoke(IxGetEnv))(_vm, &env, JniConstants.Version8) == JniConstants.Ok;
        }
    }

    internal void Detach() => ((delegate* unmanaged<IntPtr, int>)Invoke(IxDetachCurrentThread))(_vm);

    /// <summary>Builds the .NET exception for a pending (already cleared) Java throwable, without letting a second one escape.</summary>
    internal JavaException Describe(JniEnv env, IntPtr throwable, string operation)
    {
        string javaClass = "java.lang.Throwable";
        string? message = null;
        try
        {
            var cls = env.CallObject(throwable, _objectGetClass, [], "getClass");
            javaClass = env.GetString(env.CallObject(cls, _classGetName, [], "Class.getName")) ?? javaClass;
            message = env.GetString(env.CallObject(throwable, _throwableGetMessage, [], "Throwable.getMessage"));
        }
        catch (JavaException)
        {
            // getMessage itself threw: keep what we have.
        }
        return new JavaException(javaClass, message, operation);
    }
}

/// <summary>A thread's stay inside the JVM; see <see cref="JavaVm.Enter"/>. Dispose exactly once, on the same thread.</summary>
public ref struct JniScope
{
    private readonly JavaVm? _detachOnDispose;
    private bool _disposed;

    internal JniScope(JniEnv env, JavaVm? detachOnDispose)
    {
        Env = env;
        _detachOnDispose = detachOnDispose;
    }

    public JniEnv Env { get; }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Env.PopLocalFrame();
        _detachOnDispose?.Detach();
    }
}
