using Tributary.Cli.Runtime;

namespace Tributary.Cli.Tests.Fixtures;

/// <summary>Azurite with --inMemoryPersistence: for the big tests, where storage round-trips dominate.</summary>
public sealed class InMemoryAzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? server;

    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "tributary-tests", Guid.NewGuid().ToString("N"));

    public string ConnectionString => server?.ConnectionString ?? throw new InvalidOperationException("Azurite is not started.");

    public async Task InitializeAsync() => server = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), DataFolder, inMemory: true);

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
            // Temporary data only.
        }
    }
}
