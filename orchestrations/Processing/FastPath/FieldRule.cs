using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>
/// What the fast path does with one CSV field: accepts it as valid exactly when DuckDB's validation would (only
/// for plain spellings, see <see cref="SimpleNumbers"/> and <see cref="TimestampTemplate"/>), and otherwise says
/// "not sure", which sends the row to DuckDB's validation. Temporal values are rewritten in a canonical
/// spelling (UTC when the column has a zone) so that DuckDB's typed CSV reader reads them unchanged.
/// </summary>
public sealed class FieldRule
{
    private enum Kind { Ignored, String, Integer, Decimal, Double, Bool, Date, Timestamp }

    private readonly Kind kind;
    private readonly bool required;
    private readonly byte[][] allowed;
    private readonly Regex? pattern;
    private readonly int maxDigits;
    private readonly int scale;
    private readonly long minUnscaled = long.MinValue, maxUnscaled = long.MaxValue;
    private readonly double minDouble = double.NegativeInfinity, maxDouble = double.PositiveInfinity;
    private readonly TimestampTemplate? template;
    private readonly long?[]? zoneOffsets;
    private readonly (byte[] Value, bool Matches)?[] recentMatches = new (byte[], bool)?[509];

    /// <summary>A file column the schema does not name: read as text and dropped.</summary>
    public static readonly FieldRule Ignored = new();

    private FieldRule()
    {
        kind = Kind.Ignored;
        allowed = [];
    }

