using Tributary.Cli.Runtime;

namespace Tributary.Functions.Tests.Fixtures;

/// <summary>
/// One Azurite (the npm package the repository pins) for a test class, on a throw-away folder. Not
/// in-memory: AzuriteServer passes --location too, and Azurite 3.37 refuses that combination.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string dataFolder = Path.Combine(Path.GetTempPath(), "tributary-functions-tests", Guid.NewGuid().ToString("N"));
    private AzuriteServer? server;

    public string ConnectionString => server?.ConnectionString ?? throw new InvalidOperationException("Azurite has not started.");

    public async Task InitializeAsync() =>
        server = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), dataFolder);

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
