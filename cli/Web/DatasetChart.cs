using System.Text.Json.Serialization;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Api;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Cli.Web;

/// <summary>
/// The data of the dataset page's chart: one measure of the aggregate over its first group key (x), one series per value
/// of the second key (the largest few). No re-aggregation: each point is a row of the aggregate.
/// </summary>
/// <param name="X">Seconds since the epoch when <see cref="XIsTime"/>, else 0, 1, 2… indexing <see cref="XLabels"/>.</param>
public sealed record ChartData(
    string Measure,
    string XName,
    bool XIsTime,
    IReadOnlyList<double> X,
    IReadOnlyList<string>? XLabels,
    IReadOnlyList<ChartSeries> Series,
    [property: JsonPropertyName("curatedVersion")] long CuratedVersion);

public sealed record ChartSeries(string Name, IReadOnlyList<double?> Values);

public static class DatasetChart
{
    public const int MaxSeries = 8;
    public const int MaxRows = 20_000;

    public static async Task<ChartData> ReadAsync(DatasetQuery query, string dataset, AggregationSpec spec, MeasureSpec measure, CancellationToken cancellationToken)
    {
        var x = spec.GroupBy[0].Name;
        var series = spec.GroupBy.Count > 1 ? $"CAST({Identifier(spec.GroupBy[1].Name)} AS VARCHAR)" : "NULL";
        var result = await query.RunAsync(
            dataset,
            $"SELECT {Identifier(x)}, {series}, CAST({Identifier(measure.Name)} AS DOUBLE) FROM aggregate ORDER BY 1, 2 LIMIT {MaxRows}",
            cancellationToken: cancellationToken);

        var rows = result.Rows;
        var isTime = rows.Count > 0 && rows.All(r => r[0] is null or DateTime or DateTimeOffset or DateOnly);
        var keys = rows.Select(r => r[0]).Where(v => v is not null).Distinct().ToList();
        var index = keys.Select((key, i) => (key, i)).ToDictionary(p => p.key!, p => p.i);
        var names = rows.GroupBy(r => (string?)r[1] ?? measure.Name).OrderByDescending(g => g.Count()).Take(MaxSeries).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        var values = names.ToDictionary(n => n, _ => new double?[keys.Count], StringComparer.Ordinal);
        foreach (var row in rows.Where(r => r[0] is not null))
        {
            if (values.TryGetValue((string?)row[1] ?? measure.Name, out var line))
            {
                line[index[row[0]!]] = row[2] is double value ? value : null;
            }
        }

        return new ChartData(
            measure.Name,
            x,
            isTime,
            isTime ? keys.Select(Seconds).ToList() : Enumerable.Range(0, keys.Count).Select(i => (double)i).ToList(),
            isTime ? null : keys.Select(Html.Text).ToList(),
            names.Select(n => new ChartSeries(n, values[n])).ToList(),
            result.CuratedVersion);
    }

    private static double Seconds(object? value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeSeconds(),
        DateTimeOffset time => time.ToUnixTimeSeconds(),
        DateOnly day => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds(),
        _ => 0,
    };
}
