using System.Globalization;

namespace Tributary.Orchestrations.Processing;

/// <summary>Quoting for SQL text we generate; every literal and identifier goes through here.</summary>
public static class SqlText
{
    public static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    public static string Identifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string List(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Literal))}]";
}
