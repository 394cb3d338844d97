using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>The table schema: a struct of fields, serialized as the protocol's schemaString (Spark's JSON schema).</summary>
public sealed record DeltaSchema(IReadOnlyList<DeltaField> Fields)
{
    public DeltaSchema(params DeltaField[] fields)
        : this((IReadOnlyList<DeltaField>)fields)
    {
    }

    public DeltaField? Find(string name) =>
        Fields.FirstOrDefault(field => string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The schemaString: <c>{"type":"struct","fields":[{"name":…,"type":…,"nullable":…,"metadata":{}}]}</c>.</summary>
    public string ToSchemaString()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "struct");
            writer.WriteStartArray("fields");
            foreach (var field in Fields)
            {
                // The protocol: column names must be unique regardless of case.
                if (!names.Add(field.Name))
                {
                    throw new ArgumentException($"Column '{field.Name}' appears twice (names are compared ignoring case).");
                }

                writer.WriteStartObject();
                writer.WriteString("name", field.Name);
                writer.WritePropertyName("type");
                if (field.IsPrimitive)
                {
                    writer.WriteStringValue(field.Type);
                }
                else
                {
                    writer.WriteRawValue(field.Type);
                }

                writer.WriteBoolean("nullable", field.Nullable);
                writer.WriteStartObject("metadata");
                foreach (var (key, value) in field.Metadata)
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static DeltaSchema Parse(string schemaString)
    {
        using var document = JsonDocument.Parse(schemaString);
        var root = document.RootElement;
        if (!root.TryGetProperty("type", out var type) || type.GetString() != "struct" || !root.TryGetProperty("fields", out var fields))
        {
            throw new FormatException("A Delta schemaString is a JSON struct type with fields.");
        }

        var parsed = new List<DeltaField>();
        foreach (var field in fields.EnumerateArray())
        {
            var fieldType = field.GetProperty("type");
            var metadata = new Dictionary<string, JsonElement>();
            if (field.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in meta.EnumerateObject())
                {
                    metadata[property.Name] = property.Value.Clone();
                }
            }

            parsed.Add(new DeltaField(
                field.GetProperty("name").GetString()!,
                fieldType.ValueKind == JsonValueKind.String ? fieldType.GetString()! : fieldType.GetRawText(),
                !field.TryGetProperty("nullable", out var nullable) || nullable.GetBoolean())
            {
                Metadata = metadata,
            });
        }

        return new DeltaSchema(parsed);
    }

    /// <summary>Whether <paramref name="proposed"/> can replace this schema; see <see cref="DeltaSchemaComparison"/>.</summary>
    public DeltaSchemaComparison CompareTo(DeltaSchema proposed) => DeltaSchemaComparison.Compare(this, proposed);
}
