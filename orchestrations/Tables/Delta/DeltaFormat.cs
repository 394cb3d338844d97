namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>The data files' encoding in <c>metaData.format</c>; Delta only creates parquet with no options.</summary>
public sealed record DeltaFormat(string Provider, IReadOnlyDictionary<string, string> Options)
{
    public static DeltaFormat Parquet { get; } = new("parquet", new Dictionary<string, string>());
}
