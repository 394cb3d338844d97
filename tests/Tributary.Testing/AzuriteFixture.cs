using Tributary.Cli.Runtime;
using Xunit;

namespace Tributary.Testing;

/// <summary>A real Azurite (the npm emulator the repository pins), disk-backed in a temporary folder, for one test class.</summary>
public class AzuriteFixture : IAsyncLifetime
{
    private readonly bool inMemory;
    private AzuriteServer? server;

    public AzuriteFixture()
        : this(inMemory: false)
    {
    }

    protected AzuriteFixture(bool inMemory) => this.inMemory = inMemory;

    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "tributary-tests", Guid.NewGuid().ToString("N"));

    public string ConnectionString => server?.ConnectionString ?? throw new InvalidOperationException("Azurite is not started.");

    public async Task InitializeAsync()
    {
        server = await AzuriteServer.StartAsync(ToolsLocator.FindToolsRoot(), DataFolder, inMemory);
    }

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
        catch (UnauthorizedAccessException)
        {
            // Temporary data only.
        }
    }
}
