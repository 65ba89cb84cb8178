using System.Globalization;

namespace LiveScope.Analysis.Output;

/// <summary>
/// Formats a double exactly as <c>value.ToString("G9", CultureInfo.InvariantCulture)</c> does, as UTF-8, several times
/// faster for the values a measurement row holds (|v| in [1e-4, 1e9)): the nine significant digits are the value
/// times an exact power of ten (one correctly rounded multiplication, error ≤ 2^-24), rounded to an integer. When
/// that product lies so close to a rounding tie that the error could decide it, and outside that magnitude range,
/// the runtime formats the value itself — so the text is always the runtime's.
/// </summary>
internal static class G9Utf8
{
    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Writes <paramref name="value"/> as G9; false (nothing written) when <paramref name="destination"/> is too short.</summary>
    public static bool TryFormat(double value, Span<byte> destination, out int written)
    {
        double magnitude = Math.Abs(value);
        // Outside [1e-4, 1e9) G9 switches to exponent notation; NaN, infinities and −0 are the runtime's too.
        if (!(magnitude >= 1e-4 && magnitude < 1e9))
            return value.TryFormat(destination, out written, "G9", CultureInfo.InvariantCulture);

        // ⌊log10⌋ from the binary exponent (1233/4096 ≈ log10 2): at most one too small, which the scaling check fixes.
        int exponent = (Math.ILogB(magnitude) * 1233) >> 12;
        double scaled = magnitude * PowersOfTen[8 - exponent];
        if (scaled >= 1e9) scaled = magnitude * PowersOfTen[8 - ++exponent];
        double floor = Math.Floor(scaled), fraction = scaled - floor;
        if (Math.Abs(fraction - 0.5) < 1e-6)
            return value.TryFormat(destination, out written, "G9", CultureInfo.InvariantCulture);
        uint digits = (uint)floor + (fraction > 0.5 ? 1u : 0u);
        if (digits == 1_000_000_000) { digits = 100_000_000; exponent++; }
        if (exponent is < -4 or > 8)   // rounded across a notation boundary
            return value.TryFormat(destination, out written, "G9", CultureInfo.InvariantCulture);
        return WriteDigits(value < 0, digits, exponent, destination, out written);
    }

    /// <summary>"00".."99": two digits per division.</summary>
    private static ReadOnlySpan<byte> Pairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>Nine significant digits (100000000 ≤ digits &lt; 10^9) with the first at 10^exponent, trailing zeros dropped.</summary>
    private static bool WriteDigits(bool negative, uint digits, int exponent, Span<byte> destination, out int written)
    {
        Span<byte> text = stackalloc byte[9];
        for (int at = 7; at >= 1; at -= 2)
        {
            uint pair = digits % 100; digits /= 100;
            text[at] = Pairs[(int)pair * 2]; text[at + 1] = Pairs[(int)pair * 2 + 1];
        }
        text[0] = (byte)('0' + digits);
        int significant = 9;
        while (text[significant - 1] == '0') significant--;

        int integerDigits = exponent + 1;   // digits before the point; ≤ 0: "0." and −integerDigits zeros first
        int length = (negative ? 1 : 0) + (integerDigits > 0
            ? Math.Max(significant, integerDigits) + (significant > integerDigits ? 1 : 0)
            : 2 - integerDigits + significant);
        written = 0;
        if (destination.Length < length) return false;
        int o = 0;
        if (negative) destination[o++] = (byte)'-';
        if (integerDigits > 0)
        {
            if (significant <= integerDigits)
            {
                text[..significant].CopyTo(destination[o..]); o += significant;
                destination.Slice(o, integerDigits - significant).Fill((byte)'0');
            }
            else
            {
                text[..integerDigits].CopyTo(destination[o..]); o += integerDigits;
                destination[o++] = (byte)'.';
                text[integerDigits..significant].CopyTo(destination[o..]);
            }
        }
        else
        {
            destination[o++] = (byte)'0'; destination[o++] = (byte)'.';
            destination.Slice(o, -integerDigits).Fill((byte)'0'); o -= integerDigits;
            text[..significant].CopyTo(destination[o..]);
        }
        written = length;
        return true;
    }
}
