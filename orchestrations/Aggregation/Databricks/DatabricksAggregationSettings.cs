namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>
/// Whether this deployment can aggregate on Databricks, and where the job finds the storage account.
/// Registered by <see cref="ServiceCollectionExtensions.AddTributaryCore(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, PipelineOptions, Microsoft.Extensions.Configuration.IConfiguration)"/>.
/// </summary>
/// <param name="Enabled">True when a <c>Databricks</c> section with a workspace URL and job id is configured.</param>
/// <param name="StorageRoot">
/// URL template of a container as the job sees it, with <c>{container}</c>, e.g.
/// <c>abfss://{container}@myaccount.dfs.core.windows.net</c> (configuration key <c>Databricks:StorageRoot</c>;
/// defaults to that form for the account of the storage connection).
/// </param>
public sealed record DatabricksAggregationSettings(bool Enabled, string StorageRoot)
{
    public const string ContainerPlaceholder = "{container}";

    public static DatabricksAggregationSettings Disabled { get; } = new(false, "");

    /// <summary>The default root for an ADLS Gen2 account.</summary>
    public static string AbfssRoot(string accountName) => $"abfss://{ContainerPlaceholder}@{accountName}.dfs.core.windows.net";

    /// <summary>The URL of <paramref name="name"/> (a blob name or folder) in <paramref name="container"/> as the job reads or writes it.</summary>
    public string UrlOf(string container, string name) =>
        StorageRoot.Replace(ContainerPlaceholder, container, StringComparison.Ordinal).TrimEnd('/') + "/" + name;
}
