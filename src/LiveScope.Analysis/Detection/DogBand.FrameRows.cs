using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// Reading the frame: each sweep row segment of a tile (a frame row, or the 2×2 mean of two when binned) converted to
/// float into the pad, edges replicated, with the rows a little ahead prefetched — a tile reads short row segments 4 kB
/// apart, which the hardware prefetcher follows poorly.
/// </summary>
internal sealed unsafe partial class DogBand
{
    /// <summary>Sweep row <paramref name="row"/> (clamped to the image), columns x0 − r2 … as float into the pad.</summary>
    private void LoadRow(ushort* frame, int row, int x0, int length)
    {
        row = Math.Clamp(row, 0, _height - 1);
        if (_binning == 1)
        {
            // As below: the row FullResolutionPrefetchRows ahead is fetched while this one is converted.
            int ahead = Math.Min(row + FullResolutionPrefetchRows, _height - 1);
            LoadFrameRow(frame + (long)row * _frameWidth, frame + (long)ahead * _frameWidth, x0 - _r2, length);
        }
        else
        {
            // The next binned row's frame rows are fetched into cache while this one is converted: a tile reads
            // short row segments 4 kB apart, which the hardware prefetcher follows poorly.
            int next = Math.Min(row + 1, _height - 1);
            LoadBinnedRow(frame + (long)(2 * row) * _frameWidth, frame + (long)Math.Min(2 * row + 1, _frameHeight - 1) * _frameWidth,
                          frame + (long)(2 * next) * _frameWidth, frame + (long)Math.Min(2 * next + 1, _frameHeight - 1) * _frameWidth,
                          x0 - _r2, length);
        }
    }

    /// <summary>How many rows ahead the full-resolution sweep prefetches (one row ahead arrives too late).</summary>
    private const int FullResolutionPrefetchRows = 2;

    /// <summary>Edge-replicating padded copy as float: pad[i] = src[clamp(first + i)]; prefetches the same columns of <paramref name="ahead"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LoadFrameRow(ushort* src, ushort* ahead, int first, int length)
    {
        float* pad = _pad;
        int width = _width;
        int i = 0;
        float left = src[0], right = src[width - 1];
        for (; i < length && first + i < 0; i++) pad[i] = left;
        // The vector loop may run past length to the next multiple of 16 (the pad has room: its length is rounded up from
        // the widest row segment), so inside the frame no pixel is left to the scalar loop: 10 of every 330 were.
        if (_use512 && Avx512F.IsSupported) i = LoadFrameRow512(src, ahead, pad, first, i, (length + 15) & ~15, width);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= length && first + i + 16 <= width; i += 16)
            {
                if ((i & 31) == 0 && Sse.IsSupported) Sse.Prefetch0(ahead + first + i);   // one per 64-byte line
                var (lo, hi) = Vector256.Widen(Vector256.Load(src + first + i));
                Vector256.ConvertToSingle(lo.AsInt32()).Store(pad + i);
                Vector256.ConvertToSingle(hi.AsInt32()).Store(pad + i + 8);
            }
        }
        for (; i < length && first + i < width; i++) pad[i] = src[first + i];
        for (; i < length; i++) pad[i] = right;
    }

    /// <summary>
    /// Edge-replicating padded copy of the 2×2 average of two frame rows: pad[i] = mean of columns 2c, 2c+1 of both
    /// rows, c = clamp(first + i) in binned columns (an odd last column pairs with itself).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LoadBinnedRow(ushort* top, ushort* bottom, ushort* nextTop, ushort* nextBottom, int first, int length)
    {
        float* pad = _pad;
        int width = _width, frameWidth = _frameWidth;
        int i = 0;
        float left = Binned(top, bottom, 0, frameWidth), right = Binned(top, bottom, width - 1, frameWidth);
        for (; i < length && first + i < 0; i++) pad[i] = left;
        if (_use512) i = LoadBinnedRow512(top, bottom, nextTop, nextBottom, pad, first, i, length, frameWidth);
        if (Vector256.IsHardwareAccelerated)
        {
            // Each 32-bit lane holds an even (low half) and an odd (high half) pixel: their sum is one binned column.
            var low = Vector256.Create(0xFFFFu);
            var quarter = Vector256.Create(0.25f);
            for (; i + 8 <= length && 2 * (first + i + 8) <= frameWidth; i += 8)
            {
                if ((i & 15) == 0 && Sse.IsSupported)    // one prefetch per 64-byte line (16 binned columns) of each next row
                {
                    Sse.Prefetch0(nextTop + 2 * (first + i));
                    Sse.Prefetch0(nextBottom + 2 * (first + i));
                }
                var t = Vector256.Load((uint*)(top + 2 * (first + i)));
                var b = Vector256.Load((uint*)(bottom + 2 * (first + i)));
                var sum = (t & low) + (t >> 16) + (b & low) + (b >> 16);
                (Vector256.ConvertToSingle(sum.AsInt32()) * quarter).Store(pad + i);
            }
        }
        for (; i < length && first + i < width; i++) pad[i] = Binned(top, bottom, first + i, frameWidth);
        for (; i < length; i++) pad[i] = right;
    }

    private static float Binned(ushort* top, ushort* bottom, int column, int frameWidth)
    {
        int a = 2 * column, b = Math.Min(a + 1, frameWidth - 1);
        return 0.25f * (top[a] + top[b] + bottom[a] + bottom[b]);
    }

    /// <summary>
    /// <see cref="LoadFrameRow"/>'s conversion 16 pixels per instruction pair (zero-extend, convert) where AVX-512 is
    /// available; returns the first pad index left for the caller's loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LoadFrameRow512(ushort* src, ushort* ahead, float* pad, int first, int i, int length, int width)
    {
        for (; i + 16 <= length && first + i + 16 <= width; i += 16)
        {
            if ((i & 31) == 0) Sse.Prefetch0(ahead + first + i);   // one per 64-byte line
            Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector256.Load(src + first + i))).Store(pad + i);
        }
        return i;
    }

    /// <summary>
    /// <see cref="LoadBinnedRow"/>'s vector loop 16 binned columns (a 64-byte line of each frame row) at a time, with
    /// one prefetch per line of each next row (the 256-bit loop's "every 32 columns" was every other line); returns the
    /// first pad index left for the caller's loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LoadBinnedRow512(ushort* top, ushort* bottom, ushort* nextTop, ushort* nextBottom, float* pad, int first, int i, int length, int frameWidth)
    {
        var low = Vector512.Create(0xFFFFu);
        var quarter = Vector512.Create(0.25f);
        for (; i + 16 <= length && 2 * (first + i + 16) <= frameWidth; i += 16)
        {
            Sse.Prefetch0(nextTop + 2 * (first + i));
            Sse.Prefetch0(nextBottom + 2 * (first + i));
            var t = Vector512.Load((uint*)(top + 2 * (first + i)));
            var b = Vector512.Load((uint*)(bottom + 2 * (first + i)));
            var sum = (t & low) + (t >> 16) + (b & low) + (b >> 16);
            (Vector512.ConvertToSingle(sum.AsInt32()) * quarter).Store(pad + i);
        }
        return i;
    }
}
