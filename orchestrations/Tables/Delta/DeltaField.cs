using System.Text.Json;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>
/// A top-level column. <see cref="Type"/> is a primitive name (<see cref="DeltaTypes"/>); for a struct, array or map
/// read from someone else's table it is that type's JSON, kept verbatim so comparisons and round trips stay exact.
/// </summary>
public sealed record DeltaField(string Name, string Type, bool Nullable = true)
{
    /// <summary>Column metadata (delta.invariants, column mapping, …); empty for the columns we create.</summary>
    public IReadOnlyDictionary<string, JsonElement> Metadata { get; init; } = new Dictionary<string, JsonElement>();

    public bool IsPrimitive => !Type.StartsWith('{');
}
