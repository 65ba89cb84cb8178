using LiveScope.Core.Devices;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Core;

/// <summary>
/// MMCore refused or failed a call. <see cref="MMCoreMessage"/> is MMCore's own text (e.g.
/// <c>No device with label "X"</c>); <see cref="DeviceException.Device"/> names the Micro-Manager device label
/// (or "Core"), <see cref="DeviceException.Operation"/> the CMMCore method.
/// </summary>
public sealed class MicroManagerException : DeviceException
{
    public MicroManagerException(string device, string operation, string mmCoreMessage, string javaClass, Exception? inner = null)
        : base(device, operation, mmCoreMessage, inner)
    {
        MMCoreMessage = mmCoreMessage;
        JavaClass = javaClass;
    }

    public string MMCoreMessage { get; }
    /// <summary><c>java.lang.Exception</c> for MMCore's own errors; anything else is a fault inside MMCoreJ or Java.</summary>
    public string JavaClass { get; }

    internal static MicroManagerException From(string device, string operation, JavaException e) =>
        new(device, operation, e.JavaMessage ?? e.JavaClass, e.JavaClass, e);
}
