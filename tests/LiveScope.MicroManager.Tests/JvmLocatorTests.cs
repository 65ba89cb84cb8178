using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Tests;

public sealed class JvmLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("livescope-jvm-").FullName;

    private string FakeJavaHome(string name)
    {
        var home = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(home, "lib", "server"));
        File.WriteAllText(Path.Combine(home, "lib", "server", "libjvm.so"), "");
        return home;
    }

    [Fact]
    public void A_configured_runtime_comes_before_JAVA_HOME_and_the_Debian_default()
    {
        var configured = FakeJavaHome("configured");
        var javaHome = FakeJavaHome("javahome");
        var candidates = JvmLocator.Candidates(configured, "/opt/mm", _ => javaHome).Take(5).ToList();
        candidates.Select(c => c.Source).Should().StartWith(new[]
        {
            "java_home setting", "JAVA_HOME", "Debian default", "Micro-Manager's bundled runtime", "Micro-Manager's bundled runtime",
        });
        candidates[0].Home.Should().Be(configured);
        candidates[1].Home.Should().Be(javaHome);
        candidates[3].Home.Should().Be(Path.Combine("/opt/mm", "jre"));
        JvmLocator.LibraryIn(configured).Should().Be(Path.Combine(configured, "lib", "server", "libjvm.so"));
    }

    [Fact]
    public void A_configured_folder_without_a_JVM_is_an_error_not_skipped()
    {
        var empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);
        FluentActions.Invoking(() => JvmLocator.Find(empty, null)).Should().Throw<JvmStartException>()
            .WithMessage($"the configured Java runtime folder '{empty}' holds no JVM library*");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
