using System.Globalization;
using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Delta's primitive type names (the Spark SQL JSON names the protocol uses in schemaString).</summary>
public static partial class DeltaTypes
{
    public const string String = "string";
    public const string Integer = "integer";
    public const string Long = "long";
    public const string Double = "double";
    public const string Boolean = "boolean";
    public const string Date = "date";
    public const string Timestamp = "timestamp";

    public static string Decimal(int precision, int scale)
    {
        if (precision is < 1 or > 38 || scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), $"decimal({precision},{scale}) is outside Delta's range (precision 1–38, 0 ≤ scale ≤ precision).");
        }

        return string.Create(CultureInfo.InvariantCulture, $"decimal({precision},{scale})");
    }

    public static bool IsDecimal(string type) => DecimalPattern().IsMatch(type);

    /// <summary>
    /// The Delta type of a DuckDB column type, for schemas built from the Parquet we write. Plain TIMESTAMP maps to
    /// <c>timestamp</c> too: our curated values are UTC instants even where the file says isAdjustedToUTC=0
    /// (a reader version 1 table has no timestamp_ntz). Null for types we do not map (nested, binary, …).
    /// </summary>
    public static string? FromDuckDb(string duckDbType)
    {
        var type = duckDbType.Trim().ToUpperInvariant();
        var decimalMatch = DuckDecimalPattern().Match(type);
        if (decimalMatch.Success)
        {
            return Decimal(int.Parse(decimalMatch.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(decimalMatch.Groups[2].Value, CultureInfo.InvariantCulture));
        }

        return type switch
        {
            "VARCHAR" => String,
            "INTEGER" or "SMALLINT" or "TINYINT" or "USMALLINT" or "UTINYINT" => Integer,
            "BIGINT" or "UINTEGER" => Long,
            "DOUBLE" or "FLOAT" => Double,
            "BOOLEAN" => Boolean,
            "DATE" => Date,
            "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" or "TIMESTAMP" or "TIMESTAMP_MS" or "TIMESTAMP_S" or "TIMESTAMP_NS" => Timestamp,
            _ => null,
        };
    }

    [GeneratedRegex(@"^decimal\(\d{1,2},\d{1,2}\)$")]
    private static partial Regex DecimalPattern();

    [GeneratedRegex(@"^DECIMAL\((\d+),\s*(\d+)\)$")]
    private static partial Regex DuckDecimalPattern();
}
