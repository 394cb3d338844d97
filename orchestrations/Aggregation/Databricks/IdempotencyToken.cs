using System.Security.Cryptography;
using System.Text;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Idempotency tokens for Jobs API <c>run-now</c>: Databricks guarantees that exactly one run is launched per token
/// (at most 64 characters), so a retried start of the same Tributary run never starts a second Databricks run.
/// </summary>
public static class IdempotencyToken
{
    /// <summary>Prefix of every token.</summary>
    public const string Prefix = "tributary-";

    /// <summary>Maximum token length accepted by the Jobs API.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// <c>"tributary-" + 32 hex chars of SHA-256(runId)</c> (42 chars). <paramref name="attempt"/> &gt; 0 derives a
    /// different token, for a deliberate second Databricks run of the same Tributary run (e.g. after a failed one).
    /// </summary>
    public static string FromRunId(string runId, int attempt = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var material = attempt == 0 ? runId : $"{runId}#attempt={attempt}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(material));
        return Prefix + Convert.ToHexStringLower(hash, 0, 16);
    }
}
