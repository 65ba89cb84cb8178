using LiveScope.MicroManager.Cfg;

namespace LiveScope.MicroManager.Tests;

public sealed class CfgParserTests
{
    private static MMConfigFile Demo() => MMConfigParser.ParseFile(StandInInstallation.DemoCfg);

    [Fact]
    public void The_demo_cfg_is_read_whole_and_is_valid()
    {
        var cfg = Demo();
        cfg.Problems.Should().BeEmpty();
        cfg.LineCount.Should().Be(229);
        cfg.Devices.Select(d => d.Label).Should().Equal("DHub", "Camera", "Dichroic", "Emission", "Excitation", "Objective", "Z",
            "Path", "XY", "White Light Shutter", "Autofocus", "LED", "LED Shutter");
        cfg.Device("LED Shutter")!.Should().Be(new MMCfgDevice("LED Shutter", "Utilities", "State Device Shutter", 19));
        cfg.Parents.Should().HaveCount(11).And.ContainKey("Camera").WhoseValue.Should().Be("DHub");
        cfg.CoreProperties.Should().Contain(new Dictionary<string, string>
        {
            ["Camera"] = "Camera", ["Shutter"] = "White Light Shutter", ["Focus"] = "Z", ["AutoShutter"] = "1",
        });
        cfg.StateLabels.Should().HaveCount(49);
        cfg.FocusDirections.Should().Equal(new Dictionary<string, int> { ["Z"] = 0 });
        cfg.Groups.Select(g => g.Name).Should().Equal("Camera", "Objective", "Channel", "Channel-Multiband", "System", "LightPath");
        cfg.Group("Channel")!.Presets.Select(p => p.Name).Should().Equal("FITC", "Rhodamine", "DAPI", "Cy5");
        cfg.Group("Channel-Multiband")!.Presets.Single(p => p.Name == "FITC").Settings.Should().HaveCount(5);
        cfg.Group("System")!.Presets.Single().Settings.Last().Should().Be(new MMCfgSetting("Core", "ChannelGroup", "Channel", 201));
        cfg.PixelSizes.Select(p => (p.Name, p.PixelSizeUm)).Should().Equal(("Res20x", 0.5), ("Res40x", 0.25), ("Res10x", 1.0));
        cfg.PixelSizes[0].Settings.Should().Equal(new MMCfgSetting("Objective", "Label", "Nikon 20X Plan Fluor ELWD", 218));
    }

    [Fact]
    public void The_rig_model_has_the_channels_and_pixel_sizes_a_simulated_twin_needs()
    {
        var model = Demo().ToRigModel(exposureMs: 50);
        model.ChannelGroup.Should().Be("Channel", "System/Startup sets Core's ChannelGroup");
        model.Channels.Select(c => (c.Name, c.ExcitationNm, c.EmissionFilter)).Should().Equal(
            ("FITC", 480.0, "Chroma-HQ535"), ("Rhodamine", 570.0, "Chroma-HQ700"), ("DAPI", 360.0, "Chroma-HQ620"), ("Cy5", 570.0, "Chroma-HQ700"));
        model.Channels.Should().OnlyContain(c => c.ExposureMs == 50 && c.PowerFraction == 1.0);
        model.PixelSizes.Select(p => p.PixelSizeUm).Should().Equal(0.5, 0.25, 1.0);
        model.StartupPixelSize!.Name.Should().Be("Res10x");
        (model.CameraLabel, model.FocusLabel, model.XYStageLabel).Should().Be(("Camera", "Z", "XY"));
        Demo().Channels("Channel-Multiband").Select(c => c.ExcitationNm).Should().Equal(385, 470, 550, 635);
    }

    [Fact]
    public void The_summary_names_devices_groups_and_pixel_sizes()
    {
        var summary = Demo().Summary();
        summary.Should().StartWith("MMConfig_demo.cfg: 229 lines, 13 devices (DemoCamera 12, Utilities 1)");
        summary.Should().Contain("  device Camera: DemoCamera/DCam under DHub");
        summary.Should().Contain("  group Channel: FITC, Rhodamine, DAPI, Cy5");
        summary.Should().Contain("  pixel size Res40x: 0.25 µm when Objective.Label=Nikon 40X Plan Fluor ELWD");
    }

    private static IReadOnlyList<string> Problems(string text) =>
        MMConfigParser.Parse(text, "rig.cfg").Problems.Select(p => p.ToString()).ToList();

