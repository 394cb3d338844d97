using Tributary.Orchestrations.Datasets;

namespace Tributary.Orchestrations.Processing.Text;

/// <summary>How records and fields are separated in a text file: a quote may hide delimiters and newlines.</summary>
public sealed record TextDialect(byte Delimiter, byte? Quote)
{
    /// <summary>JSON lines: a raw newline never occurs inside a JSON value, so every newline ends a record.</summary>
    public static readonly TextDialect JsonLines = new((byte)'\n', null);

    public static TextDialect Of(DatasetDefinition dataset, DataFormat format) => format == DataFormat.Csv
        ? new TextDialect((byte)dataset.Input.Csv.Delimiter[0], dataset.Input.Csv.Quote.Length == 1 ? (byte)dataset.Input.Csv.Quote[0] : null)
        : JsonLines;
}
