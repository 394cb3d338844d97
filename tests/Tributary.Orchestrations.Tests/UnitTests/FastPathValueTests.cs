using System.Text;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Processing.FastPath;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>The fast path's value readers: they accept only plain spellings, and read those exactly.</summary>
public sealed class FastPathValueTests
{
    [Theory]
    [InlineData("42", 18, 42L)]
    [InlineData("-7", 18, -7L)]
    [InlineData("007", 18, 7L)]
    [InlineData("999999999", 9, 999999999L)]
    [InlineData("999999999999999999", 18, 999999999999999999L)]
    [InlineData("1000000000", 9, null)]
    [InlineData("+5", 18, null)]
    [InlineData(" 5", 18, null)]
    [InlineData("5 ", 18, null)]
    [InlineData("1e3", 18, null)]
    [InlineData("4.0", 18, null)]
    [InlineData("-", 18, null)]
    [InlineData("", 18, null)]
    public void Integers_are_digits_with_an_optional_minus(string text, int maxDigits, long? expected)
    {
        var ok = SimpleNumbers.TryParseInteger(Encoding.ASCII.GetBytes(text), maxDigits, out var value);
        Assert.Equal(expected, ok ? value : null);
    }

    [Theory]
    [InlineData("12.5", 8, 2, 1250L)]
    [InlineData("12.50", 8, 2, 1250L)]
    [InlineData("-0.01", 8, 2, -1L)]
    [InlineData("12345678", 8, 2, 1234567800L)]
    [InlineData("123456789", 8, 2, null)]
    [InlineData("12.345", 8, 2, null)]
    [InlineData(".5", 8, 2, null)]
    [InlineData("5.", 8, 2, null)]
    [InlineData("5.-1", 8, 2, null)]
    [InlineData("--5", 8, 2, null)]
    [InlineData("1e2", 8, 2, null)]
    public void Decimals_fit_the_declared_precision_and_scale(string text, int integerDigits, int scale, long? expected)
    {
        var ok = SimpleNumbers.TryParseDecimal(Encoding.ASCII.GetBytes(text), integerDigits, scale, out var unscaled);
        Assert.Equal(expected, ok ? unscaled : null);
    }

