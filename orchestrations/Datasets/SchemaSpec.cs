namespace Tributary.Orchestrations.Datasets;

public sealed record SchemaSpec
{
    public required IReadOnlyList<ColumnSpec> Columns { get; init; }

    /// <summary>What to do with columns the schema does not name: ignore (drop them) or reject (the row).</summary>
    public string UnknownColumns { get; init; } = UnknownColumnPolicy.Ignore;
}

public static class UnknownColumnPolicy
{
    public const string Ignore = "ignore";
    public const string Reject = "reject";
}

public sealed record ColumnSpec
{
    public required string Name { get; init; }

    /// <summary>string, int, long, double, decimal(p,s), bool, date or timestamp.</summary>
    public required string Type { get; init; }

    public bool Required { get; init; }

    /// <summary>strptime format for date and timestamp columns, e.g. "%Y-%m-%d %H:%M:%S".</summary>
    public string? Format { get; init; }

    /// <summary>Time zone a timestamp's local text is in; stored as UTC.</summary>
    public string? TimeZone { get; init; }

    public double? Min { get; init; }
    public double? Max { get; init; }
    public IReadOnlyList<string>? Allowed { get; init; }
    public string? Pattern { get; init; }
}
