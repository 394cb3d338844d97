using System.Globalization;

namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// Numbers in their plain spelling only: an optional '-', ASCII digits and, where allowed, one '.' between
/// digits. Such text means the same number to every reader (DuckDB's cast, its CSV reader, .NET), so a row made
/// of plain values can skip DuckDB's text parsing; anything else ('+1', ' 1', '1e3', '0x10') is left to DuckDB.
/// </summary>
public static class SimpleNumbers
{
    /// <summary>An integer of at most <paramref name="maxDigits"/> digits (leading zeros included).</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, int maxDigits, out long value)
    {
        value = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length == 0 || digits.Length > maxDigits)
        {
            return false;
        }

        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        value = negative ? -value : value;
        return true;
    }

    /// <summary>
    /// A decimal with at most <paramref name="integerDigits"/> digits before the point (leading zeros not counted)
    /// and at most <paramref name="scale"/> after it, as its unscaled value: "12.5" at scale 2 is 1250.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, int integerDigits, int scale, out long unscaled)
    {
        unscaled = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var body = negative ? text[1..] : text;
        var point = body.IndexOf((byte)'.');
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? [] : body[(point + 1)..];
        if (whole.Length == 0 || (point >= 0 && fraction.Length == 0) || fraction.Length > scale)
        {
            return false;
        }

        // Leading zeros count as digits: a plain value never needs more than the declared width.
        if (whole.Length > integerDigits || whole.Length + scale > 18
            || !TryParseInteger(whole, 18, out var integer) || whole[0] == (byte)'-'
            || fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        long fractional = 0;
        foreach (var b in fraction)
        {
            fractional = (fractional * 10) + (b - '0');
        }

        for (var i = fraction.Length; i < scale; i++)
        {
            fractional *= 10;
        }

        unscaled = (integer * Pow10(scale)) + fractional;
        unscaled = negative ? -unscaled : unscaled;
        return true;
    }

    /// <summary>A double written as digits with an optional fraction; the value is the correctly rounded one, as DuckDB's.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var body = text.Length > 0 && text[0] == (byte)'-' ? text[1..] : text;
        var point = body.IndexOf((byte)'.');
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? [] : body[(point + 1)..];
        if (whole.Length == 0 || (point >= 0 && fraction.Length == 0) || body.Length > 40
            || whole.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        // Up to 15 digits and 22 decimals, mantissa and power of ten are exact doubles, so one division is
        // correctly rounded (Clinger's fast path); longer spellings take the full parser.
        if (whole.Length + fraction.Length <= 15 && fraction.Length <= 22)
        {
            long mantissa = 0;
            foreach (var b in whole)
            {
                mantissa = (mantissa * 10) + (b - '0');
            }

            foreach (var b in fraction)
            {
                mantissa = (mantissa * 10) + (b - '0');
            }

            value = mantissa / ExactPowersOfTen[fraction.Length];
            value = text[0] == (byte)'-' ? -value : value;
            return true;
        }

        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private static readonly double[] ExactPowersOfTen = [.. Enumerable.Range(0, 23).Select(e => double.Parse($"1e{e}", CultureInfo.InvariantCulture))];

    public static long Pow10(int exponent)
    {
        long result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
