using Tributary.Orchestrations.Intake;

namespace Tributary.Cli.Commands;

/// <summary>One drop of a folder: the upload-order indices of its files, and how many of their uploads are still in flight.</summary>
public sealed class DropPart(string id, TimeSpan openedAt)
{
    public string Id { get; } = id;

    public TimeSpan OpenedAt { get; } = openedAt;

    public List<int> Files { get; } = [];

    internal int Pending { get; set; }

    internal bool Closed { get; set; }

    /// <summary>What each of its files carries, so intake holds them back until the manifest arrives.</summary>
    public Dictionary<string, string> Metadata => new() { [DropMetadata.DropKey] = Id };
}
