namespace LiveScope.Adaptive.Tests;
public class ProjectBuilds { [Fact] public void Assembly_loads() => typeof(ProjectBuilds).Assembly.Should().NotBeNull(); }
