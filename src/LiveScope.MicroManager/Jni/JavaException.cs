namespace LiveScope.MicroManager.Jni;

/// <summary>
/// A Java exception that was pending after a JNI call, cleared and turned into a .NET exception so it never
/// crashes the process. <see cref="JavaMessage"/> is Java's <c>getMessage()</c> (for MMCore: MMCore's own message).
/// </summary>
public class JavaException : Exception
{
    public JavaException(string javaClass, string? javaMessage, string operation)
        : base($"{operation}: {javaClass}{(javaMessage is null ? "" : ": " + javaMessage)}")
    {
        JavaClass = javaClass;
        JavaMessage = javaMessage;
        Operation = operation;
    }

    /// <summary>Fully qualified class name, e.g. <c>java.lang.Exception</c>.</summary>
    public string JavaClass { get; }
    public string? JavaMessage { get; }
    /// <summary>The Java method that threw, e.g. <c>CMMCore.snapImage</c>.</summary>
    public string Operation { get; }
}

/// <summary>The JVM could not be found, loaded or started.</summary>
public sealed class JvmStartException(string message, Exception? inner = null) : Exception(message, inner);
