using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LiveScope.Core.Imaging;

namespace LiveScope.Benchmarks;

/// <summary>
/// Frame copy cost of the Micro-Manager backend: one 2048×2048 16-bit image from a Java short[] (what MMCoreJ's
/// popNextImage returns) into a pooled LiveScope frame, through JNI GetShortArrayRegion exactly as
/// MMCore.CopyPixels does it (instance check, length, region copy), against a plain managed copy of the same
/// 8 MiB and against GetPrimitiveArrayCritical + memcpy.
///   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*MicroManager*' --inProcess
/// This project does not reference LiveScope.MicroManager, so the JVM is hosted here with the same few JNI calls
/// (JNI_CreateJavaVM with -Xrs, the JNIEnv table); needs a JDK (JAVA_HOME or /usr/lib/jvm/default-java).
/// </summary>
[MemoryDiagnoser]
public unsafe class MicroManagerBenchmarks
{
    private const int Side = 2048;
    // JNINativeInterface_ indices (jni.h).
    private const int IxNewGlobalRef = 21, IxDeleteLocalRef = 23, IxIsInstanceOf = 32, IxFindClass = 6, IxGetArrayLength = 171;
    private const int IxNewShortArray = 178, IxGetShortArrayRegion = 202, IxSetShortArrayRegion = 210, IxExceptionCheck = 228;
    private const int IxGetPrimitiveArrayCritical = 222, IxReleasePrimitiveArrayCritical = 223;

    private IntPtr _vm, _array, _shortArrayClass;
    private readonly FramePool _pool = new();
    private readonly ushort[] _managedSource = new ushort[Side * Side];

    [StructLayout(LayoutKind.Sequential)] private struct Option { public IntPtr Text; public IntPtr Extra; }
    [StructLayout(LayoutKind.Sequential)] private struct InitArgs { public int Version; public int Count; public Option* Options; public byte Ignore; }

    private static IntPtr Fn(IntPtr env, int index) => (*(IntPtr**)env)[index];

    private IntPtr Env()
    {
        IntPtr env;
        var getEnv = (delegate* unmanaged<IntPtr, IntPtr*, int, int>)(*(IntPtr**)_vm)[6];
        if (getEnv(_vm, &env, 0x00010008) != 0)
            ((delegate* unmanaged<IntPtr, IntPtr*, IntPtr, int>)(*(IntPtr**)_vm)[4])(_vm, &env, IntPtr.Zero);
        return env;
    }

    [GlobalSetup]
    public void Setup()
    {
        var home = Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } h ? h : "/usr/lib/jvm/default-java";
        var lib = NativeLibrary.Load(Path.Combine(home, "lib", "server", "libjvm.so"));
        // One JVM per process: in-process runs call this setup once per benchmark, so reuse the JVM if it exists.
        var created = (delegate* unmanaged<IntPtr*, int, int*, int>)NativeLibrary.GetExport(lib, "JNI_GetCreatedJavaVMs");
        IntPtr vm;
        int count;
        if (created(&vm, 1, &count) != 0 || count == 0)
        {
            var create = (delegate* unmanaged<IntPtr*, IntPtr*, InitArgs*, int>)NativeLibrary.GetExport(lib, "JNI_CreateJavaVM");
            var xrs = Marshal.StringToCoTaskMemUTF8("-Xrs");
            var option = new Option { Text = xrs };
            var args = new InitArgs { Version = 0x00010008, Count = 1, Options = &option };
            IntPtr firstEnv;
            if (create(&vm, &firstEnv, &args) != 0) throw new InvalidOperationException("JNI_CreateJavaVM failed");
            Marshal.FreeCoTaskMem(xrs);
        }
        _vm = vm;
        var env = Env();

        var local = ((delegate* unmanaged<IntPtr, int, IntPtr>)Fn(env, IxNewShortArray))(env, Side * Side);
        var pattern = new short[Side * Side];
        for (int i = 0; i < pattern.Length; i++) pattern[i] = (short)(i * 7919);
        fixed (short* p = pattern)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, short*, void>)Fn(env, IxSetShortArrayRegion))(env, local, 0, pattern.Length, p);
        _array = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(env, IxNewGlobalRef))(env, local);
        ((delegate* unmanaged<IntPtr, IntPtr, void>)Fn(env, IxDeleteLocalRef))(env, local);
        var name = Marshal.StringToCoTaskMemUTF8("[S");
        var cls = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(env, IxFindClass))(env, name);
        Marshal.FreeCoTaskMem(name);
        _shortArrayClass = ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Fn(env, IxNewGlobalRef))(env, cls);
        pattern.AsSpan().CopyTo(MemoryMarshal.Cast<ushort, short>(_managedSource.AsSpan()));
    }

    /// <summary>What the backend does per frame: type check, length, GetShortArrayRegion into the pooled buffer.</summary>
    [Benchmark]
    public ushort JavaShortArrayToPooledFrame()
    {
        var env = Env();
        using var frame = _pool.Rent(Side, Side);
        if (((delegate* unmanaged<IntPtr, IntPtr, IntPtr, byte>)Fn(env, IxIsInstanceOf))(env, _array, _shortArrayClass) == 0
            || ((delegate* unmanaged<IntPtr, IntPtr, int>)Fn(env, IxGetArrayLength))(env, _array) < Side * Side)
            throw new InvalidOperationException("not a short[] of the frame's size");
        fixed (ushort* p = frame.Buffer)
            ((delegate* unmanaged<IntPtr, IntPtr, int, int, ushort*, void>)Fn(env, IxGetShortArrayRegion))(env, _array, 0, Side * Side, p);
        if (((delegate* unmanaged<IntPtr, byte>)Fn(env, IxExceptionCheck))(env) != 0) throw new InvalidOperationException("Java exception");
        return frame.Buffer[12345];
    }

    /// <summary>The alternative: pin the Java array (GC locker held) and memcpy.</summary>
    [Benchmark]
    public ushort JavaCriticalToPooledFrame()
    {
        var env = Env();
        using var frame = _pool.Rent(Side, Side);
        var src = ((delegate* unmanaged<IntPtr, IntPtr, byte*, void*>)Fn(env, IxGetPrimitiveArrayCritical))(env, _array, null);
        try
        {
            new ReadOnlySpan<ushort>(src, Side * Side).CopyTo(frame.Buffer);
        }
        finally
        {
            ((delegate* unmanaged<IntPtr, IntPtr, void*, int, void>)Fn(env, IxReleasePrimitiveArrayCritical))(env, _array, src, 2 /* JNI_ABORT */);
        }
        return frame.Buffer[12345];
    }

    /// <summary>Floor: the same 8 MiB copied between two .NET arrays.</summary>
    [Benchmark(Baseline = true)]
    public ushort ManagedArrayToPooledFrame()
    {
        using var frame = _pool.Rent(Side, Side);
        _managedSource.AsSpan().CopyTo(frame.Buffer);
        return frame.Buffer[12345];
    }
}
