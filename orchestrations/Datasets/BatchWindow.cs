namespace Tributary.Orchestrations.Datasets;

/// <summary>
/// How arrivals of a dataset are grouped into runs: a window opens at the first arrival and is sealed into one run
/// at <see cref="MaxFiles"/> files, <see cref="MaxBytes"/> bytes or <see cref="MaxSeconds"/> seconds, whichever
/// comes first. <see cref="MaxSeconds"/> = 0 turns batching off: one run per blob version.
/// </summary>
public sealed record BatchWindow
{
    public static readonly BatchWindow None = new();

    /// <summary>Most files in one run; 0 = no limit by count.</summary>
    public int MaxFiles { get; init; }

    /// <summary>Most bytes in one run (a single larger file still gets its own run); 0 = no limit by size.</summary>
    public long MaxBytes { get; init; }

    /// <summary>Seconds after the window's first arrival at which it is sealed; 0 = no batching.</summary>
    public double MaxSeconds { get; init; }

    public bool IsEnabled => MaxSeconds > 0;

    public IEnumerable<string> Problems(string path)
    {
        if (MaxFiles < 0 || MaxBytes < 0 || MaxSeconds < 0)
        {
            yield return $"{path}: maxFiles, maxBytes and maxSeconds must not be negative";
        }

        if (MaxSeconds > 86_400)
        {
            yield return $"{path}.maxSeconds: at most 86400 (one day)";
        }

        if (!IsEnabled && (MaxFiles > 0 || MaxBytes > 0))
        {
            yield return $"{path}.maxSeconds: must be above 0 when maxFiles or maxBytes is set (0 means one run per blob)";
        }
    }
}
