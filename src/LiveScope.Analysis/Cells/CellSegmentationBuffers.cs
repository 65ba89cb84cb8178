using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Cells;

/// <summary>
/// Everything a segmentation needs besides its input and its masks, kept from call to call so that repeated
/// segmentations of frames of one size allocate nothing once these have grown (the analysis pipeline re-segments
/// every 20 frames; each call used to allocate ≈ 10 MB at 2048²). One segmentation at a time per instance.
/// Per-pixel buffers have exactly the binned frame's size (the flood fills use their length as the image's).
/// </summary>
internal sealed class CellSegmentationBuffers
{
    private float[] _padded = [];
    private int[] _cellStarts = [], _cellFill = [], _byCell = [], _labelArea = [], _labelRemap = [];
    private float[] _values = [];
    private GaussianKernel? _kernel;

    public float[] Smooth { get; private set; } = [];
    public float[] BlurTmp { get; private set; } = [];
    public float[] NuclearSmooth { get; private set; } = [];
    public bool[] Foreground { get; private set; } = [];
    public bool[] Outside { get; private set; } = [];
    public int[] Stack { get; private set; } = [];
    public float[] Distance { get; private set; } = [];
    public bool[] Interior { get; private set; } = [];
    public float[] LabelDistance { get; private set; } = [];
    public int[] NucleusOf { get; private set; } = [];
    public bool[] Dilated { get; private set; } = [];
    public List<long> Candidates { get; } = [];
    public List<int> Seeds { get; } = [];
    public List<int> Component { get; } = [];
    public List<int> Largest { get; } = [];
    public MinHeap Queue { get; } = new();

    /// <summary>Sizes the per-pixel buffers for a binned frame of <paramref name="pixels"/> pixels.</summary>
    public void Prepare(int pixels, int binnedWidth)
    {
        if (Smooth.Length != pixels)
        {
            Smooth = new float[pixels]; BlurTmp = new float[pixels]; NuclearSmooth = new float[pixels];
            Foreground = new bool[pixels]; Outside = new bool[pixels]; Stack = new int[pixels];
            Distance = new float[pixels]; Interior = new bool[pixels]; LabelDistance = new float[pixels];
            NucleusOf = new int[pixels]; Dilated = new bool[pixels];
        }
        _binnedWidth = binnedWidth;
    }

    private int _binnedWidth;

    /// <summary>The smoothing kernel (null: no smoothing), made once per σ.</summary>
    public GaussianKernel? Kernel(double sigma)
    {
        if (sigma <= 0) return null;
        if (_kernel is null || _kernel.SigmaPx != sigma) _kernel = new GaussianKernel(sigma);
        return _kernel;
    }

    /// <summary>A row of the binned frame with the kernel's radius either side.</summary>
    public float[] BlurRow(GaussianKernel? kernel) => AtLeast(ref _padded, _binnedWidth + 2 * (kernel?.Radius ?? 0));

    /// <summary>Cleared.</summary>
    public int[] CellStarts(int count) => Cleared(ref _cellStarts, count);
    public int[] CellFill(int count) => AtLeast(ref _cellFill, count);
    public int[] ByCell(int count) => AtLeast(ref _byCell, count);
    /// <summary>Cleared.</summary>
    public int[] LabelArea(int count) => Cleared(ref _labelArea, count);
    public int[] LabelRemap(int count) => AtLeast(ref _labelRemap, count);
    public Span<float> Values(int count) => AtLeast(ref _values, count).AsSpan(0, count);

    private static T[] AtLeast<T>(ref T[] buffer, int count)
    {
        if (buffer.Length < count) buffer = new T[Math.Max(count, 2 * buffer.Length)];
        return buffer;
    }

    private static T[] Cleared<T>(ref T[] buffer, int count)
    {
        AtLeast(ref buffer, count).AsSpan(0, count).Clear();
        return buffer;
    }
}

/// <summary>A binary min-heap of packed keys (one long compare per step, no comparer calls).</summary>
internal sealed class MinHeap
{
    private long[] _items = new long[16];
    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Push(long key)
    {
        if (Count == _items.Length) Array.Resize(ref _items, 2 * Count);
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (_items[parent] <= key) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = key;
    }

    public long Pop()
    {
        long top = _items[0], last = _items[--Count];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && _items[child + 1] < _items[child]) child++;
            if (_items[child] >= last) break;
            _items[i] = _items[child];
            i = child;
        }
        if (Count > 0) _items[i] = last;
        return top;
    }
}
