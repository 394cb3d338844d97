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

    public static string ForBlob(string dataset, string blobName, string etag) =>
        $"{dataset}-{Hash($"{blobName}\n{etag.Trim('"')}")}";

    public static string ForRerun(string originalRunId, int attempt) => $"{originalRunId}-rerun{attempt}";

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20];
}
