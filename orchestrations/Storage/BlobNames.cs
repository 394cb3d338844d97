namespace Tributary.Orchestrations.Storage;

/// <summary>
/// Input blob names the pipeline refuses before any storage call: names Azure Storage rejects (400 InvalidResourceName)
/// or that read as a path escape. Their file is quarantined under a safe name with this reason.
/// </summary>
public static class BlobNames
{
    /// <summary>Azure Storage's limit on a blob name, in characters.</summary>
    public const int MaxLength = 1024;

    /// <summary>Why <paramref name="name"/> cannot be taken in, or null when it can.</summary>
    public static string? ProblemOf(string name)
    {
        var shown = name.Length > 200 ? name[..200] + "…" : name;
        if (name.Length > MaxLength)
        {
            return $"the blob name is {name.Length:N0} characters, longer than storage's limit of {MaxLength}; rename the file";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return $"the blob name '{shown}' contains a backslash, which is not allowed (a path separator or escape attempt); rename the file";
        }

        if (name.Split('/').Any(s => s is "." or ".."))
        {
            return $"the blob name '{shown}' contains a '.' or '..' path segment, which is not allowed; rename the file";
        }

        if (name.Any(char.IsControl))
        {
            return $"the blob name '{Sanitize(shown)}' contains a control character, which storage does not accept; rename the file";
        }

        return name.EndsWith('.') || name.EndsWith('/')
            ? $"the blob name '{shown}' ends with '{name[^1]}', which storage does not accept; rename the file"
            : null;
    }

    /// <summary>One safe path segment standing for <paramref name="name"/> (path separators and control characters replaced).</summary>
    public static string Sanitize(string name) =>
        new(name.Select(ch => ch is '/' or '\\' || char.IsControl(ch) ? '_' : ch).ToArray());
}
