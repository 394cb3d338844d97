using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tables;

/// <summary>The curated table's Delta schema, from the dataset definition's columns.</summary>
public static class TableSchemas
{
    /// <summary>
    /// Every column is nullable: optional columns hold nulls, and a later definition that relaxes "required" must not
    /// count as an incompatible change (Delta's not-null would also oblige writers to enforce it).
    /// </summary>
    public static DeltaSchema Of(DatasetDefinition definition) =>
        new(definition.Schema.Columns.Select(c => new DeltaField(c.Name, DeltaTypeOf(ColumnType.Parse(c.Type)), Nullable: true)).ToList());

    public static string DeltaTypeOf(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => DeltaTypes.String,
        ColumnKind.Int => DeltaTypes.Integer,
        ColumnKind.Long => DeltaTypes.Long,
        ColumnKind.Double => DeltaTypes.Double,
        ColumnKind.Decimal => DeltaTypes.Decimal(type.Precision, type.Scale),
        ColumnKind.Bool => DeltaTypes.Boolean,
        ColumnKind.Date => DeltaTypes.Date,
        ColumnKind.Timestamp => DeltaTypes.Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "no Delta type for this column type"),
    };
}
