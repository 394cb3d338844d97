using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Processing;

/// <summary>A whole input file that could not be processed row by row, and why.</summary>
public sealed record QuarantinedFile(BlobReference Input, string Reason, string? QuarantinePath);
