namespace Tributary.Orchestrations.Storage;

/// <summary>The containers of a Tributary storage account. One name for one thing everywhere.</summary>
public static class BlobContainers
{
    public const string Incoming = "incoming";
    public const string Curated = "curated";
    public const string Rejected = "rejected";
    public const string Results = "results";

    /// <summary>Processed inputs, moved out of incoming once their run is committed (input.afterCommit = archive).</summary>
    public const string Archive = "archive";

    /// <summary>Intake claims and other bookkeeping that must survive a restart.</summary>
    public const string State = "tributary-state";

    public static readonly IReadOnlyList<string> All = [Incoming, Curated, Rejected, Results, Archive, State];
}
