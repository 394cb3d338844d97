using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Tributary.Testing.Faults;

/// <summary>
/// A fault-injecting forwarder in front of a storage account's blob, queue and table endpoints (Azurite over plain HTTP/1.1):
/// one loopback listener per endpoint, <see cref="ConnectionString"/> pointing at them. Each request is read up to its
/// body, then forwarded or answered with a fault from the seeded <see cref="StorageFaultPlan"/>. <see cref="RefuseConnections"/>
/// closes the listeners (connect gets ECONNREFUSED, live connections are reset): storage down, as for a restart.
/// </summary>
public sealed partial class FaultyStorageProxy : IAsyncDisposable
{
    private readonly List<Endpoint> endpoints;
    private readonly Random random;
    private long unfaulted;
    private readonly ConcurrentDictionary<StorageFault, int> injected = new();
    private readonly ConcurrentDictionary<TcpClient, byte> live = new();
    private readonly CancellationTokenSource stopping = new();
    private StorageFaultPlan plan;
    private volatile bool refusing;
    private long forwarded;

    private FaultyStorageProxy(string upstreamConnectionString, StorageFaultPlan plan)
    {
        this.plan = plan;
        random = new Random(plan.Seed);
        endpoints = [];
        var rewritten = upstreamConnectionString;
        foreach (Match match in EndpointPattern().Matches(upstreamConnectionString))
        {
            var endpoint = new Endpoint(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture), match.Groups["key"].Value == "TableEndpoint");
            endpoint.Listen();
            endpoints.Add(endpoint);
            rewritten = rewritten.Replace(match.Value, $"{match.Groups["key"].Value}=http://127.0.0.1:{endpoint.Port}/", StringComparison.Ordinal);
        }

        if (endpoints.Count == 0)
        {
            throw new ArgumentException("No http://127.0.0.1:PORT/ endpoint in the connection string.", nameof(upstreamConnectionString));
        }

