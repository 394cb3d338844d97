using System.Globalization;
using System.Text;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Names in <c>_delta_log/</c> and the URI encoding of data file paths in add/remove actions.</summary>
public static class DeltaPaths
{
    public const string LogFolder = "_delta_log/";

    public const string LastCheckpoint = "_delta_log/_last_checkpoint";

    /// <summary>Versions are zero-padded to 20 digits so that lexicographic order is version order.</summary>
    public static string Commit(long version) => $"{LogFolder}{version:D20}.json";

    public static string Checkpoint(long version) => $"{LogFolder}{version:D20}.checkpoint.parquet";

    /// <summary>The version of a commit file name (<c>…/00000000000000000007.json</c>), or null for anything else.</summary>
    public static long? CommitVersion(string path) => VersionOf(path, ".json");

    /// <summary>The version of a classic single-file checkpoint; multi-part and UUID-named ones are not ours and are ignored.</summary>
    public static long? CheckpointVersion(string path) => VersionOf(path, ".checkpoint.parquet");

    /// <summary>
    /// A relative path as a URI reference (RFC 2396), as the protocol wants in <c>path</c>: each segment percent-encodes
    /// everything but unreserved characters and '=' (partition folders stay readable), in UTF-8, so '%', spaces, '#', '?'
    /// and non-ASCII round-trip through any URI decoder (Spark's included).
    /// </summary>
    public static string Encode(string relativePath)
    {
        if (relativePath.StartsWith('/') || relativePath.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Data file paths are relative to the table root: '{relativePath}'.", nameof(relativePath));
        }

        var encoded = new StringBuilder(relativePath.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
        {
            var c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' or '/' or '=')
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    /// <summary>The storage path of an action's <c>path</c>.</summary>
    public static string Decode(string uriPath) => Uri.UnescapeDataString(uriPath);

    private static long? VersionOf(string path, string suffix)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (name.Length != 20 + suffix.Length || !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        return long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}
