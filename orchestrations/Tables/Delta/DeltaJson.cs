using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>The one set of JSON options for log actions: camelCase as the protocol names fields, absent rather than null for optional ones.</summary>
internal static class DeltaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Unicode and '=' in paths stay readable in the log (Spark writes them unescaped too); still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
