using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Frap;
using LiveScope.Adaptive.Rules;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;

namespace LiveScope.Adaptive.Actions;

/// <summary>What applying one action produced: a line for the log, or the limit that refused it; null = nothing to do.</summary>
public sealed record ActionOutcome(string Detail, string? RefusedBy = null)
{
    /// <summary>Values the action chose (a bleach target's track and position), logged with the rule's metrics.</summary>
    public IReadOnlyDictionary<string, double> Chosen { get; init; } = new Dictionary<string, double>();

    public static ActionOutcome Refused(string limit, string why) => new(why, limit);
}

/// <summary>The run-wide state actions read and change, in one place.</summary>
public sealed class ActionContext(AcquisitionPlan plan, EventQueue queue, Cadence cadence, LightDose dose, FrapSteps frap,
    IPhotoTargeter? targeter, int seed)
{
    public AcquisitionPlan Plan { get; } = plan;
    public Protocol Protocol => Plan.Protocol;
    public AdaptLimits Limits => Plan.Protocol.Adapt.Limits;
    public EventQueue Queue { get; } = queue;
    public Cadence Cadence { get; } = cadence;
    public LightDose Dose { get; } = dose;
    public FrapSteps Frap { get; } = frap;
    public double SpotDiameterPx { get; } = targeter?.SpotDiameterPx ?? 1;

    /// <summary>Whether the laser can reach the whole disc (through the current calibration), and it lies on the image.</summary>
    public bool CanBleach(double x, double y, double radiusPx)
    {
        double m = radiusPx + 2;
        if (x < m || y < m || x > Plan.ImageWidth - 1 - m || y > Plan.ImageHeight - 1 - m) return false;
        return targeter is not null && DiscWithin(targeter.CameraToTarget, targeter.TargetRange, x, y, radiusPx);
    }

    /// <summary>
    /// Whether every point of the disc maps inside the reach. The calibration is affine, so the disc becomes an
    /// ellipse whose extent along each target axis is exact: |row of the matrix| × radius either side of the mapped
    /// centre (a rotated or sheared map pushes the ellipse past the reach between the four axis points).
    /// </summary>
    public static bool DiscWithin(AffineTransform2D map, TargetBounds range, double x, double y, double radiusPx)
    {
        var centre = map.Apply(new PixelPoint(x, y));
        double halfX = radiusPx * Math.Sqrt(map.A * map.A + map.B * map.B);
        double halfY = radiusPx * Math.Sqrt(map.D * map.D + map.E * map.E);
        return centre.X - halfX >= range.MinX && centre.X + halfX <= range.MaxX
               && centre.Y - halfY >= range.MinY && centre.Y + halfY <= range.MaxY;
    }
    private readonly Random _random = new(seed);

    /// <summary>A seeded random index; locked because the engine's thread (bleach targets) and the analysis thread both draw.</summary>
    public int RandomIndex(int count)
    {
        lock (_random) return _random.Next(count);
    }
    public int Bleaches { get; set; }
    public int ZStacks { get; set; }
    public bool Stopped { get; set; }
    /// <summary>Where the rules have bleached, for <c>max_bleaches_per_cell</c>.</summary>
    public BleachHistory Bleached { get; } = new();

    public PositionSpec PositionAt(int index) =>
        index < Protocol.Positions.Count ? Protocol.Positions[index] : Planner.CurrentPosition;

    /// <summary>
    /// Clusters worth bleaching: in a cell, reachable by the laser, and with no other cluster within two ROI radii
    /// plus the spot, so the recovery measured in the ROI is this cluster's alone (a neighbour drifting in biases t½).
    /// </summary>
    public List<WatchedCluster> Bleachable(IEnumerable<WatchedCluster> candidates, IReadOnlyList<WatchedCluster> all, double radiusPx)
    {
        double clear = 2 * radiusPx + SpotDiameterPx;
        var bleachable = new List<WatchedCluster>();
        lock (_clearance)   // the engine's thread (FRAP steps) and the analysis thread (rules) both ask
        {
            _clearance.Build(all, clear, Plan.ImageWidth, Plan.ImageHeight);
            foreach (var c in candidates)
                if (c.CellId > 0 && CanBleach(c.XPx, c.YPx, radiusPx) && !_clearance.HasNeighbour(c)) bleachable.Add(c);
        }
        return bleachable;
    }

    private readonly ClearanceGrid _clearance =
        new(plan.ImageWidth, plan.ImageHeight, PositionWatch.ExpectedClusters(plan.ImageWidth, plan.ImageHeight));

    /// <summary>
    /// The cluster a bleach aims at, among allowed ones: the brightest, a seeded random one, or the newest — the most
    /// recently born (tracks there from the start count as oldest), then the youngest.
    /// </summary>
    public WatchedCluster Choose(FrapTargetChoice choice, IReadOnlyList<WatchedCluster> allowed) => choice switch
    {
        FrapTargetChoice.Brightest => allowed.MaxBy(c => c.Intensity),
        FrapTargetChoice.Random => allowed[RandomIndex(allowed.Count)],
        _ => Newest(allowed),
    };

    /// <summary>The most recently born, then the youngest; the first of equals. One pass: no sort of every candidate.</summary>
    private static WatchedCluster Newest(IReadOnlyList<WatchedCluster> allowed)
    {
        static double Born(in WatchedCluster c) => double.IsNaN(c.BornAtS) ? double.NegativeInfinity : c.BornAtS;
        var best = allowed[0];
        for (int i = 1; i < allowed.Count; i++)
        {
            var c = allowed[i];
            if (Born(c) > Born(best) || (Born(c) == Born(best) && c.AgeFrames < best.AgeFrames)) best = c;
        }
        return best;
    }

    /// <summary>Light of one frame in each of the protocol's channels (one z-slice).</summary>
    public double ChannelsDoseS
    {
        get
        {
            double dose = 0;
            foreach (var channel in Protocol.Channels) dose += LightDose.FrameDoseS(channel); // a loop: LINQ's Sum was compiled on the first decision
            return dose;
        }
    }

    /// <summary>Light of one regular timepoint: every channel at every z-slice.</summary>
    public double TimepointDoseS => ChannelsDoseS * (Protocol.ZStack?.Slices ?? 1);
}

/// <summary>The frame and position an action is applied for; <c>CellAt</c>: the cell (0 = none) at a pixel in that frame.</summary>
public readonly record struct ActionSite(int PositionIndex, PositionWatch Watch, RuleFiring Firing, TimeSpan Now, Func<double, double, int> CellAt);
