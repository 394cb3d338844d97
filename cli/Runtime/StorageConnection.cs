namespace Tributary.Cli.Runtime;

/// <summary>
/// The storage account the host uses: the configured connection string (TRIBUTARY_STORAGE or
/// Tributary:Storage), or else an Azurite this process starts and owns.
/// </summary>
public sealed class StorageConnection : IAsyncDisposable
{
    public const string EnvironmentVariable = "TRIBUTARY_STORAGE";

    private readonly AzuriteServer? owned;

    private StorageConnection(string connectionString, AzuriteServer? owned)
    {
        ConnectionString = connectionString;
        this.owned = owned;
    }

    public string ConnectionString { get; }

    /// <summary>True when this process started its own Azurite (the embedded default).</summary>
    public bool IsEmbedded => owned is not null;

    public static async Task<StorageConnection> OpenAsync(IConfiguration configuration, Action<string>? log, CancellationToken cancellationToken)
    {
        var configured = configuration[EnvironmentVariable] ?? configuration["Tributary:Storage"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new StorageConnection(configured, null);
        }

        var root = ToolsLocator.FindToolsRoot();
        var azurite = await AzuriteServer.StartAsync(root, Path.Combine(ToolsLocator.StateFolder(root), "azurite"), log: log, cancellationToken: cancellationToken);
        return new StorageConnection(azurite.ConnectionString, azurite);
    }

    public async ValueTask DisposeAsync()
    {
        if (owned is not null)
        {
            await owned.DisposeAsync();
        }
    }
}
