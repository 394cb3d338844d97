using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Tributary.Orchestrations.Api;
using Tributary.Orchestrations.Tables;

namespace Tributary.Cli.Commands;

/// <summary>A query's rows as a readable table (tab-separated off a terminal), one JSON document (an array of objects), or CSV with a header.</summary>
public static class QueryOutput
{
    /// <summary>A box on a terminal; off one, tab-separated lines (a null is empty), as every table of the CLI.</summary>
    public static void WriteTable(QueryResult result) =>
        CliOutput.WriteTable(
            result.Columns,
            result.Rows.Select(row => (IReadOnlyList<(string Text, string? Markup)>)row.Select(value => value is null ? ("", "[grey]null[/]") : (Text(value), (string?)null)).ToList()));

    public static void WriteJson(QueryResult result, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (var row in result.Rows)
        {
            writer.WriteStartObject();
            for (var i = 0; i < row.Length; i++)
            {
                writer.WritePropertyName(result.Columns[i]);
                WriteValue(writer, row[i]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.Flush();
        output.Write("\n"u8);
    }

    public static void WriteCsv(QueryResult result, TextWriter output)
    {
        output.Write(string.Join(",", result.Columns.Select(Csv)) + "\n");
        foreach (var row in result.Rows)
        {
            output.Write(string.Join(",", row.Select(value => value is null ? "" : Csv(Text(value)))) + "\n");
        }
    }

    /// <summary>Invariant text of a DuckDB value: ISO dates and times, numbers with a dot.</summary>
    public static string Text(object value) => value switch
    {
        DateTime { Kind: DateTimeKind.Utc } t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long or int or short or sbyte or byte or ushort or uint or ulong or decimal or BigInteger:
                writer.WriteRawValue(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture)); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            default: writer.WriteStringValue(Text(value)); break;
        }
    }

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
