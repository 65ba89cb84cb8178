using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Core.Tests;

public class ConfigTests
{
    public enum Mode { Fast, SlowAndSteady }

    public sealed record Inner
    {
        public double ReadNoiseE { get; init; } = 1.5;
    }

    public sealed record Options : IValidatedOptions
    {
        [Description("Exposure per frame.")]
        [ConfigRange(0.01, 1000)]
        public double ExposureMs { get; init; } = 50;
        public int Count { get; init; } = 3;
        public Mode Mode { get; init; } = Mode.Fast;
        public Inner Camera { get; init; } = new();
        public IReadOnlyList<string> Reagents { get; init; } = ["insulin"];
        public double MinUm { get; init; }
        public double MaxUm { get; init; } = 10;
        public string? Validate() => MinUm < MaxUm ? null : "min_um must be below max_um";
    }

    [Fact]
    public void Property_names_become_snake_case_keys()
    {
        ConfigBinder.KeyName("ExposureMs").Should().Be("exposure_ms");
        ConfigBinder.KeyName("KOffPerS").Should().Be("k_off_per_s");
        ConfigBinder.KeyName("XYStage").Should().Be("xy_stage");
    }

    [Fact]
    public void Binding_keeps_defaults_and_reads_what_is_given()
    {
        var o = ConfigBinder.Bind<Options>(ConfigNode.Parse("""
            exposure_ms: 20
            mode: slow_and_steady
            camera: { read_noise_e: 2.5 }
            reagents: [insulin, metformin]
            """, "o.yaml"));
        o.Should().BeEquivalentTo(new Options
        {
            ExposureMs = 20, Mode = Mode.SlowAndSteady, Camera = new Inner { ReadNoiseE = 2.5 },
            Reagents = ["insulin", "metformin"],
        });
        ConfigBinder.Bind<Options>(null).Should().BeEquivalentTo(new Options());
    }

    [Theory]
    [InlineData("exposure_ms: 0", "o.yaml:1:14: exposure_ms: 0 is out of range; expected 0.01 to 1000")]
    [InlineData("exposure_ms: soon", "o.yaml:1:14: exposure_ms: expected a number, found 'soon'")]
    [InlineData("count: 2.5", "o.yaml:1:8: count: expected a whole number, found '2.5'")]
    [InlineData("exposre_ms: 3", "o.yaml:1:1: exposre_ms: unknown key (did you mean 'exposure_ms'?); expected one of: exposure_ms, count, mode, camera, reagents, min_um, max_um")]
    [InlineData("mode: quick", "o.yaml:1:7: mode: 'quick' is not one of: fast, slow_and_steady")]
    [InlineData("camera:\n  read_noise: 1", "o.yaml:2:3: camera.read_noise: unknown key (did you mean 'read_noise_e'?); expected one of: read_noise_e")]
    [InlineData("min_um: 20", "o.yaml:1:1: min_um must be below max_um")]
    [InlineData("camera: [1, 2]", "o.yaml:1:9: camera: expected a mapping (key: value pairs), found a list")]
    [InlineData("exposure_ms: [1", "o.yaml:2:1: not valid YAML: While parsing a flow sequence, did not find expected ',' or ']'.")]
    public void Bad_values_fail_with_file_line_column_and_key(string yaml, string message)
    {
        var act = () => ConfigBinder.Bind<Options>(ConfigNode.Parse(yaml, "o.yaml"));
        act.Should().Throw<ConfigException>().Which.Message.Should().Be(message);
    }

    [Fact]
    public void Options_are_documented_with_defaults_and_ranges()
    {
        var docs = ConfigBinder.Describe<Options>();
        docs.Should().ContainEquivalentOf(new ConfigBinder.OptionDoc("exposure_ms", "Double", "50", "Exposure per frame.", "0.01 to 1000"));
        docs.Should().ContainEquivalentOf(new ConfigBinder.OptionDoc("camera.read_noise_e", "Double", "1.5", "", null));
        docs.Should().Contain(d => d.Key == "mode" && d.Default == "fast");
    }

    [Fact]
    public void Suggestions_only_offer_close_words()
    {
        Suggest.Closest("camra", ["camera", "stage"]).Should().Be("camera");
        Suggest.Closest("intervla_s", ["interval_s"]).Should().Be("interval_s");
        Suggest.Closest("zzz", ["camera", "stage"]).Should().BeNull();
    }
}
