using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Orchestrations;
using Tributary.Orchestrations.Storage;

namespace Tributary.Cli.Tests.IntegrationTests;

/// <summary>
/// A storage request that hangs is abandoned after <see cref="PipelineOptions.StorageNetworkTimeout"/> (and retried)
/// by the clients the core registers, instead of the SDK's 100 s: against an endpoint that accepts connections and
/// never answers.
/// </summary>
public sealed class StorageNetworkTimeoutTests
{
    [Fact]
    public async Task A_request_to_storage_that_never_answers_is_abandoned_after_the_configured_timeout_and_retried()
    {
        using var silent = new SilentEndpoint();
        var store = CoreStore(silent.ConnectionString, TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();

        var clock = Stopwatch.StartNew();
        var read = store.ReadJsonAsync<object>(BlobContainers.State, "never.json", stop.Token);
        while (silent.Connections < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        // The first try is abandoned after 1 s and retried after the storage SDK's first backoff (about 4 s); with the
        // SDK's default timeout the retry would come after 100 s.
        var retriedAfter = clock.Elapsed;
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => read);
        Assert.True(silent.Connections >= 2, "the hung request was never retried");
        Assert.True(retriedAfter < TimeSpan.FromSeconds(15), $"retried after {retriedAfter.TotalSeconds:F1} s");
    }

    [Fact]
    public void The_timeout_defaults_to_30_seconds_and_is_read_from_configuration()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new PipelineOptions().StorageNetworkTimeout);
        var configured = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tributary:StorageNetworkTimeout"] = "00:00:05" }).Build()
            .GetSection(PipelineOptions.Section).Get<PipelineOptions>()!;
        Assert.Equal(TimeSpan.FromSeconds(5), configured.StorageNetworkTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), StorageClientOptions.Blobs(configured).Retry.NetworkTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), StorageClientOptions.Queues(configured).Retry.NetworkTimeout);
    }

    /// <summary>The blob store as the core registers it for a connection string.</summary>
    private static BlobStore CoreStore(string connectionString, TimeSpan timeout)
    {
        var services = new ServiceCollection();
        services.AddTributaryCore(connectionString, new PipelineOptions { StorageNetworkTimeout = timeout });
        return services.BuildServiceProvider().GetRequiredService<BlobStore>();
    }

    /// <summary>A storage endpoint that accepts every connection and reads nothing back: a request hangs until the client gives up.</summary>
    private sealed class SilentEndpoint : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> held = [];
        private int connections;

        public SilentEndpoint()
        {
            listener.Start();
            _ = AcceptAsync();
        }

        public int Connections => Volatile.Read(ref connections);

        /// <summary>Azurite's well-known development account, on this endpoint.</summary>
        public string ConnectionString =>
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/devstoreaccount1;";

        public void Dispose()
        {
            listener.Stop();
            lock (held)
            {
                held.ForEach(client => client.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref connections);
                    lock (held)
                    {
                        held.Add(client);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }
}
