namespace Tributary.Testing.Faults;

/// <summary>
/// Copies storage's responses back to the client. <see cref="SwallowNext"/> makes it drop what storage sends next instead,
/// and completes the returned task as soon as the first bytes of that response arrive (the request has been applied).
/// </summary>
internal sealed class ResponsePump(Stream upstream, Stream downstream)
{
    private volatile TaskCompletionSource? swallowing;

    public Task SwallowNext()
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        swallowing = signal;
        return signal.Task;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await upstream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    downstream.Close();
                    return;
                }

                if (swallowing is { } signal)
                {
                    signal.TrySetResult();
                    continue;
                }

                await downstream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side went away: the connection is over.
            swallowing?.TrySetResult();
        }
    }
}
