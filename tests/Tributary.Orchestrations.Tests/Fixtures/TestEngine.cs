using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Tributary.Orchestrations.Tests.Fixtures;

/// <summary>
/// Starts the SDK's in-process test host on a port the OS just handed out. Left to itself the host draws a random port
/// in 30000-40000 and binds it later, so a parallel test's Azurite or serve can take it first ("address already in
/// use"); a port can still be taken between our probe and the host's bind, so a start that loses that race is retried.
/// </summary>
internal static class TestEngine
{
    private const int Attempts = 5;

    public static async Task<DurableTaskTestHost> StartAsync(
        Action<DurableTaskRegistry> register, Action<DurableTaskTestHostOptions>? configure = null, Func<int>? ports = null)
    {
        var nextPort = ports ?? FreePort;
        for (var attempt = 1; ; attempt++)
        {
            var options = new DurableTaskTestHostOptions { Port = nextPort() };
            configure?.Invoke(options);
            try
            {
                return await DurableTaskTestHost.StartAsync(register, options);
            }
            catch (IOException e) when (attempt < Attempts && IsAddressInUse(e))
            {
            }
        }
    }

    private static bool IsAddressInUse(Exception e) =>
        e.InnerException?.GetType().Name == "AddressInUseException"
        || (e.InnerException as SocketException)?.SocketErrorCode == SocketError.AddressAlreadyInUse
        || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
