using LiveScope.Simulation.Options;
using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Tests;

public class ConditionStateTests
{
    private static ConditionState State(SampleCondition c) => new(c, new ConditionSetOptions(), new ReagentOptions());

    [Fact]
    public void Insulin_response_rises_over_minutes_from_the_moment_of_addition()
    {
        var s = State(SampleCondition.InsulinSensitive);
        s.Add(60, "insulin", 100);
        s.At(59).InsulinResponse.Should().Be(0);
        s.At(60 + 180).InsulinResponse.Should().BeApproximately(100.0 / 101 * (1 - Math.Exp(-1)), 1e-9);
        s.At(60 + 1800).BirthFactor.Should().BeApproximately(2.0, 0.01);
        s.At(60 + 1800).SizeFactor.Should().BeApproximately(1.3, 0.01);
    }

    [Fact]
    public void H2o2_slows_exchange_and_metformin_moves_resistant_cells_toward_the_rescued_set()
    {
        var ros = State(SampleCondition.InsulinSensitive);
        ros.Add(0, "h2o2", 100);
        ros.At(1).KOffPerS.Should().BeApproximately(0.05 * (1 - 0.5 * 0.5), 1e-12);

        var resistant = State(SampleCondition.InsulinResistant);
        resistant.Add(0, "metformin", 0.5);
        resistant.At(1).KOffPerS.Should().BeApproximately(0.02 + (0.035 - 0.02) * 0.5, 1e-12);

        var sensitive = State(SampleCondition.InsulinSensitive);
        sensitive.Add(0, "metformin", 2);
        sensitive.At(1).KOffPerS.Should().Be(0.05, "metformin only rescues resistant cells");

        State(SampleCondition.H2o2).At(0).KOffPerS.Should().BeLessThan(State(SampleCondition.InsulinSensitive).At(0).KOffPerS);
    }

    [Fact]
    public void Unknown_reagents_are_refused()
    {
        var s = State(SampleCondition.InsulinSensitive);
        s.Invoking(x => x.Add(0, "glucose", 5)).Should().Throw<ArgumentException>();
    }
}
