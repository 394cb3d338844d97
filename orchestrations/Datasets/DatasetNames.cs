using System.Text.RegularExpressions;

namespace Tributary.Orchestrations.Datasets;

/// <summary>
/// What a dataset name may be. A name becomes a folder in every container (and a path in URLs, where '..' would climb
/// to another container once the URI is normalised), so it is one safe segment: no '/', '\', '..', nothing absolute.
/// </summary>
public static partial class DatasetNames
{
    /// <summary>Why <paramref name="name"/> cannot name a dataset, or null when it can.</summary>
    public static string? Problem(string? name) =>
        name is not null && Pattern().IsMatch(name)
            ? null
            : $"'{name}' must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit (no '/', '\\', '..' or absolute paths)";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex Pattern();
}
