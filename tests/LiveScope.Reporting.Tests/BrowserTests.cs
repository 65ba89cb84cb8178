using Microsoft.Playwright;
using Xunit.Abstractions;

namespace LiveScope.Reporting.Tests;

/// <summary>
/// The reports as a reader sees them: opened from disk in headless Debian chromium (no browser download; the
/// system's /usr/bin/chromium, which scripts/setup.sh installs), with no console error, no failed or network
/// request, every plot and image laid out with a size. Screenshots go to the test output folder.
/// </summary>
[Collection(SimulatedRunsCollection.Name)]
public class BrowserTests(SimulatedRuns runs, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    /// <summary>The comparison screenshot is also copied here for a person to look at.</summary>
    private const string SharedScreenshot = "/tmp/report-screenshot.png";

    [Fact]
    public async Task The_comparison_and_a_run_report_render_in_chromium_without_errors()
    {
        File.Exists(Chromium).Should().BeTrue("scripts/setup.sh installs Debian's chromium");
        string[] folders = [runs.Runs[SimulatedRuns.Sensitive], runs.Runs[SimulatedRuns.Resistant], runs.Runs[SimulatedRuns.Metformin]];
        var pages = new[]
        {
            (Name: "comparison", Path: ComparisonReport.Write(folders, Path.Combine(runs.Root, "browser-comparison.html"))),
            (Name: "run-sensitive", Path: RunReport.Write(folders[0], Path.Combine(runs.Root, "browser-run.html"))),
        };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--no-sandbox"], // tests run as root in CI containers, where chromium's sandbox cannot start
        });
        string shots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        foreach (var (name, path) in pages)
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            var problems = new List<string>();
            var requests = new List<string>();
            page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add($"console {m.Type}: {m.Text}"); };
            page.PageError += (_, e) => problems.Add("page error: " + e);
            page.RequestFailed += (_, r) => problems.Add($"failed request: {r.Url} {r.Failure}");
            page.Request += (_, r) => requests.Add(r.Url);

            var response = await page.GotoAsync(new Uri(path).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
            response.Should().NotBeNull();

            var svgSizes = await page.EvalOnSelectorAllAsync<double[]>("svg.plot",
                "els => els.map(e => { const r = e.getBoundingClientRect(); return r.width * r.height; })");
            svgSizes.Should().NotBeEmpty().And.OnlyContain(a => a > 10_000, "every plot is laid out with its size");
            var images = await page.EvalOnSelectorAllAsync<int[]>("img", "els => els.map(e => e.complete ? e.naturalWidth : 0)");
            images.Should().NotBeEmpty().And.OnlyContain(w => w > 0, "every embedded PNG decodes");

            string shot = Path.Combine(shots, $"{name}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            output.WriteLine($"screenshot: {shot}");
            Console.WriteLine($"screenshot: {shot}");
            new FileInfo(shot).Length.Should().BeGreaterThan(10_000);
            if (name == "comparison") File.Copy(shot, SharedScreenshot, overwrite: true);
            else File.Copy(shot, "/tmp/report-run-screenshot.png", overwrite: true);

            problems.Should().BeEmpty();
            requests.Should().OnlyContain(u => u.StartsWith("file:") || u.StartsWith("data:"), "nothing is fetched from a network");
            await page.CloseAsync();
        }
    }
}
