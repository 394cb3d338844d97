using System.Text.Json;

namespace Tributary.Orchestrations.Processing;

/// <summary>Streams rejected rows to a JSON lines file, one object per row.</summary>
public sealed class RejectedRowWriter : IDisposable
{
    private readonly FileStream file;
    private readonly Utf8JsonWriter json;

    public RejectedRowWriter(string path)
    {
        file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        json = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public long Count { get; private set; }

    public void Write(RejectedRow row)
    {
        json.Reset(file);
        json.WriteStartObject();
        json.WriteString("file", row.File);
        if (row.Line is { } line)
        {
            json.WriteNumber("line", line);
        }
        else
        {
            json.WriteNull("line");
        }

        json.WriteNumber("record", row.Record);
        json.WriteString("original", row.Original);
        json.WriteStartArray("reasons");
        foreach (var reason in row.Reasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        file.WriteByte((byte)'\n');
        Count++;
    }

    public void Dispose()
    {
        json.Dispose();
        file.Dispose();
    }
}
