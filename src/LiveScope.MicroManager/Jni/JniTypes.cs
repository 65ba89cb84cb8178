using System.Runtime.InteropServices;

namespace LiveScope.MicroManager.Jni;

/// <summary>One argument of a JNI call (the C union <c>jvalue</c>): 8 bytes, each member at offset 0.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct JValue
{
    [FieldOffset(0)] public byte Z;
    [FieldOffset(0)] public int I;
    [FieldOffset(0)] public long J;
    [FieldOffset(0)] public float F;
    [FieldOffset(0)] public double D;
    [FieldOffset(0)] public IntPtr L;

    public static JValue Of(bool v) => new() { Z = v ? (byte)1 : (byte)0 };
    public static JValue Of(int v) => new() { I = v };
    public static JValue Of(long v) => new() { J = v };
    public static JValue Of(double v) => new() { D = v };
    public static JValue Of(IntPtr reference) => new() { L = reference };
}

[StructLayout(LayoutKind.Sequential)]
internal struct JavaVMOption
{
    public IntPtr OptionString;
    public IntPtr ExtraInfo;
}

[StructLayout(LayoutKind.Sequential)]
internal struct JavaVMInitArgs
{
    public int Version;
    public int NOptions;
    public IntPtr Options;
    public byte IgnoreUnrecognized;
}

[StructLayout(LayoutKind.Sequential)]
internal struct JniNativeMethod
{
    public IntPtr Name;
    public IntPtr Signature;
    public IntPtr FnPtr;
}

internal static class JniConstants
{
    public const int Ok = 0;
    public const int Detached = -2;
    public const int Version8 = 0x00010008;
}
