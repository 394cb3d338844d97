namespace Tributary.Orchestrations.Tables;

/// <summary>The run's definition changes the table's schema in a way old files would be misread under; names the columns.</summary>
public sealed class TableSchemaException(string dataset, IReadOnlyList<string> columns, IReadOnlyList<string> reasons)
    : Exception($"the definition of '{dataset}' changes the curated table's schema incompatibly (columns {string.Join(", ", columns)}): {string.Join("; ", reasons)}. Only new nullable columns can be added to an existing table.")
{
    public IReadOnlyList<string> Columns { get; } = columns;
}
