using System.Runtime.InteropServices;

namespace LiveScope.MicroManager.Jni;

/// <summary>
/// The JNI function table of one attached thread (a <c>JNIEnv*</c>), called through unmanaged function pointers.
/// Every call that can leave a Java exception pending checks for it and rethrows it as <see cref="JavaException"/>
/// after clearing it, so Java errors surface as .NET exceptions and never as a crash. Valid only on the thread
/// it was obtained on (JNI's rule); get one from <see cref="JavaVm.Enter"/>.
/// </summary>
public readonly unsafe struct JniEnv
{
    // Indices into JNINativeInterface_ (jni.h); checked against JDK 17's header.
    private const int IxFindClass = 6, IxDefineClass = 5, IxExceptionOccurred = 15, IxExceptionClear = 17, IxThrowNew = 14;
    private const int IxPushLocalFrame = 19, IxPopLocalFrame = 20, IxNewGlobalRef = 21, IxDeleteGlobalRef = 22;
    private const int IxDeleteLocalRef = 23, IxNewObjectA = 30, IxGetObjectClass = 31, IxIsInstanceOf = 32, IxGetMethodID = 33;
    private const int IxCallObjectMethodA = 36, IxCallBooleanMethodA = 39, IxCallIntMethodA = 51, IxCallLongMethodA = 54;
    private const int IxCallDoubleMethodA = 60, IxCallVoidMethodA = 63, IxGetStaticMethodID = 113;
    private const int IxCallStaticObjectMethodA = 116, IxCallStaticIntMethodA = 131, IxCallStaticVoidMethodA = 143, IxNewString = 163, IxGetStringLength = 164;
    private const int IxGetArrayLength = 171, IxGetObjectArrayElement = 173, IxNewIntArray = 179, IxNewDoubleArray = 182;
    private const int IxGetByteArrayRegion = 200, IxGetShortArrayRegion = 202, IxGetIntArrayRegion = 203;
    private const int IxGetFloatArrayRegion = 205, IxGetDoubleArrayRegion = 206, IxRegisterNatives = 215, IxGetStringRegion = 220;
    private const int IxExceptionCheck = 228;

    private readonly IntPtr _env;
    private readonly JavaVm _vm;

    internal JniEnv(IntPtr env, JavaVm vm)
    {
        _env = env;
        _vm = vm;
    }

    public IntPtr Handle => _env;
    public JavaVm Vm => _vm;

    private IntPtr Fn(int index) => (*(IntPtr**)_env)[index];

    // ---- exceptions -------------------------------------------------------------------------------------------

    /// <summary>Throws the pending Java exception, if any, as a <see cref="JavaException"/> (after clearing it).</summary>
    public void Check(string operation)
    {
        if (((delegate* unmanaged<IntPtr, byte>)Fn(IxExceptionCheck))(_env) == 0) return;
        var throwable = ((delegate* unmanaged<IntPtr, IntPtr>)Fn(IxExceptionOccurred))(_env);
        ((delegate* unmanaged<IntPtr, void>)Fn(IxExceptionClear))(_env);
        try
        {
            throw _vm.Describe(this, throwable, operation);
        }
        finally
        {
            DeleteLocalRef(throwable);
        }
    }

    /// <summary>Raises a Java exception of class <paramref name="javaClass"/> (e.g. from a native callback).</summary>
    public void ThrowNew(string javaClass, string message)
    {
        var cls = FindClass(javaClass);
        var msg = Marshal.StringToCoTaskMemUTF8(message);
        try { ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, int>)Fn(IxThrowNew))(_env, cls, msg); }
        finally { Marshal.FreeCoTaskMem(msg); DeleteLocalRef(cls); }
    }

    // ---- references -------------------------------------------------------------------------------------------

    /// <summary>Opens a frame for local references; <see cref="PopLocalFrame"/> frees all made since.</summary>
    public void PushLocalFrame(int capacity)
    {
        if (((delegate* unmanaged<IntPtr, int, int>)Fn(IxPushLocalFrame))(_env, capacity) != 0)
        {
            Check("PushLocalFrame");
            throw new OutOfMemoryException("JNI could not reserve local references");
        }
    }

    public void PopLocalFrame() => ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(IxPopLocalFrame))(_env, IntPtr.Zero);

    public IntPtr NewGlobalRef(IntPtr obj) => ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(IxNewGlobalRef))(_env, obj);
    public void DeleteGlobalRef(IntPtr obj) => ((delegate* unmanaged<IntPtr, IntPtr, void>)Fn(IxDeleteGlobalRef))(_env, obj);

    public void DeleteLocalRef(IntPtr obj)
    {
        if (obj != IntPtr.Zero) ((delegate* unmanaged<IntPtr, IntPtr, void>)Fn(IxDeleteLocalRef))(_env, obj);
    }

    // ---- classes and methods ----------------------------------------------------------------------------------

    /// <summary>Finds a class by its JNI name (<c>mmcorej/CMMCore</c>); returns a local reference.</summary>
    public IntPtr FindClass(string jniName)
    {
        var name = Marshal.StringToCoTaskMemUTF8(jniName);
        try
        {
            var cls = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(IxFindClass))(_env, name);
            Check("FindClass " + jniName);
            return cls;
        }
        finally { Marshal.FreeCoTaskMem(name); }
    }

    /// <summary>Defines a class from class-file bytes in <paramref name="loader"/>; returns a local reference.</summary>
    public IntPtr DefineClass(string jniName, IntPtr loader, ReadOnlySpan<byte> classFile)
    {
        var name = Marshal.StringToCoTaskMemUTF8(jniName);
        try
        {
            fixed (byte* bytes = classFile)
            {
                var cls = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, byte*, int, IntPtr>)Fn(IxDefineClass))(
                    _env, name, loader, bytes, classFile.Length);
                Check("DefineClass " + jniName);
                return cls;
            }
        }
        finally { Marshal.FreeCoTaskMem(name); }
    }

    public IntPtr GetObjectClass(IntPtr obj) => ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(IxGetObjectClass))(_env, obj);

    public bool IsInstanceOf(IntPtr obj, IntPtr cls) =>
        ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, byte>)Fn(IxIsInstanceOf))(_env, obj, cls) != 0;

    public IntPtr GetMethodID(IntPtr cls, string name, string signature) => MethodId(IxGetMethodID, cls, name, signature);
    public IntPtr GetStaticMethodID(IntPtr cls, string name, string signature) => MethodId(IxGetStaticMethodID, cls, name, signature);

    private IntPtr MethodId(int index, IntPtr cls, string name, string signature)
    {
        var n = Marshal.StringToCoTaskMemUTF8(name);
        var s = Marshal.StringToCoTaskMemUTF8(signature);
        try
        {
            var id = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr>)Fn(index))(_env, cls, n, s);
            Check($"GetMethodID {name}{signature}");
            return id;
        }
        finally { Marshal.FreeCoTaskMem(n); Marshal.FreeCoTaskMem(s); }
    }

    /// <summary>Binds Java <c>native</c> methods of <paramref name="cls"/> to unmanaged entry points.</summary>
    public void RegisterNatives(IntPtr cls, IReadOnlyList<(string Name, string Signature, IntPtr Function)> methods)
    {
        var natives = new JniNativeMethod[methods.Count];
        var strings = new List<IntPtr>();
        try
        {
            for (int i = 0; i < methods.Count; i++)
            {
                var n = Marshal.StringToCoTaskMemUTF8(methods[i].Name);
                var s = Marshal.StringToCoTaskMemUTF8(methods[i].Signature);
                strings.Add(n);
                strings.Add(s);
                natives[i] = new JniNativeMethod { Name = n, Signature = s, FnPtr = methods[i].Function };
            }
            fixed (JniNativeMethod* p = natives)
            {
                int rc = ((delegate* unmanaged<IntPtr, IntPtr, JniNativeMethod*, int, int>)Fn(IxRegisterNatives))(_env, cls, p, natives.Length);
                Check("RegisterNatives");
                if (rc != 0) throw new InvalidOperationException($"RegisterNatives failed with {rc}");
            }
        }
        finally
        {
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    // ---- calls ------------------------------------------------------------------------------------------------

    public IntPtr NewObject(IntPtr cls, IntPtr ctor, ReadOnlySpan<JValue> args, string operation)
    {
        fixed (JValue* a = args)
        {
            var obj = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, IntPtr>)Fn(IxNewObjectA))(_env, cls, ctor, a);
            Check(operation);
            return obj;
        }
    }

    public void CallVoid(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        fixed (JValue* a = args)
            ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, void>)Fn(IxCallVoidMethodA))(_env, obj, method, a);
        Check(operation);
    }

    public IntPtr CallObject(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        IntPtr r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, IntPtr>)Fn(IxCallObjectMethodA))(_env, obj, method, a);
        Check(operation);
        return r;
    }

    public bool CallBoolean(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        byte r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, byte>)Fn(IxCallBooleanMethodA))(_env, obj, method, a);
        Check(operation);
        return r != 0;
    }

    public int CallInt(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        int r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, int>)Fn(IxCallIntMethodA))(_env, obj, method, a);
        Check(operation);
        return r;
    }

    public long CallLong(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        long r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, long>)Fn(IxCallLongMethodA))(_env, obj, method, a);
        Check(operation);
        return r;
    }

    public double CallDouble(IntPtr obj, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        double r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, double>)Fn(IxCallDoubleMethodA))(_env, obj, method, a);
        Check(operation);
        return r;
    }

    public IntPtr CallStaticObject(IntPtr cls, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        IntPtr r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, IntPtr>)Fn(IxCallStaticObjectMethodA))(_env, cls, method, a);
        Check(operation);
        return r;
    }

    public int CallStaticInt(IntPtr cls, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        int r;
        fixed (JValue* a = args)
            r = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, int>)Fn(IxCallStaticIntMethodA))(_env, cls, method, a);
        Check(operation);
        return r;
    }

    public void CallStaticVoid(IntPtr cls, IntPtr method, ReadOnlySpan<JValue> args, string operation)
    {
        fixed (JValue* a = args)
            ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, JValue*, void>)Fn(IxCallStaticVoidMethodA))(_env, cls, method, a);
        Check(operation);
    }

    // ---- strings ----------------------------------------------------------------------------------------------

    /// <summary>A Java string from UTF-16 directly (no modified-UTF-8 pitfalls); a local reference.</summary>
    public IntPtr NewString(string value)
    {
        fixed (char* p = value)
        {
            var s = ((delegate* unmanaged<IntPtr, char*, int, IntPtr>)Fn(IxNewString))(_env, p, value.Length);
            Check("NewString");
            return s;
        }
    }

    /// <summary>Reads a Java string; null stays null.</summary>
    public string? GetString(IntPtr jstring)
    {
        if (jstring == IntPtr.Zero) return null;
        int length = ((delegate* unmanaged<IntPtr, IntPtr, int>)Fn(IxGetStringLength))(_env, jstring);
        if (length == 0) return "";
        return string.Create(length, (env: _env, fn: Fn(IxGetStringRegion), s: jstring), static (span, st) =>
        {
            fixed (char* p = span)
                ((delegate* unmanaged<IntPtr, IntPtr, int, int, char*, void>)st.fn)(st.env, st.s, 0, span.Length, p);
        });
    }

    // ---- arrays -----------------------------------------------------------------------------------------------

    public int GetArrayLength(IntPtr array) => ((delegate* unmanaged<IntPtr, IntPtr, int>)Fn(IxGetArrayLength))(_env, array);

    public IntPtr GetObjectArrayElement(IntPtr array, int index)
    {
        var e = ((delegate* unmanaged<IntPtr, IntPtr, int, IntPtr>)Fn(IxGetObjectArrayElement))(_env, array, index);
        Check("GetObjectArrayElement");
        return e;
    }

    /// <summary>Copies <c>destination.Length</c> elements of a Java short[] (read as unsigned 16-bit).</summary>
    public void GetShortArrayRegion(IntPtr array, int start, Span<ushort> destination)
    {
        fixed (ushort* p = destination)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, ushort*, void>)Fn(IxGetShortArrayRegion))(_env, array, start, destination.Length, p);
        Check("GetShortArrayRegion");
    }

    public void GetByteArrayRegion(IntPtr array, int start, Span<byte> destination)
    {
        fixed (byte* p = destination)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, byte*, void>)Fn(IxGetByteArrayRegion))(_env, array, start, destination.Length, p);
        Check("GetByteArrayRegion");
    }

    public void GetIntArrayRegion(IntPtr array, int start, Span<int> destination)
    {
        fixed (int* p = destination)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, int*, void>)Fn(IxGetIntArrayRegion))(_env, array, start, destination.Length, p);
        Check("GetIntArrayRegion");
    }

    public void GetFloatArrayRegion(IntPtr array, int start, Span<float> destination)
    {
        fixed (float* p = destination)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, float*, void>)Fn(IxGetFloatArrayRegion))(_env, array, start, destination.Length, p);
        Check("GetFloatArrayRegion");
    }

    public void GetDoubleArrayRegion(IntPtr array, int start, Span<double> destination)
    {
        fixed (double* p = destination)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, double*, void>)Fn(IxGetDoubleArrayRegion))(_env, array, start, destination.Length, p);
        Check("GetDoubleArrayRegion");
    }

    public IntPtr NewIntArray(int length)
    {
        var a = ((delegate* unmanaged<IntPtr, int, IntPtr>)Fn(IxNewIntArray))(_env, length);
        Check("NewIntArray");
        return a;
    }

    public IntPtr NewDoubleArray(int length)
    {
        var a = ((delegate* unmanaged<IntPtr, int, IntPtr>)Fn(IxNewDoubleArray))(_env, length);
        Check("NewDoubleArray");
        return a;
    }
}
