namespace Tributary.Orchestrations.Intake;

public enum IntakeDecision
{
    /// <summary>This call started the run.</summary>
    Started,

    /// <summary>The run already exists (running or finished); nothing was started.</summary>
    AlreadyStarted,

    /// <summary>Another intake claimed the run moments ago and is starting it; ask again later.</summary>
    ClaimedElsewhere,

    /// <summary>The version waits in its dataset's batch window; its run starts when the window is sealed (no run id yet).</summary>
    Queued,
}

public sealed record IntakeOutcome(string RunId, IntakeDecision Decision);
