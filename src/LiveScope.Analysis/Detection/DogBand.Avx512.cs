using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// The two blur passes with 512-bit vectors (16 floats), used where the processor has AVX-512: the same
/// arithmetic in the same order as the 256-bit passes, twice the columns per instruction.
/// </summary>
internal sealed unsafe partial class DogBand
{
    /// <summary>True where 512-bit vectors are hardware-accelerated (tests may turn it off to cover the 256-bit passes).</summary>
    private readonly bool _use512;

    private readonly Vector512<float>[] _wide1, _wide2, _wide2Negated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mad(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;

    /// <summary>Horizontal pass of the row already in the pad (see <see cref="BlurRowHorizontally"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurRowHorizontally512(int row, int columns)
    {
        int r2 = _r2, r1 = _r1;
        float* h1 = Narrow(row), h2 = Wide(row);
        int offset = r2 - r1;   // the narrow kernel's taps start this far into the wide one
        fixed (Vector512<float>* k1 = _wide1, k2 = _wide2)
        {
            for (int x = 0; x < columns; x += 16 * Unroll)
            {
                float* p = _pad + x;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;  // wide
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;  // narrow
                int j = 0;
                for (; j < offset; j++, p++)
                {
                    var k = k2[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                }
                for (; j < offset + 2 * r1 + 1; j++, p++)
                {
                    var v0 = Vector512.Load(p); var v1 = Vector512.Load(p + 16);
                    var v2 = Vector512.Load(p + 32); var v3 = Vector512.Load(p + 48);
                    var k = k2[j]; var kn = k1[j - offset];
                    a0 = Mad(v0, k, a0); a1 = Mad(v1, k, a1); a2 = Mad(v2, k, a2); a3 = Mad(v3, k, a3);
                    b0 = Mad(v0, kn, b0); b1 = Mad(v1, kn, b1); b2 = Mad(v2, kn, b2); b3 = Mad(v3, kn, b3);
                }
                for (; j < 2 * r2 + 1; j++, p++)
                {
                    var k = k2[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                }
                a0.Store(h2 + x); a1.Store(h2 + x + 16); a2.Store(h2 + x + 32); a3.Store(h2 + x + 48);
                b0.Store(h1 + x); b1.Store(h1 + x + 16); b2.Store(h1 + x + 32); b3.Store(h1 + x + 48);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurVertically512(int y, float* dogRow, int columns)
    {
        int r1 = _r1, r2 = _r2;
        float** wide = stackalloc float*[2 * r2 + 1];
        float** narrow = stackalloc float*[2 * r1 + 1];
        RingRows(_h2, _ring2, _wideRing, y - r2, 2 * r2 + 1, wide);
        RingRows(_h1, _ring1, _narrowRing, y - r1, 2 * r1 + 1, narrow);
        fixed (Vector512<float>* k1 = _wide1, k2n = _wide2Negated)
        {
            int x = 0;
            // Eight sums in flight where the tile allows: FMA latency is 4 cycles at 2 per cycle, so four sums leave
            // half the FMA throughput idle (each lane's sum is unchanged: same taps, same order).
            for (; x + 32 * Unroll <= columns; x += 32 * Unroll)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (int j = 0; j < 2 * r1 + 1; j++)
                {
                    float* p = narrow[j] + x; var k = k1[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                    a4 = Mad(Vector512.Load(p + 64), k, a4); a5 = Mad(Vector512.Load(p + 80), k, a5);
                    a6 = Mad(Vector512.Load(p + 96), k, a6); a7 = Mad(Vector512.Load(p + 112), k, a7);
                }
                for (int j = 0; j < 2 * r2 + 1; j++)
                {
                    float* p = wide[j] + x; var k = k2n[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                    a4 = Mad(Vector512.Load(p + 64), k, a4); a5 = Mad(Vector512.Load(p + 80), k, a5);
                    a6 = Mad(Vector512.Load(p + 96), k, a6); a7 = Mad(Vector512.Load(p + 112), k, a7);
                }
                a0.Store(dogRow + x); a1.Store(dogRow + x + 16); a2.Store(dogRow + x + 32); a3.Store(dogRow + x + 48);
                a4.Store(dogRow + x + 64); a5.Store(dogRow + x + 80); a6.Store(dogRow + x + 96); a7.Store(dogRow + x + 112);
            }
            for (; x < columns; x += 16 * Unroll)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int j = 0; j < 2 * r1 + 1; j++)
                {
                    float* p = narrow[j] + x; var k = k1[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                }
                for (int j = 0; j < 2 * r2 + 1; j++)
                {
                    float* p = wide[j] + x; var k = k2n[j];
                    a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                    a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                }
                a0.Store(dogRow + x); a1.Store(dogRow + x + 16); a2.Store(dogRow + x + 32); a3.Store(dogRow + x + 48);
            }
        }
    }

    /// <summary>
    /// DoG rows <paramref name="y"/> and y+1 in one pass. They share all but one of their ring rows (narrow rows
    /// y−r1+1 … y+r1, wide rows y−r2+1 … y+r2), so each ring row is loaded once for both: 2r1+2 + 2r2+2 loads per
    /// 2 × (2r1+1 + 2r2+1) FMAs (22 for 40 at d = 3.1 px) where one row at a time loads a vector per FMA, and the load
    /// ports, not the FMAs, bounded the pass. Each output still sums its own taps in <see cref="BlurVertically512"/>'s
    /// order (narrow taps 0 … 2r1, then the negated wide taps 0 … 2r2, one chain from zero), so both rows are bit for
    /// bit the single-row pass's. Eight sums in flight: four vectors of each row. Ring row j is tap j of row y and tap
    /// j−1 of row y+1, so the previous tap's kernel is carried over rather than loaded again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurVerticallyPair512(int y, float* dogRow, float* nextDogRow, int columns)
    {
        int narrowTaps = 2 * _r1 + 1, wideTaps = 2 * _r2 + 1;
        float** wide = stackalloc float*[wideTaps + 1];
        float** narrow = stackalloc float*[narrowTaps + 1];
        RingRows(_h2, _ring2, _wideRing, y - _r2, wideTaps + 1, wide);
        RingRows(_h1, _ring1, _narrowRing, y - _r1, narrowTaps + 1, narrow);
        fixed (Vector512<float>* k1 = _wide1, k2n = _wide2Negated)
        {
            for (int x = 0; x < columns; x += 16 * Unroll)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;   // row y
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;   // row y+1
                float* p = narrow[0] + x; var k = k1[0];
                a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                for (int j = 1; j < narrowTaps; j++)
                {
                    p = narrow[j] + x; var previous = k; k = k1[j];
                    var v0 = Vector512.Load(p); var v1 = Vector512.Load(p + 16);
                    var v2 = Vector512.Load(p + 32); var v3 = Vector512.Load(p + 48);
                    a0 = Mad(v0, k, a0); a1 = Mad(v1, k, a1); a2 = Mad(v2, k, a2); a3 = Mad(v3, k, a3);
                    b0 = Mad(v0, previous, b0); b1 = Mad(v1, previous, b1); b2 = Mad(v2, previous, b2); b3 = Mad(v3, previous, b3);
                }
                p = narrow[narrowTaps] + x;
                b0 = Mad(Vector512.Load(p), k, b0); b1 = Mad(Vector512.Load(p + 16), k, b1);
                b2 = Mad(Vector512.Load(p + 32), k, b2); b3 = Mad(Vector512.Load(p + 48), k, b3);

                p = wide[0] + x; k = k2n[0];
                a0 = Mad(Vector512.Load(p), k, a0); a1 = Mad(Vector512.Load(p + 16), k, a1);
                a2 = Mad(Vector512.Load(p + 32), k, a2); a3 = Mad(Vector512.Load(p + 48), k, a3);
                for (int j = 1; j < wideTaps; j++)
                {
                    p = wide[j] + x; var previous = k; k = k2n[j];
                    var v0 = Vector512.Load(p); var v1 = Vector512.Load(p + 16);
                    var v2 = Vector512.Load(p + 32); var v3 = Vector512.Load(p + 48);
                    a0 = Mad(v0, k, a0); a1 = Mad(v1, k, a1); a2 = Mad(v2, k, a2); a3 = Mad(v3, k, a3);
                    b0 = Mad(v0, previous, b0); b1 = Mad(v1, previous, b1); b2 = Mad(v2, previous, b2); b3 = Mad(v3, previous, b3);
                }
                p = wide[wideTaps] + x;
                b0 = Mad(Vector512.Load(p), k, b0); b1 = Mad(Vector512.Load(p + 16), k, b1);
                b2 = Mad(Vector512.Load(p + 32), k, b2); b3 = Mad(Vector512.Load(p + 48), k, b3);

                a0.Store(dogRow + x); a1.Store(dogRow + x + 16); a2.Store(dogRow + x + 32); a3.Store(dogRow + x + 48);
                b0.Store(nextDogRow + x); b1.Store(nextDogRow + x + 16); b2.Store(nextDogRow + x + 32); b3.Store(nextDogRow + x + 48);
            }
        }
    }

    /// <summary>
    /// <see cref="FindMaxima"/> at full resolution (response = sample), 16 columns at a time; returns the first column
    /// left for the 256-bit loop (none). The vectors start at the tile's first computed column (<see cref="Margin"/>
    /// before its first scanned one), so the centre and up/down loads are 64-byte aligned: from the tile's own first
    /// column every one of the nine loads straddled two cache lines. Lanes outside the tile are dropped; reads past its
    /// end stay inside the ring (rows are one stride apart and the memory has slack after the last).
    /// Four vectors are tested against the floor at once: on a cell a 16-px vector holds a pixel above the floor about
    /// as often as not, a branch per vector was mispredicted that often; 64 px are above it nearly always on a cell
    /// and nearly never on the background. Their maxima tests then run without branches, as mask bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FindMaxima512(float* up, float* mid, float* down, float floor, int tileX, int tileWidth, long rowBase, ref int count)
    {
        // At full resolution the response is the sample: the floor itself is the early exit.
        var floorV = Vector512.Create(floor);
        int x = -Margin;
        // Groups end within the tile's computed columns (tileWidth + 2·Margin from DoG index 0).
        for (; x + 64 <= tileWidth + Margin; x += 64)
        {
            var c0 = Vector512.Load(mid + x); var c1 = Vector512.Load(mid + x + 16);
            var c2 = Vector512.Load(mid + x + 32); var c3 = Vector512.Load(mid + x + 48);
            var above = Vector512.GreaterThan(c0, floorV) | Vector512.GreaterThan(c1, floorV)
                      | Vector512.GreaterThan(c2, floorV) | Vector512.GreaterThan(c3, floorV);
            if (above == Vector512<float>.Zero) continue;
            ulong bits = StrictMaxima(up, mid, down, x, c0, floorV) | StrictMaxima(up, mid, down, x + 16, c1, floorV) << 16
                       | StrictMaxima(up, mid, down, x + 32, c2, floorV) << 32 | StrictMaxima(up, mid, down, x + 48, c3, floorV) << 48;
            if (bits != 0) AddMaxima(bits, x, mid, tileX, tileWidth, rowBase, ref count);
        }
        for (; x < tileWidth; x += 16)
        {
            var c = Vector512.Load(mid + x);
            if (!Vector512.GreaterThanAny(c, floorV)) continue;
            ulong bits = StrictMaxima(up, mid, down, x, c, floorV);
            if (bits != 0) AddMaxima(bits, x, mid, tileX, tileWidth, rowBase, ref count);
        }
        return x;
    }

    /// <summary>
    /// Bit i: column x + i is above the floor and a maximum of its 3×3. Ties go to the earlier pixel (strict against
    /// left and the row above, ≥ against right and the row below), so plateaus give one maximum. MaxNative is one
    /// vmaxps (Vector512.Max follows IEEE NaN/±0 rules in three instructions); the DoG has no NaN and a ±0 neighbour
    /// compares alike either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong StrictMaxima(float* up, float* mid, float* down, int x, Vector512<float> c, Vector512<float> floorV)
    {
        var above = Vector512.MaxNative(Vector512.MaxNative(Vector512.Load(up + x - 1), Vector512.Load(up + x)), Vector512.Load(up + x + 1));
        var below = Vector512.MaxNative(Vector512.MaxNative(Vector512.Load(down + x - 1), Vector512.Load(down + x)), Vector512.Load(down + x + 1));
        var isMax = Vector512.GreaterThan(c, floorV) & Vector512.GreaterThan(c, Vector512.Load(mid + x - 1))
                  & Vector512.GreaterThanOrEqual(c, Vector512.Load(mid + x + 1))
                  & Vector512.GreaterThan(c, above) & Vector512.GreaterThanOrEqual(c, below);
        return isMax.ExtractMostSignificantBits();
    }

    /// <summary>Lists the maxima of <paramref name="bits"/> (bit i: column x + i) that lie in the tile and off the frame's edge columns.</summary>
    private void AddMaxima(ulong bits, int x, float* mid, int tileX, int tileWidth, long rowBase, ref int count)
    {
        int lastX = _width - 2, capacity = Capacity;
        int[] index = CandidateIndex; float[] response = CandidateResponse;
        while (bits != 0)
        {
            int tx = x + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            int gx = tileX + tx;
            if (tx < 0 || tx >= tileWidth || gx < 1 || gx > lastX || count >= capacity) continue;
            index[count] = (int)(rowBase + tx);
            response[count] = mid[tx];
            count++;
        }
    }
}