    [Fact]
    public void Unknown_line_kinds_are_errors_with_their_line_and_a_suggestion()
    {
        Problems("# comment\nDevice,Camera,DemoCamera,DCam\nPropery,Camera,Exposure,10\n").Should().Equal(
            "rig.cfg:3: unknown line kind 'Propery' (did you mean 'Property'?); expected one of: Device, Property, Parent, Label, " +
            "ConfigGroup, ConfigPixelSize, PixelSize_um, PixelSizeAffine, PixelSizeAngle_dxdz, PixelSizeAngle_dydz, " +
            "PixelSizeOptimalZ_Um, FocusDirection, Delay");
    }

    [Fact]
    public void Missing_parents_and_undefined_devices_are_errors_with_their_line()
    {
        var text = string.Join('\n',
            "Device,DHub,DemoCamera,DHub",
            "Device,Camera,DemoCamera,DCam",
            "Parent,Camera,DHubb",
            "Parent,Stage,DHub",
            "Property,Core,Camera,Camera2",
            "ConfigGroup,Channel,FITC,Dichroic,Label,Q505LP",
            "FocusDirection,Z,1",
            "Delay,Camera,-3");
        Problems(text).Should().Equal(
            "rig.cfg:3: missing parent: device 'Camera' names parent 'DHubb', which no Device line before it defines (did you mean 'DHub'?)",
            "rig.cfg:4: Parent names device 'Stage', which no Device line before it defines",
            "rig.cfg:5: Core role Camera names device 'Camera2', which no Device line before it defines (did you mean 'Camera'?)",
            "rig.cfg:6: preset 'Channel/FITC' names device 'Dichroic', which no Device line before it defines",
            "rig.cfg:7: FocusDirection names device 'Z', which no Device line before it defines",
            "rig.cfg:8: delay of 'Camera' must not be negative, found -3");
    }

    [Fact]
    public void Field_counts_labels_and_pixel_sizes_are_checked()
    {
        var text = string.Join('\n',
            "Device,Wheel,DemoCamera,DWheel",
            "Device,Camera,DemoCamera",
            "Label,Wheel,one,Open",
            "Label,Wheel,0,Q505LP",
            "ConfigGroup,Channel,FITC,Wheel,Label,Q505LPX",
            "PixelSize_um,Res10x,1.0",
            "ConfigPixelSize,Res10x,Wheel,State,0",
            "PixelSize_um,Res10x,abc",
            "PixelSizeAffine,Res10x,1,0,0,0,1",
            "Equipment,Wheel,Filter",
            "FocusDirection,Wheel,2");
        Problems(text).Should().Equal(
            "rig.cfg:2: Device needs 4 fields, found 3",
            "rig.cfg:3: state 'one' of device 'Wheel' is not a whole number ≥ 0",
            "rig.cfg:5: preset 'Channel/FITC' selects label 'Q505LPX' of device 'Wheel', which no Label line defines (did you mean 'Q505LP'?)",
            "rig.cfg:6: pixel-size preset 'Res10x' is not defined by a ConfigPixelSize line before it",
            "rig.cfg:8: pixel size of 'Res10x' 'abc' is not a number",
            "rig.cfg:9: PixelSizeAffine needs 8 fields, found 7",
            "rig.cfg:10: 'Equipment' lines are no longer supported by MMCore; remove the line",
            "rig.cfg:11: focus direction of 'Wheel' must be -1, 0 or 1, found '2'");
    }

    [Fact]
    public void An_invalid_cfg_throws_with_every_problem_listed()
    {
        var cfg = MMConfigParser.Parse("Device,A,Lib,Dev\nDevice,A,Lib,Dev\nFoo\n", "x.cfg");
        var e = cfg.Invoking(c => c.ThrowIfInvalid()).Should().Throw<MMConfigInvalidException>().Which;
        e.Problems.Select(p => p.Line).Should().Equal(2, 3);
        e.Message.Should().Contain("x.cfg:2: device 'A' is already defined on line 1");
    }

    [Fact]
    public void Windows_line_endings_and_collapsed_commas_read_like_MMCore_reads_them()
    {
        var cfg = MMConfigParser.Parse("Device,Cam,DemoCamera,DCam\r\nProperty,Cam,Mode,,Noise\r\nProperty,Core,Camera,Cam\r\n", "w.cfg");
        cfg.Problems.Should().BeEmpty();
        cfg.Properties[0].Should().Be(new MMCfgProperty("Cam", "Mode", "Noise", 2));
        cfg.LineCount.Should().Be(3);
    }

    [Fact]
    public void A_missing_file_is_a_problem_not_an_exception()
    {
        MMConfigParser.ParseFile("/nonexistent/rig.cfg").Problems.Single().ToString().Should().Be("/nonexistent/rig.cfg:0: file not found");
    }
}
