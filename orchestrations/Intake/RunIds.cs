using System.Security.Cryptography;
using System.Text;

namespace Tributary.Orchestrations.Intake;

/// <summary>
/// Deterministic run ids. The run id is also the orchestration instance id, so seeing the same blob
/// version twice maps to the same run and starts nothing new.
/// </summary>
public static class RunIds
{
    /// <summary>Dataset used for blobs that do not sit under a dataset folder; never a valid dataset name.</summary>
    public const string UnassignedDataset = "_unassigned";

    public static string ForBlob(string dataset, string blobName, string etag) => $"{dataset}-{VersionHash(blobName, etag)}";

    /// <summary>The identity of one blob version (name + ETag); names its version claim and arrival record.</summary>
    public static string VersionHash(string blobName, string etag) => Hash($"{blobName}\n{etag.Trim('"')}");

    public static string ForRerun(string originalRunId, int attempt) => $"{originalRunId}-rerun{attempt}";

    /// <summary>A sealed batch window: a function of its members, so re-sealing after a crash gives the same run.</summary>
    public static string ForBatch(string dataset, IEnumerable<string> memberVersionHashes) =>
        $"{dataset}-batch-{Hash(string.Join('\n', memberVersionHashes))}";

    /// <summary>One part of a drop (its files split into runs of at most N, in manifest order): re-sealing gives the same run.</summary>
    public static string ForDrop(string dataset, string dropId, int part) => $"{dataset}-drop-{Hash($"{dropId}\n{part}")}";

    /// <summary>One batch of one page of a backfill: replays and retries give the same run.</summary>
    public static string ForBackfillBatch(string dataset, string backfillId, int page, int batch) =>
        $"{dataset}-bf-{Hash($"{backfillId}\n{page}\n{batch}")}";

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20];
}
