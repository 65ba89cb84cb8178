namespace LiveScope.Replay.Tests;
public class ProjectBuilds { [Fact] public void Assembly_loads() => typeof(ProjectBuilds).Assembly.Should().NotBeNull(); }
