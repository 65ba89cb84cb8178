namespace LiveScope.Core.Devices;

/// <summary>A device call failed; names the device and the operation so logs and errors point somewhere.</summary>
public class DeviceException : Exception
{
    public DeviceException(string device, string operation, string message, Exception? inner = null)
        : base($"{device}: {operation}: {message}", inner)
    {
        Device = device;
        Operation = operation;
    }

    public string Device { get; }
    public string Operation { get; }
}

/// <summary>A failure worth retrying (a dropped frame, a busy controller). Resilience pipelines retry only these.</summary>
public class TransientDeviceException : DeviceException
{
    public TransientDeviceException(string device, string operation, string message, Exception? inner = null)
        : base(device, operation, message, inner) { }
}

/// <summary>The device did not answer within its timeout. Treated as transient: real devices recover from stalls.</summary>
public sealed class DeviceTimeoutException : TransientDeviceException
{
    public DeviceTimeoutException(string device, string operation, TimeSpan timeout)
        : base(device, operation, $"no answer within {timeout.TotalMilliseconds:0} ms")
    {
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; }
}

/// <summary>A request outside what the device (or the configuration's safety limits) allows. Never retried.</summary>
public sealed class DeviceLimitException : DeviceException
{
    public DeviceLimitException(string device, string operation, string message)
        : base(device, operation, message) { }
}
