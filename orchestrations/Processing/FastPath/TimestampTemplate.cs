namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// A strptime format made only of %Y, %m, %d, %H, %M, %S and literal characters, matched with fixed widths
/// (4 digits for the year, 2 for the rest). A value that fits it has exactly one reading, the one strptime
/// gives; any other value (single digits, fractions, other specifiers) is left to DuckDB.
/// </summary>
public sealed class TimestampTemplate
{
    private readonly byte[] literal;
    private readonly int year = -1, month = -1, day = -1, hour = -1, minute = -1, second = -1;

    private TimestampTemplate(byte[] literal, Dictionary<char, int> positions)
    {
        this.literal = literal;
        year = positions.GetValueOrDefault('Y', -1);
        month = positions.GetValueOrDefault('m', -1);
        day = positions.GetValueOrDefault('d', -1);
        hour = positions.GetValueOrDefault('H', -1);
        minute = positions.GetValueOrDefault('M', -1);
        second = positions.GetValueOrDefault('S', -1);
    }

    /// <summary>The template of <paramref name="format"/>, or null when it uses anything but the specifiers above.</summary>
    public static TimestampTemplate? TryCreate(string format)
    {
        var literal = new List<byte>();
        var positions = new Dictionary<char, int>();
        for (var i = 0; i < format.Length; i++)
        {
            var ch = format[i];
            if (ch != '%')
            {
                if (ch > 0x7E || ch < 0x20 || char.IsDigit(ch))
                {
                    return null;
                }

                literal.Add((byte)ch);
                continue;
            }

            if (i + 1 >= format.Length || !"YmdHMS".Contains(format[i + 1], StringComparison.Ordinal) || !positions.TryAdd(format[i + 1], literal.Count))
            {
                return null;
            }

            var width = format[i + 1] == 'Y' ? 4 : 2;
            literal.AddRange(Enumerable.Repeat((byte)'0', width));
            i++;
        }

        return positions.ContainsKey('Y') && positions.ContainsKey('m') && positions.ContainsKey('d') ? new TimestampTemplate([.. literal], positions) : null;
    }

    /// <summary>The date and time <paramref name="value"/> spells, when it fits the template exactly and names a real day and time.</summary>
    public bool TryParse(ReadOnlySpan<byte> value, out CivilTime time)
    {
        time = default;
        if (value.Length != literal.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var expected = literal[i];
            if (expected == (byte)'0' ? (uint)(value[i] - '0') > 9 : value[i] != expected)
            {
                return false;
            }
        }

        var y = Digits(value, year, 4);
        var m = Digits(value, month, 2);
        var d = Digits(value, day, 2);
        var h = hour < 0 ? 0 : Digits(value, hour, 2);
        var mi = minute < 0 ? 0 : Digits(value, minute, 2);
        var s = second < 0 ? 0 : Digits(value, second, 2);
        if (y < 1 || m is < 1 or > 12 || d < 1 || d > CivilTime.DaysInMonth(y, m) || h > 23 || mi > 59 || s > 59)
        {
            return false;
        }

        time = new CivilTime(y, m, d, (h * 3600) + (mi * 60) + s);
        return true;
    }

    private static int Digits(ReadOnlySpan<byte> value, int at, int width)
    {
        var n = 0;
        for (var i = at; i < at + width; i++)
        {
            n = (n * 10) + (value[i] - '0');
        }

        return n;
    }
}
