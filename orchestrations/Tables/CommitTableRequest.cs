using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// A succeeded run's one commit to its dataset's curated table: the definition frozen for the run (its schema), the
/// run's inputs with their Last-Modified (to order versions of one name), and the parts with rows.
/// </summary>
public sealed record CommitTableRequest(string RunId, string Dataset, string? DefinitionHash, IReadOnlyList<BlobReference> Inputs, IReadOnlyList<TablePart> Parts);
