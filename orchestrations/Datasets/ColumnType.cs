using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Datasets;

/// <summary>A schema column type, parsed from its declared name, with its DuckDB spelling.</summary>
public sealed partial record ColumnType(ColumnKind Kind, int Precision = 0, int Scale = 0)
{
    /// <summary>The names definitions use, by kind.</summary>
    private static readonly Dictionary<string, ColumnKind> ByName = new(StringComparer.Ordinal)
    {
        ["string"] = ColumnKind.String,
        ["int"] = ColumnKind.Int,
        ["long"] = ColumnKind.Long,
        ["double"] = ColumnKind.Double,
        ["decimal"] = ColumnKind.Decimal,
        ["bool"] = ColumnKind.Bool,
        ["date"] = ColumnKind.Date,
        ["timestamp"] = ColumnKind.Timestamp,
    };

    public static readonly IReadOnlyList<string> Kinds = [.. ByName.Keys];

    /// <summary>The kind's name as a definition writes it.</summary>
    public string Name => ByName.First(pair => pair.Value == Kind).Key;

    public bool IsNumeric => Kind is ColumnKind.Int or ColumnKind.Long or ColumnKind.Double or ColumnKind.Decimal;

    public bool IsTemporal => Kind is ColumnKind.Date or ColumnKind.Timestamp;

    public string DuckDbType => Kind switch
    {
        ColumnKind.String => "VARCHAR",
        ColumnKind.Int => "INTEGER",
        ColumnKind.Long => "BIGINT",
        ColumnKind.Double => "DOUBLE",
        ColumnKind.Decimal => $"DECIMAL({Precision},{Scale})",
        ColumnKind.Bool => "BOOLEAN",
        ColumnKind.Date => "DATE",
        ColumnKind.Timestamp => "TIMESTAMP",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>The word a rejection reason uses: "'abc' is not a decimal".</summary>
    public string Noun => Kind switch
    {
        ColumnKind.Int or ColumnKind.Long => "an integer",
        ColumnKind.Bool => "a boolean",
        _ => $"a {Name}",
    };

    public static bool TryParse(string text, out ColumnType type)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var match = DecimalPattern().Match(trimmed);
        if (match.Success)
        {
            var precision = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var scale = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            type = new ColumnType(ColumnKind.Decimal, precision, scale);
            return precision is >= 1 and <= 38 && scale >= 0 && scale <= precision;
        }

        if (!ByName.TryGetValue(trimmed, out var kind))
        {
            type = new ColumnType(ColumnKind.String);
            return false;
        }

        type = kind == ColumnKind.Decimal ? new ColumnType(kind, 18, 2) : new ColumnType(kind);
        return true;
    }

    public static ColumnType Parse(string text) =>
        TryParse(text, out var type) ? type : throw new ArgumentException($"'{text}' is not a column type ({string.Join(", ", Kinds)}, decimal(p,s)).");

    [GeneratedRegex(@"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")]
    private static partial Regex DecimalPattern();
}
