using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tributary.Orchestrations.Datasets;

/// <summary>
/// A definition file as JSON text plus the line each path ("schema.columns[2].type") starts on, so an error
/// names the line whether the file was JSON or YAML.
/// </summary>
public sealed class DefinitionSource
{
    private readonly Dictionary<string, int> lines;

    private DefinitionSource(string json, Dictionary<string, int> lines)
    {
        Json = json;
        this.lines = lines;
    }

    public string Json { get; }

    /// <summary>The line of <paramref name="path"/>, or of its nearest parent that has one.</summary>
    public int? LineOf(string path)
    {
        for (var candidate = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path; candidate.Length > 0; candidate = Parent(candidate))
        {
            if (lines.TryGetValue(candidate, out var line))
            {
                return line;
            }
        }

        return null;
    }

    public static DefinitionSource FromJson(string json)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (reader.Read())
            {
                Walk(ref reader, bytes, "", lines);
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the deserializer reports it with its own line and path.
        }

        return new DefinitionSource(json, lines);
    }

    private static void Walk(ref Utf8JsonReader reader, byte[] bytes, string path, Dictionary<string, int> lines)
    {
        if (path.Length > 0)
        {
            lines.TryAdd(path, LineAt(bytes, reader.TokenStartIndex));
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                var child = path.Length == 0 ? name : $"{path}.{name}";
                lines.TryAdd(child, LineAt(bytes, reader.TokenStartIndex));
                reader.Read();
                Walk(ref reader, bytes, child, lines);
            }
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            for (var i = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; i++)
            {
                Walk(ref reader, bytes, $"{path}[{i}]", lines);
            }
        }
    }

    private static int LineAt(byte[] bytes, long offset) => 1 + bytes.AsSpan(0, (int)offset).Count((byte)'\n');

    public static DefinitionSource FromYaml(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (stream.Documents.Count == 0)
            {
                writer.WriteNullValue();
            }
            else
            {
                Write(stream.Documents[0].RootNode, writer, "", lines);
            }
        }

        return new DefinitionSource(Encoding.UTF8.GetString(buffer.ToArray()), lines);
    }

    private static void Write(YamlNode node, Utf8JsonWriter writer, string path, Dictionary<string, int> lines)
    {
        if (path.Length > 0)
        {
            lines.TryAdd(path, (int)node.Start.Line);
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    writer.WritePropertyName(name);
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    lines.TryAdd(child, (int)key.Start.Line);
                    Write(value, writer, child, lines);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Write(sequence.Children[i], writer, $"{path}[{i}]", lines);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(scalar, writer);
                break;
            default:
                throw new YamlException(node.Start, node.End, "unsupported YAML node");
        }
    }

    /// <summary>Plain YAML scalars carry their type (true, 12, 0.5, null); quoted ones are strings.</summary>
    private static void WriteScalar(YamlScalarNode scalar, Utf8JsonWriter writer)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain)
        {
            if (value is "" or "~" or "null" or "Null" or "NULL")
            {
                writer.WriteNullValue();
                return;
            }

            if (value is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            {
                writer.WriteBooleanValue(value.Equals("true", StringComparison.OrdinalIgnoreCase));
                return;
            }

            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                writer.WriteRawValue(value.StartsWith('+') ? value[1..] : value);
                return;
            }
        }

        writer.WriteStringValue(value);
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut > 0 ? path[..cut] : "";
    }
}
