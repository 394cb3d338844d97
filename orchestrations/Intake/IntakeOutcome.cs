namespace Tributary.Orchestrations.Intake;

public enum IntakeDecision
{
    /// <summary>This call started the run.</summary>
    Started,

    /// <summary>The run already exists (running or finished); nothing was started.</summary>
    AlreadyStarted,

    /// <summary>Another intake claimed the run moments ago and is starting it; ask again later.</summary>
    ClaimedElsewhere,
}

public sealed record IntakeOutcome(string RunId, IntakeDecision Decision);