        ConnectionString = rewritten;
    }

    /// <summary>The upstream connection string with every endpoint replaced by this proxy's.</summary>
    public string ConnectionString { get; }

    /// <summary>Requests forwarded to storage so far (faulty or not).</summary>
    public long Forwarded => Interlocked.Read(ref forwarded);

    /// <summary>How many of each fault were injected so far.</summary>
    public IReadOnlyDictionary<StorageFault, int> Injected => new Dictionary<StorageFault, int>(injected);

    public static FaultyStorageProxy Start(string upstreamConnectionString, StorageFaultPlan plan)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plan.Total, 1.0, nameof(plan));
        var proxy = new FaultyStorageProxy(upstreamConnectionString, plan);
        foreach (var endpoint in proxy.endpoints)
        {
            _ = proxy.AcceptLoopAsync(endpoint);
        }

        return proxy;
    }

    /// <summary>Swaps the fault plan (the random source keeps its seed and position).</summary>
    public void SetPlan(StorageFaultPlan next) => plan = next;

    /// <summary>Storage down: listeners closed (connections refused) and live connections reset, until <see cref="AcceptConnections"/>.</summary>
    public void RefuseConnections()
    {
        refusing = true;
        foreach (var endpoint in endpoints)
        {
            endpoint.Close();
        }

        foreach (var client in live.Keys)
        {
            Reset(client);
        }
    }

    public void AcceptConnections()
    {
        if (!refusing)
        {
            return;
        }

        foreach (var endpoint in endpoints)
        {
            endpoint.Listen();
            _ = AcceptLoopAsync(endpoint);
        }

        refusing = false;
    }

    public string Summary() =>
        $"{Forwarded} requests forwarded; injected: " +
        string.Join(", ", Injected.OrderBy(i => i.Key).Select(i => $"{i.Key} {i.Value}"));

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        foreach (var endpoint in endpoints)
        {
            endpoint.Close();
        }

        foreach (var client in live.Keys)
        {
            Reset(client);
        }

        stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Endpoint endpoint)
    {
        var listener = endpoint.Listener!;
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            _ = ServeConnectionAsync(client, endpoint);
        }
    }

    private async Task ServeConnectionAsync(TcpClient client, Endpoint endpoint)
    {
        live[client] = 0;
        using var upstream = new TcpClient();
        try
        {
            client.NoDelay = true;
            await upstream.ConnectAsync(IPAddress.Loopback, endpoint.UpstreamPort, stopping.Token);
            upstream.NoDelay = true;
            var downstream = client.GetStream();
            var reader = new RequestReader(downstream, endpoint.IsTable);
            var responses = new ResponsePump(upstream.GetStream(), downstream);
            var pumping = responses.RunAsync(stopping.Token);
            while (await reader.ReadHeadAsync(stopping.Token) is { } head)
            {
                var fault = Draw(head);
                switch (fault)
                {
                    case StorageFault.ServerError:
                        await AnswerAsync(reader, head, downstream, 500, "InternalError", "Injected fault: internal error.");
                        Reset(client);
                        return;
                    case StorageFault.ServerBusy:
                        await AnswerAsync(reader, head, downstream, 503, "ServerBusy", "Injected fault: the server is busy.");
                        Reset(client);
                        return;
                    case StorageFault.PreconditionFailed:
                        await AnswerAsync(reader, head, downstream, 412, head.IsTable ? "UpdateConditionNotSatisfied" : "ConditionNotMet", "Injected fault: the condition specified using HTTP conditional header(s) is not met.");
                        Reset(client);
                        return;
                    case StorageFault.ResetBeforeForward:
                        Reset(client);
                        return;
                    case StorageFault.Slow:
                        await Task.Delay(plan.SlowDelay, stopping.Token);
                        break;
                }

                if (head.Chunked)
                {
                    // No body length to frame the next request by: forward the rest of the connection untouched.
                    await upstream.GetStream().WriteAsync(head.Bytes, stopping.Token);
                    await reader.CopyRestAsync(upstream.GetStream(), stopping.Token);
                    await pumping;
                    return;
                }

                var lost = fault == StorageFault.ResponseLost ? responses.SwallowNext() : null;
                Interlocked.Increment(ref forwarded);
                await upstream.GetStream().WriteAsync(head.Bytes, stopping.Token);
                await reader.CopyBodyAsync(head.ContentLength, upstream.GetStream(), stopping.Token);
                if (lost is not null)
                {
                    // Storage has answered (the write is applied); the client never hears of it.
                    await lost.WaitAsync(TimeSpan.FromSeconds(30), stopping.Token);
                    Reset(client);
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            // A reset connection, storage down, or the proxy stopping: the client sees a transport error.
            if (client.Connected && e is SocketException or IOException && !refusing)
            {
                Reset(client);
            }
        }
        finally
        {
            live.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private StorageFault Draw(RequestHead head)
    {
        var current = plan;
        double roll;
        lock (random)
        {
            roll = random.NextDouble();
        }

        var fault = Pick(roll, head, current);
        if (fault == StorageFault.None && current.ForceMissingKindEvery is > 0 and var every && Interlocked.Increment(ref unfaulted) % every == 0)
        {
            fault = Bands(head, current).FirstOrDefault(b => b.Rate > 0 && !injected.ContainsKey(b.Fault)).Fault;
        }

        if (fault != StorageFault.None)
        {
            injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
        }

        return fault;
    }

    private static StorageFault Pick(double roll, RequestHead head, StorageFaultPlan plan)
    {
        foreach (var (fault, rate) in Bands(head, plan))
        {
            if (roll < rate)
            {
                return fault;
            }

            roll -= rate;
        }

        return StorageFault.None;
    }

    /// <summary>Each kind with its rate for this request (412 only for conditional writes).</summary>
    private static (StorageFault Fault, double Rate)[] Bands(RequestHead head, StorageFaultPlan plan) =>
        [
            (StorageFault.ServerError, plan.ServerError),
            (StorageFault.ServerBusy, plan.ServerBusy),
            (StorageFault.Slow, plan.Slow),
            (StorageFault.ResetBeforeForward, plan.ResetBeforeForward),
            (StorageFault.ResponseLost, plan.ResponseLost),
            (StorageFault.PreconditionFailed, head.IsConditionalWrite ? plan.PreconditionFailed : 0),
        ];

    private async Task AnswerAsync(RequestReader reader, RequestHead head, NetworkStream downstream, int status, string code, string message)
    {
        if (!head.Chunked)
        {
            await reader.CopyBodyAsync(head.ContentLength, Stream.Null, stopping.Token);
        }

        var body = head.IsTable
            ? "{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + message + "\"}}}"
            : $"""<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>""";
        var bytes = Encoding.UTF8.GetBytes(body);
        var response = $"HTTP/1.1 {status} {ReasonOf(status)}\r\nContent-Type: {(head.IsTable ? "application/json" : "application/xml")}\r\n" +
            $"Content-Length: {bytes.Length}\r\nx-ms-error-code: {code}\r\nx-ms-request-id: {Guid.NewGuid()}\r\nConnection: close\r\n\r\n";
        await downstream.WriteAsync(Encoding.ASCII.GetBytes(response), stopping.Token);
        await downstream.WriteAsync(bytes, stopping.Token);
        await downstream.FlushAsync(stopping.Token);
    }

    private static string ReasonOf(int status) => status switch
    {
        500 => "Internal Server Error",
        503 => "Server Busy",
        412 => "Precondition Failed",
        _ => "Error",
    };

    /// <summary>SO_LINGER 0 then close: the peer gets a TCP RST, not an orderly FIN.</summary>
    private static void Reset(TcpClient client)
    {
        // A connection that ended meanwhile has disposed its TcpClient, which drops its socket (Client is then null).
        if (client.Client is not { } socket)
        {
            return;
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"(?<key>BlobEndpoint|QueueEndpoint|TableEndpoint)=http://127\.0\.0\.1:(?<port>\d+)/")]
    private static partial Regex EndpointPattern();

    /// <summary>One upstream endpoint and the loopback listener in front of it; the proxy port stays the same across an outage.</summary>
    private sealed class Endpoint(int upstreamPort, bool isTable)
    {
        public int UpstreamPort { get; } = upstreamPort;

        public bool IsTable { get; } = isTable;

        public int Port { get; private set; }

        public TcpListener? Listener { get; private set; }

        public void Listen()
        {
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Listener = listener;
        }

        public void Close() => Listener?.Stop();
    }
}
