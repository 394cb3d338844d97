using System.Globalization;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tables;

/// <summary>
/// The <c>tags</c> of a curated part's add: which run wrote it and which input version its rows came from. The commit
/// rule (<see cref="TableCommitPlanner"/>) finds an input's active files and compares versions through them.
/// </summary>
public static class PartTags
{
    public const string RunId = "runId";
    public const string Input = "input";
    public const string ETag = "etag";
    public const string InputModified = "inputModified";

    public static Dictionary<string, string> Of(string runId, BlobReference input)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [RunId] = runId, [Input] = input.Name, [ETag] = input.ETag };
        if (input.LastModified is { } modified)
        {
            tags[InputModified] = modified.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        }

        return tags;
    }

    public static string? InputOf(IReadOnlyDictionary<string, string>? tags) => tags is not null && tags.TryGetValue(Input, out var name) ? name : null;

    public static string? ETagOf(IReadOnlyDictionary<string, string>? tags) => tags is not null && tags.TryGetValue(ETag, out var etag) ? etag : null;

    public static DateTimeOffset? ModifiedOf(IReadOnlyDictionary<string, string>? tags) =>
        tags is not null && tags.TryGetValue(InputModified, out var text) &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var modified)
            ? modified
            : null;
}
