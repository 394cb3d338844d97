using System.Collections.Concurrent;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// The newest curated table version this host has committed (or found committed) per dataset, with the definition hash
/// of the run that made it. Written by <see cref="TableCommitter"/>; read by the aggregate refresh, which may refresh to
/// it instead of an older version when both runs aggregate with the same definition.
/// </summary>
public sealed class NewestTableVersions
{
    private readonly ConcurrentDictionary<string, (long Version, string? DefinitionHash)> newest = new(StringComparer.Ordinal);

    /// <summary>The newest version of <paramref name="dataset"/> known here if its run used <paramref name="definitionHash"/>; else null.</summary>
    public long? Of(string dataset, string? definitionHash) =>
        newest.TryGetValue(dataset, out var known) && string.Equals(known.DefinitionHash, definitionHash, StringComparison.Ordinal) ? known.Version : null;

    public void Saw(string dataset, long version, string? definitionHash) =>
        newest.AddOrUpdate(dataset, (version, definitionHash), (_, known) => version > known.Version ? (version, definitionHash) : known);
}