    [Fact]
    public void Doubles_read_like_the_full_parser_on_every_plain_spelling()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var whole = random.NextInt64(0, 10_000_000_000L).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var fraction = random.Next(0, 3) == 0 ? string.Empty : "." + random.NextInt64(0, 10_000_000_000L).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(random.Next(1, 12), '0');
            var text = (random.Next(0, 4) == 0 ? "-" : string.Empty) + whole + fraction;
            Assert.True(SimpleNumbers.TryParseDouble(Encoding.ASCII.GetBytes(text), out var value), text);
            Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), value);
        }

        foreach (var refused in new[] { "1e3", "inf", "NaN", ".5", "5.", "+1", " 1", "0x10", "1,5", string.Empty })
        {
            Assert.False(SimpleNumbers.TryParseDouble(Encoding.ASCII.GetBytes(refused), out _), refused);
        }
    }

    [Theory]
    [InlineData("%Y-%m-%d %H:%M:%S", "2024-02-29 23:59:58", "2024-02-29 23:59:58")]
    [InlineData("%d/%m/%Y", "01/06/2024", "2024-06-01 00:00:00")]
    [InlineData("%Y%m%dT%H%M", "20240601T0930", "2024-06-01 09:30:00")]
    [InlineData("%Y-%m-%d %H:%M:%S", "2023-02-29 10:00:00", null)]
    [InlineData("%Y-%m-%d %H:%M:%S", "2024-06-01 24:00:00", null)]
    [InlineData("%Y-%m-%d %H:%M:%S", "2024-6-1 12:00:00", null)]
    [InlineData("%Y-%m-%d %H:%M:%S", "2024-06-01T12:00:00", null)]
    [InlineData("%Y-%m-%d %H:%M:%S", "0000-06-01 12:00:00", null)]
    public void Timestamps_match_the_template_with_fixed_widths(string format, string text, string? expected)
    {
        var template = TimestampTemplate.TryCreate(format)!;
        var ok = template.TryParse(Encoding.ASCII.GetBytes(text), out var time);
        var written = new byte[19];
        Assert.Equal(expected, ok ? Encoding.ASCII.GetString(written, 0, CanonicalTime.WriteTimestamp(time, written)) : null);
    }

    [Theory]
    [InlineData("%Y-%m-%d %H:%M:%S.%f")]
    [InlineData("%y-%m-%d")]
    [InlineData("%Y-%m")]
    [InlineData("%Y-%m-%d %I:%M %p")]
    [InlineData("%Y-%m-%d%%")]
    public void Formats_with_other_specifiers_have_no_template(string format) => Assert.Null(TimestampTemplate.TryCreate(format));

    [Fact]
    public void Civil_time_arithmetic_agrees_with_the_framework()
    {
        var random = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var at = new DateTime(1, 1, 1).AddSeconds(random.NextInt64(0, (long)(new DateTime(9998, 12, 31) - new DateTime(1, 1, 1)).TotalSeconds));
            var time = new CivilTime(at.Year, at.Month, at.Day, (int)at.TimeOfDay.TotalSeconds);
            Assert.Equal((long)(at.Date - DateTime.UnixEpoch).TotalDays, time.DaysSinceEpoch);
            var shift = random.Next(-14 * 3600, 14 * 3600);
            var moved = time.AddSeconds(shift);
            var expected = at.AddSeconds(shift);
            Assert.Equal((expected.Year, expected.Month, expected.Day, (int)expected.TimeOfDay.TotalSeconds), (moved.Year, moved.Month, moved.Day, moved.SecondOfDay));
        }
    }

    [Theory]
    [InlineData("(?i)abc")]
    [InlineData("[a-z-[aeiou]]+")]
    [InlineData("[[:alpha:]]+")]
    [InlineData("(a)\\1")]
    [InlineData("\\p{L}+")]
    [InlineData("(?=a)a")]
    [InlineData("\\bword\\b")]
    [InlineData("x{,3}")]
    [InlineData("é+")]
    public void Patterns_the_engines_may_read_differently_stay_with_duckdb(string pattern) => Assert.Null(PatternSubset.TryCreate(pattern));

    [Theory]
    [InlineData("^[A-Z][A-Za-z .'-]+$", "AZaz .'-1é")]
    [InlineData("[0-9]{3}-[0-9]{4}", "0189-a")]
    [InlineData("(ab|cd)*e?", "abcde")]
    [InlineData("\\d+\\.\\d{2}", "019.")]
    [InlineData("\\w+@\\w+\\.com", "a_1@.com")]
    [InlineData("a.c|[^x]+", "acx. ")]
    [InlineData("\\s*x\\S*", " x\ty")]
    [InlineData("[]a]+|[^]b]", "]ab")]
    public void Portable_patterns_full_match_exactly_what_duckdb_matches(string pattern, string alphabet)
    {
        var regex = PatternSubset.TryCreate(pattern);
        Assert.NotNull(regex);
        var random = new Random(pattern.Length);
        var values = Enumerable.Range(0, 3000).Select(_ => new string([.. Enumerable.Range(0, random.Next(0, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])])).Distinct().ToList();

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT regexp_full_match($value, $pattern)";
        var mismatches = new List<string>();
        foreach (var value in values)
        {
            command.Parameters.Clear();
            command.Parameters.Add(new DuckDBParameter("value", value));
            command.Parameters.Add(new DuckDBParameter("pattern", pattern));
            var duckdb = (bool)command.ExecuteScalar()!;
            var bytes = Encoding.UTF8.GetBytes(value);
            if (PatternSubset.IsPrintableAscii(bytes) && regex!.IsMatch(value) != duckdb)
            {
                mismatches.Add($"'{value}': duckdb {duckdb}");
            }
        }

        Assert.Empty(mismatches);
    }
}
