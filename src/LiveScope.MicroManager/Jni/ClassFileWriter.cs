using System.Buffers.Binary;
using System.Text;

namespace LiveScope.MicroManager.Jni;

/// <summary>
/// Writes a minimal Java class file (version 52, Java 8) so LiveScope can define the small Java classes it needs
/// (the MMCore callback bridge) at run time with DefineClass: nothing to compile on the user's side and no binary
/// in the repository. Supports what straight-line bytecode needs: a constant pool of UTF-8, classes, field and
/// method references; fields; methods with code (no branches, hence no stack map frames); native methods.
/// </summary>
internal sealed class ClassFileWriter
{
    public const ushort AccPublic = 0x0001, AccPrivate = 0x0002, AccStatic = 0x0008, AccFinal = 0x0010, AccSuper = 0x0020, AccNative = 0x0100;

    private readonly List<byte[]> _pool = [];
    private readonly Dictionary<string, ushort> _poolIndex = [];
    private readonly List<byte[]> _fields = [];
    private readonly List<byte[]> _methods = [];
    private readonly ushort _thisClass, _superClass;

    public ClassFileWriter(string jniName, string superJniName)
    {
        _thisClass = Class(jniName);
        _superClass = Class(superJniName);
    }

    private ushort Add(string key, byte[] entry)
    {
        if (_poolIndex.TryGetValue(key, out var index)) return index;
        _pool.Add(entry);
        index = (ushort)_pool.Count; // constant pool indices start at 1
        _poolIndex[key] = index;
        return index;
    }

    public ushort Utf8(string text)
    {
        // Class, member and descriptor names here are ASCII, where modified UTF-8 equals UTF-8.
        var bytes = Encoding.UTF8.GetBytes(text);
        var entry = new byte[3 + bytes.Length];
        entry[0] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(1), (ushort)bytes.Length);
        bytes.CopyTo(entry, 3);
        return Add("U:" + text, entry);
    }

    public ushort Class(string jniName) => Add("C:" + jniName, [7, .. U2(Utf8(jniName))]);

    private ushort NameAndType(string name, string descriptor) =>
        Add($"N:{name}:{descriptor}", [12, .. U2(Utf8(name)), .. U2(Utf8(descriptor))]);

    public ushort FieldRef(string owner, string name, string descriptor) =>
        Add($"F:{owner}.{name}:{descriptor}", [9, .. U2(Class(owner)), .. U2(NameAndType(name, descriptor))]);

    public ushort MethodRef(string owner, string name, string descriptor) =>
        Add($"M:{owner}.{name}:{descriptor}", [10, .. U2(Class(owner)), .. U2(NameAndType(name, descriptor))]);

    public void Field(ushort access, string name, string descriptor) =>
        _fields.Add([.. U2(access), .. U2(Utf8(name)), .. U2(Utf8(descriptor)), 0, 0]);

    public void NativeMethod(ushort access, string name, string descriptor) =>
        _methods.Add([.. U2((ushort)(access | AccNative)), .. U2(Utf8(name)), .. U2(Utf8(descriptor)), 0, 0]);

    public void Method(ushort access, string name, string descriptor, int maxStack, int maxLocals, byte[] code)
    {
        var codeName = Utf8("Code");
        var attribute = new List<byte>();
        attribute.AddRange(U2((ushort)maxStack));
        attribute.AddRange(U2((ushort)maxLocals));
        attribute.AddRange(U4(code.Length));
        attribute.AddRange(code);
        attribute.AddRange(U2(0)); // exception table
        attribute.AddRange(U2(0)); // attributes of the code
        _methods.Add([.. U2(access), .. U2(Utf8(name)), .. U2(Utf8(descriptor)), .. U2(1),
            .. U2(codeName), .. U4(attribute.Count), .. attribute]);
    }

    public byte[] ToArray()
    {
        var o = new List<byte>();
        o.AddRange(U4(unchecked((int)0xCAFEBABE)));
        o.AddRange(U2(0));
        o.AddRange(U2(52));
        o.AddRange(U2((ushort)(_pool.Count + 1)));
        foreach (var e in _pool) o.AddRange(e);
        o.AddRange(U2(AccPublic | AccSuper));
        o.AddRange(U2(_thisClass));
        o.AddRange(U2(_superClass));
        o.AddRange(U2(0)); // interfaces
        o.AddRange(U2((ushort)_fields.Count));
        foreach (var f in _fields) o.AddRange(f);
        o.AddRange(U2((ushort)_methods.Count));
        foreach (var m in _methods) o.AddRange(m);
        o.AddRange(U2(0)); // class attributes
        return o.ToArray();
    }

    public static byte[] U2(ushort v) => [(byte)(v >> 8), (byte)v];
    private static byte[] U4(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
}
