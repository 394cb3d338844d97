namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>A proleptic Gregorian date and a second of its day, with the integer arithmetic the fast path needs.</summary>
public readonly record struct CivilTime(int Year, int Month, int Day, int SecondOfDay)
{
    public const long MicrosecondsPerDay = 86_400_000_000L;

    /// <summary>Days since 1970-01-01 (H. Hinnant's days_from_civil).</summary>
    public long DaysSinceEpoch
    {
        get
        {
            var y = Month <= 2 ? Year - 1 : Year;
            var era = (y >= 0 ? y : y - 399) / 400;
            var yearOfEra = y - (era * 400);
            var dayOfYear = ((153 * (Month > 2 ? Month - 3 : Month + 9)) + 2) / 5 + Day - 1;
            var dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
            return (era * 146_097L) + dayOfEra - 719_468;
        }
    }

    public long MicrosecondsSinceEpoch => (DaysSinceEpoch * MicrosecondsPerDay) + (SecondOfDay * 1_000_000L);

    public static int DaysInMonth(int year, int month) => month == 2
        ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28)
        : (month is 4 or 6 or 9 or 11 ? 30 : 31);

    /// <summary>The same instant moved by whole <paramref name="seconds"/> (a zone offset); the date is recomputed only when the day changes.</summary>
    public CivilTime AddSeconds(long seconds)
    {
        var second = SecondOfDay + seconds;
        if (second is >= 0 and < 86_400)
        {
            return this with { SecondOfDay = (int)second };
        }

        var dayShift = (int)Math.Floor(second / 86_400.0);
        DateOnly.FromDayNumber(new DateOnly(Year, Month, Day).DayNumber + dayShift).Deconstruct(out var year, out var month, out var day);
        return new CivilTime(year, month, day, (int)(second - (dayShift * 86_400L)));
    }
}
