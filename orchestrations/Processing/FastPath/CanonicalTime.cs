namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>Writes times in the ISO 8601 spelling DuckDB's CSV reader casts without a format: "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd".</summary>
public static class CanonicalTime
{
    /// <summary>Writes "yyyy-MM-dd HH:mm:ss"; returns the length (19).</summary>
    public static int WriteTimestamp(CivilTime time, Span<byte> target)
    {
        WriteDate(time, target);
        target[10] = (byte)' ';
        Two(target[11..], time.SecondOfDay / 3600);
        target[13] = (byte)':';
        Two(target[14..], time.SecondOfDay / 60 % 60);
        target[16] = (byte)':';
        Two(target[17..], time.SecondOfDay % 60);
        return 19;
    }

    /// <summary>Writes "yyyy-MM-dd"; returns the length (10).</summary>
    public static int WriteDate(CivilTime time, Span<byte> target)
    {
        Two(target, time.Year / 100);
        Two(target[2..], time.Year % 100);
        target[4] = (byte)'-';
        Two(target[5..], time.Month);
        target[7] = (byte)'-';
        Two(target[8..], time.Day);
        return 10;
    }

    private static void Two(Span<byte> target, int value)
    {
        target[0] = (byte)('0' + (value / 10));
        target[1] = (byte)('0' + (value % 10));
    }
}