    private FieldRule(ColumnSpec column, ColumnType type, long?[]? zoneOffsets)
    {
        kind = type.Kind switch
        {
            ColumnKind.String => Kind.String,
            ColumnKind.Int or ColumnKind.Long => Kind.Integer,
            ColumnKind.Decimal => Kind.Decimal,
            ColumnKind.Double => Kind.Double,
            ColumnKind.Bool => Kind.Bool,
            ColumnKind.Date => Kind.Date,
            _ => Kind.Timestamp,
        };
        required = column.Required;
        allowed = column.Allowed is { Count: > 0 } values ? [.. values.Select(v => Encoding.UTF8.GetBytes(v))] : [];
        pattern = column.Pattern is null ? null : PatternSubset.TryCreate(column.Pattern);
        this.zoneOffsets = zoneOffsets;
        switch (kind)
        {
            case Kind.Integer:
                maxDigits = type.Kind == ColumnKind.Int ? 9 : 18;
                (minUnscaled, maxUnscaled) = (Bound(column.Min, 0, Math.Ceiling) ?? long.MinValue, Bound(column.Max, 0, Math.Floor) ?? long.MaxValue);
                break;
            case Kind.Decimal:
                maxDigits = type.Precision - type.Scale;
                scale = type.Scale;
                (minUnscaled, maxUnscaled) = (Bound(column.Min, scale, Math.Ceiling) ?? long.MinValue, Bound(column.Max, scale, Math.Floor) ?? long.MaxValue);
                break;
            case Kind.Double:
                (minDouble, maxDouble) = (column.Min ?? double.NegativeInfinity, column.Max ?? double.PositiveInfinity);
                break;
            case Kind.Date or Kind.Timestamp:
                template = TimestampTemplate.TryCreate(column.Format ?? (kind == Kind.Date ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S"));
                break;
        }
    }

    /// <summary>Longest canonical value a rule writes (a timestamp).</summary>
    public const int MaxRewriteLength = 19;

    /// <summary>The rule of a schema column, or null when its checks cannot be mirrored exactly (the dataset then keeps DuckDB's path).</summary>
    public static FieldRule? TryCreate(ColumnSpec column, Func<string, long?[]> zoneOffsets)
    {
        var type = ColumnType.Parse(column.Type);
        var zoned = column.TimeZone is not null && type.Kind == ColumnKind.Timestamp;
        var rule = new FieldRule(column, type, zoned ? zoneOffsets(column.TimeZone!) : null);
        var boundsPlain = new[] { column.Min, column.Max }.All(b => b is null || !SqlText.Number(b.Value).Contains('E', StringComparison.OrdinalIgnoreCase));
        var usable = boundsPlain && (column.Pattern is null || rule.pattern is not null) && (!type.IsTemporal || rule.template is not null)
            && !(type.Kind == ColumnKind.Decimal && type.Precision > 18);
        return usable ? rule : null;
    }

    /// <summary>
    /// Checks one field. Returns -1 when DuckDB must decide (the row leaves the fast path), 0 when the field is valid
    /// and kept as it is, or the length of its canonical spelling written to <paramref name="rewritten"/>.
    /// </summary>
    /// <param name="isNull">The field is one of the dataset's null strings (unquoted).</param>
    public int Check(ReadOnlySpan<byte> value, bool isNull, Span<byte> rewritten)
    {
        if (kind == Kind.Ignored)
        {
            return 0;
        }

        if (isNull)
        {
            return required ? -1 : 0;
        }

        if (allowed.Length > 0 && !IsAllowed(value))
        {
            return -1;
        }

        if (pattern is not null && (!PatternSubset.IsPrintableAscii(value) || !Matches(value)))
        {
            return -1;
        }

        switch (kind)
        {
            case Kind.String:
                return 0;
            case Kind.Integer:
                return SimpleNumbers.TryParseInteger(value, maxDigits, out var integer) && integer >= minUnscaled && integer <= maxUnscaled ? 0 : -1;
            case Kind.Decimal:
                return SimpleNumbers.TryParseDecimal(value, maxDigits, scale, out var unscaled) && unscaled >= minUnscaled && unscaled <= maxUnscaled ? 0 : -1;
            case Kind.Double:
                return SimpleNumbers.TryParseDouble(value, out var real) && real >= minDouble && real <= maxDouble ? 0 : -1;
            case Kind.Bool:
                return value.SequenceEqual("true"u8) || value.SequenceEqual("false"u8) ? 0 : -1;
            default:
                return Temporal(value, rewritten);
        }
    }

    private int Temporal(ReadOnlySpan<byte> value, Span<byte> rewritten)
    {
        if (!template!.TryParse(value, out var local))
        {
            return -1;
        }

        if (kind == Kind.Date)
        {
            return CanonicalTime.WriteDate(local, rewritten);
        }

        if (zoneOffsets is null)
        {
            return CanonicalTime.WriteTimestamp(local, rewritten);
        }

        // The same per-day offsets DuckDB's ZoneOffsets applies; transition days and days out of range go to ICU there.
        var day = local.DaysSinceEpoch - ZoneOffsets.FirstDayNumber;
        if (day < 0 || day >= zoneOffsets.Length || zoneOffsets[day] is not { } offset || offset % 1_000_000 != 0)
        {
            return -1;
        }

        return CanonicalTime.WriteTimestamp(local.AddSeconds(offset / 1_000_000), rewritten);
    }

    private bool IsAllowed(ReadOnlySpan<byte> value)
    {
        foreach (var candidate in allowed)
        {
            if (value.SequenceEqual(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(ReadOnlySpan<byte> value)
    {
        // Checked columns usually hold few distinct values (zones, codes): remember the last answers.
        var hash = default(HashCode);
        hash.AddBytes(value);
        var slot = (hash.ToHashCode() & int.MaxValue) % recentMatches.Length;
        if (recentMatches[slot] is { } recent && value.SequenceEqual(recent.Value))
        {
            return recent.Matches;
        }

        var matches = MatchesUncached(value);
        recentMatches[slot] = (value.ToArray(), matches);
        return matches;
    }

    private bool MatchesUncached(ReadOnlySpan<byte> value)
    {
        Span<char> chars = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
        System.Text.Ascii.ToUtf16(value, chars, out _);
        return pattern!.IsMatch(chars);
    }

    /// <summary>
    /// A min/max of the schema as an unscaled integer bound: DuckDB compares the exact decimal literal, so for values
    /// of <paramref name="valueScale"/> digits "v &lt; min" is "v &lt; ceil(min · 10^scale)" (floor for max).
    /// </summary>
    private static long? Bound(double? bound, int valueScale, Func<decimal, decimal> round)
    {
        if (bound is null)
        {
            return null;
        }

        decimal rounded;
        try
        {
            rounded = round(decimal.Parse(SqlText.Number(bound.Value), NumberStyles.Float, CultureInfo.InvariantCulture) * SimpleNumbers.Pow10(valueScale));
        }
        catch (OverflowException)
        {
            // Beyond any value of at most 18 digits: the bound holds for all of them or for none.
            return bound > 0 ? long.MaxValue : long.MinValue;
        }

        return rounded < long.MinValue / 10 ? long.MinValue : rounded > long.MaxValue / 10 ? long.MaxValue : (long)rounded;
    }
}
