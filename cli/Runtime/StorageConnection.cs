namespace Tributary.Cli.Runtime;

/// <summary>
/// The storage account a command uses: the configured connection string (<c>TributaryStorage</c>, the data account's
/// one name in every host, app setting and manifest), or else the home's shared embedded Azurite (started detached
/// when none answers; never stopped by a command).
/// </summary>
public sealed class StorageConnection : IAsyncDisposable
{
    /// <summary>The data account's setting: an environment variable or configuration key, as in the Functions app.</summary>
    public const string EnvironmentVariable = "TributaryStorage";

    /// <summary>The name this setting had before; still read, so existing scripts keep working.</summary>
    public const string FormerEnvironmentVariable = "TRIBUTARY_STORAGE";

    private StorageConnection(string connectionString, StorageRecord? embedded, string? home)
    {
        ConnectionString = connectionString;
        Embedded = embedded;
        Home = home;
    }

    public string ConnectionString { get; }

    /// <summary>True when this is the home's shared embedded Azurite.</summary>
    public bool IsEmbedded => Embedded is not null;

    /// <summary>The embedded Azurite's record (pid, ports, data folder), when embedded.</summary>
    public StorageRecord? Embedded { get; }

    /// <summary>The home folder, when embedded.</summary>
    public string? Home { get; }

    /// <summary>The configured connection string, or null when the embedded default applies.</summary>
    public static string? Configured(IConfiguration configuration) =>
        configuration[EnvironmentVariable] is { } setting && !string.IsNullOrWhiteSpace(setting) ? setting
        : configuration[FormerEnvironmentVariable] is { } former && !string.IsNullOrWhiteSpace(former) ? former
        : null;

    public static async Task<StorageConnection> OpenAsync(IConfiguration configuration, Action<string>? log, CancellationToken cancellationToken)
    {
        if (Configured(configuration) is { } configured)
        {
            return new StorageConnection(configured, null, null);
        }

        var home = TributaryHome.Resolve();
        var record = await EmbeddedStorage.EnsureAsync(home, log, cancellationToken);
        return new StorageConnection(record.ConnectionString, record, home);
    }

    /// <summary>The shared storage outlives every command: nothing to stop here.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
