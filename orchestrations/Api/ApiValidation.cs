using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Api;

/// <summary>
/// Checks every name that reaches storage from outside (dataset, run id, prefix), so a request can only address
/// blobs under its own dataset folder: no traversal, no absolute paths, no odd characters.
/// </summary>
public static partial class ApiValidation
{
    public const int MaxPrefixLength = 512;
    public const int MaxTop = 1000;
    public const int DefaultTop = 50;
    public const int MaxBatchSize = 1000;
    public const int MaxParallel = 32;

    public static string? DatasetProblem(string? dataset) =>
        dataset is not null && DatasetName().IsMatch(dataset)
            ? null
            : $"'{Shown(dataset)}' is not a dataset name: 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit";

    public static string? RunIdProblem(string? runId) =>
        runId is not null && RunId().IsMatch(runId)
            ? null
            : $"'{Shown(runId)}' is not a run id: 1-200 letters, digits, '-' or '_'";

    /// <summary>A prefix is a relative path inside the dataset folder: segments of safe characters, no '.' or '..'.</summary>
    public static string? PrefixProblem(string? prefix)
    {
        if (prefix is null)
        {
            return null;
        }

        if (prefix.Length > MaxPrefixLength)
        {
            return $"prefix: at most {MaxPrefixLength} characters";
        }

        if (prefix.StartsWith('/') || prefix.Contains('\\') || prefix.Contains("//", StringComparison.Ordinal))
        {
            return $"prefix: '{Shown(prefix)}' must be a relative path inside the dataset folder (no leading '/', no '\\', no empty segment)";
        }

        if (!PrefixCharacters().IsMatch(prefix))
        {
            return $"prefix: '{Shown(prefix)}' may contain only letters, digits, ' ', '.', '_', '-', '=' and '/'";
        }

        var segments = prefix.Split('/');
        return segments.Any(s => s is "." or "..")
            ? $"prefix: '{Shown(prefix)}' must not contain '.' or '..' segments"
            : null;
    }

    public static Dictionary<string, string[]> Errors(params (string Field, string? Problem)[] checks) =>
        checks.Where(c => c.Problem is not null).ToDictionary(c => c.Field, c => new[] { c.Problem! });

    /// <summary>Echoes user input in messages safely: bounded and without control characters.</summary>
    public static string Shown(string? value)
    {
        if (value is null)
        {
            return "";
        }

        var clean = new string(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length > 80 ? clean[..80] + "…" : clean;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex DatasetName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_-]{0,199}$")]
    private static partial Regex RunId();

    [GeneratedRegex("^[A-Za-z0-9 ._=/-]*$")]
    private static partial Regex PrefixCharacters();
}
