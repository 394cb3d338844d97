using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Datasets;

/// <summary>A schema column type, parsed from its declared name, with its DuckDB spelling.</summary>
public sealed partial record ColumnType(string Kind, int Precision = 0, int Scale = 0)
{
    public static readonly IReadOnlyList<string> Kinds = ["string", "int", "long", "double", "decimal", "bool", "date", "timestamp"];

    public bool IsNumeric => Kind is "int" or "long" or "double" or "decimal";

    public bool IsTemporal => Kind is "date" or "timestamp";

    public string DuckDbType => Kind switch
    {
        "string" => "VARCHAR",
        "int" => "INTEGER",
        "long" => "BIGINT",
        "double" => "DOUBLE",
        "decimal" => $"DECIMAL({Precision},{Scale})",
        "bool" => "BOOLEAN",
        "date" => "DATE",
        "timestamp" => "TIMESTAMP",
        _ => throw new InvalidOperationException(Kind),
    };

    /// <summary>The word a rejection reason uses: "'abc' is not a decimal".</summary>
    public string Noun => Kind switch
    {
        "int" or "long" => "an integer",
        "bool" => "a boolean",
        _ => $"a {Kind}",
    };

    public static bool TryParse(string text, out ColumnType type)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var match = DecimalPattern().Match(trimmed);
        if (match.Success)
        {
            var precision = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var scale = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            type = new ColumnType("decimal", precision, scale);
            return precision is >= 1 and <= 38 && scale >= 0 && scale <= precision;
        }

        type = new ColumnType(trimmed == "decimal" ? "decimal" : trimmed, trimmed == "decimal" ? 18 : 0, trimmed == "decimal" ? 2 : 0);
        return Kinds.Contains(trimmed);
    }

    public static ColumnType Parse(string text) =>
        TryParse(text, out var type) ? type : throw new ArgumentException($"'{text}' is not a column type ({string.Join(", ", Kinds)}, decimal(p,s)).");

    [GeneratedRegex(@"^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")]
    private static partial Regex DecimalPattern();
}
