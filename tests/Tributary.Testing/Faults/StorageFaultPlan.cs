namespace Tributary.Testing.Faults;

/// <summary>
/// What <see cref="FaultyStorageProxy"/> does to each request, as probabilities in [0, 1] drawn from one seeded random
/// source. The rates are independent of each other and their sum must not exceed 1.
/// </summary>
public sealed record StorageFaultPlan
{
    public int Seed { get; init; } = 1;

    /// <summary>Answer 500 InternalError without forwarding.</summary>
    public double ServerError { get; init; }

    /// <summary>Answer 503 ServerBusy without forwarding.</summary>
    public double ServerBusy { get; init; }

    /// <summary>Hold the request for <see cref="SlowDelay"/> before forwarding it.</summary>
    public double Slow { get; init; }

    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Reset the connection (TCP RST) before the request reaches storage.</summary>
    public double ResetBeforeForward { get; init; }

    /// <summary>
    /// Forward the request, let storage apply it, then reset the connection before the response reaches the client: the
    /// client retries a write that already happened (a conditional one then meets a genuine 412 or 409).
    /// </summary>
    public double ResponseLost { get; init; }

    /// <summary>Answer 412 ConditionNotMet, without forwarding, to a conditional write (If-Match / If-None-Match).</summary>
    public double PreconditionFailed { get; init; }

    /// <summary>
    /// When set, every Nth request that drew no fault gets a kind with a non-zero rate that has not been injected yet:
    /// a short run still sees each kind at least once, whatever its request count (the draws alone may miss a rare kind).
    /// </summary>
    public int? ForceMissingKindEvery { get; init; }

    public static StorageFaultPlan None { get; } = new();

    internal double Total => ServerError + ServerBusy + Slow + ResetBeforeForward + ResponseLost + PreconditionFailed;
}

public enum StorageFault
{
    None,
    ServerError,
    ServerBusy,
    Slow,
    ResetBeforeForward,
    ResponseLost,
    PreconditionFailed,
    Refused,
}
