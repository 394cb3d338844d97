namespace Tributary.Orchestrations.Tables;

/// <summary>The manifest's record of a run's table commit: the curated table version and what it changed.</summary>
public sealed record TableVersion(long Version, int FilesAdded, int FilesRemoved);
