using System.Globalization;
using System.Text;

namespace Tributary.Orchestrations.Samples;

/// <summary>
/// Seeded generator of realistic taxi trips. The same seed always gives the same bytes, so demos and
/// tests are reproducible. About <see cref="BadRowShare"/> of the rows are deliberately invalid.
/// </summary>
public sealed class TaxiTripGenerator(int seed)
{
    public const double BadRowShare = 0.02;

    public static readonly string[] Columns =
    [
        "trip_id", "pickup_at", "dropoff_at", "pickup_zone", "dropoff_zone", "passenger_count",
        "trip_distance", "fare_amount", "tip_amount", "payment_type",
    ];

    private static readonly string[] Zones =
    [
        "Midtown Center", "Upper East Side South", "JFK Airport", "LaGuardia Airport", "Times Sq", "Union Sq",
        "East Village", "Clinton East", "Murray Hill", "Lincoln Square East", "Penn Station", "Financial District North",
        "Williamsburg", "Astoria", "Park Slope", "Harlem", "Chelsea", "SoHo", "Battery Park", "Gramercy",
    ];

    private static readonly string[] PaymentTypes = ["card", "card", "card", "cash", "cash", "no_charge", "dispute"];

    private static readonly DateTime Start = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private readonly Random random = new(seed);

    public IEnumerable<string[]> Rows(int count, long firstTripId = 1)
    {
        for (var i = 0; i < count; i++)
        {
            var row = GoodRow(firstTripId + i);
            if (random.NextDouble() < BadRowShare)
            {
                Spoil(row);
            }

            yield return row;
        }
    }

    public void WriteCsv(TextWriter writer, int count, long firstTripId = 1)
    {
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var row in Rows(count, firstTripId))
        {
            writer.Write(string.Join(',', row.Select(CsvField)));
            writer.Write('\n');
        }
    }

    public void WriteJsonLines(TextWriter writer, int count, long firstTripId = 1)
    {
        var line = new StringBuilder();
        foreach (var row in Rows(count, firstTripId))
        {
            line.Clear().Append('{');
            for (var c = 0; c < Columns.Length; c++)
            {
                if (c > 0)
                {
                    line.Append(',');
                }

                line.Append('"').Append(Columns[c]).Append("\":");
                line.Append(row[c].Length == 0 ? "null" : System.Text.Json.JsonSerializer.Serialize(row[c]));
            }

            writer.Write(line.Append("}\n"));
        }
    }

    private string[] GoodRow(long tripId)
    {
        var pickup = Start.AddSeconds(random.Next(0, 7 * 24 * 3600));
        var distance = Math.Round(0.3 + (random.NextDouble() * random.NextDouble() * 25), 2);
        var minutes = (int)(distance * 3 + random.Next(2, 15));
        var fare = Math.Round(3.0 + (distance * 2.5) + (minutes * 0.5), 2);
        var payment = PaymentTypes[random.Next(PaymentTypes.Length)];
        var tip = payment == "card" ? Math.Round(fare * random.Next(0, 26) / 100.0, 2) : 0.0;
        return
        [
            tripId.ToString(CultureInfo.InvariantCulture),
            pickup.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            pickup.AddMinutes(minutes).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            Zones[random.Next(Zones.Length)],
            Zones[random.Next(Zones.Length)],
            random.Next(1, 7).ToString(CultureInfo.InvariantCulture),
            distance.ToString("0.00", CultureInfo.InvariantCulture),
            fare.ToString("0.00", CultureInfo.InvariantCulture),
            tip.ToString("0.00", CultureInfo.InvariantCulture),
            payment,
        ];
    }

    /// <summary>The kinds of damage real feeds carry: bad numbers, out-of-range values, gaps, unknown codes.</summary>
    private void Spoil(string[] row)
    {
        switch (random.Next(5))
        {
            case 0: row[7] = "abc"; break;
            case 1: row[5] = "12"; break;
            case 2: row[1] = ""; break;
            case 3: row[9] = "bitcoin"; break;
            default: row[6] = "-4.20"; break;
        }
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
