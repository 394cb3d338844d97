namespace Tributary.Orchestrations.Tables.Delta;

public enum DeltaSchemaChange
{
    /// <summary>Same columns, types and nullability.</summary>
    Same,

    /// <summary>Only new nullable columns: old files simply read as null there, so the table can evolve in place.</summary>
    NewNullableColumns,

    /// <summary>Anything else (a column dropped, retyped, renamed in case, made non-null, or new and non-null): old files would be misread.</summary>
    Incompatible,
}

/// <summary>The outcome of comparing the table's schema with a proposed one, naming the columns involved.</summary>
public sealed record DeltaSchemaComparison(DeltaSchemaChange Change, IReadOnlyList<string> AddedColumns, IReadOnlyList<string> IncompatibleColumns, IReadOnlyList<string> Reasons)
{
    public bool IsAllowed => Change != DeltaSchemaChange.Incompatible;

    public static DeltaSchemaComparison Compare(DeltaSchema current, DeltaSchema proposed)
    {
        var added = new List<string>();
        var incompatible = new List<string>();
        var reasons = new List<string>();

        foreach (var field in current.Fields)
        {
            var match = proposed.Find(field.Name);
            if (match is null)
            {
                incompatible.Add(field.Name);
                reasons.Add($"column '{field.Name}' is missing");
            }
            else if (match.Name != field.Name)
            {
                incompatible.Add(field.Name);
                reasons.Add($"column '{field.Name}' is renamed to '{match.Name}'");
            }
            else if (match.Type != field.Type)
            {
                incompatible.Add(field.Name);
                reasons.Add($"column '{field.Name}' changes type from {field.Type} to {match.Type}");
            }
            else if (match.Nullable != field.Nullable)
            {
                incompatible.Add(field.Name);
                reasons.Add($"column '{field.Name}' changes from {(field.Nullable ? "nullable" : "not null")} to {(match.Nullable ? "nullable" : "not null")}");
            }
        }

        foreach (var field in proposed.Fields.Where(field => current.Find(field.Name) is null))
        {
            if (field.Nullable)
            {
                added.Add(field.Name);
            }
            else
            {
                incompatible.Add(field.Name);
                reasons.Add($"new column '{field.Name}' is not nullable (existing files have no value for it)");
            }
        }

        var change = incompatible.Count > 0 ? DeltaSchemaChange.Incompatible
            : added.Count > 0 ? DeltaSchemaChange.NewNullableColumns
            : DeltaSchemaChange.Same;
        return new DeltaSchemaComparison(change, added, incompatible, reasons);
    }

    public override string ToString() => Change switch
    {
        DeltaSchemaChange.Same => "same schema",
        DeltaSchemaChange.NewNullableColumns => $"new nullable columns: {string.Join(", ", AddedColumns)}",
        _ => $"incompatible: {string.Join("; ", Reasons)}",
    };
}
