namespace Tributary.Testing.Processes;

/// <summary>How a <see cref="ServeChild"/> is started.</summary>
/// <param name="Tributary">tributary.dll to run; the one beside the calling assembly when null.</param>
/// <param name="WorkingDirectory">serve's working directory (its default home is ./.tributary there); inherited when null.</param>
/// <param name="ArgumentList">Arguments after `serve`, e.g. `--api-port 0`.</param>
/// <param name="Launcher">A command that execs the rest of its arguments (`dotnet tributary.dll serve`), e.g. unshare to
/// give serve its own mounts; it must exec, so that the process id stays serve's.</param>
public sealed record ServeChildOptions(string? Tributary = null, string? WorkingDirectory = null, IReadOnlyList<string>? ArgumentList = null, TimeSpan? Timeout = null, IReadOnlyList<string>? Launcher = null)
{
    public IReadOnlyList<string> Arguments => ArgumentList ?? [];

    /// <summary>How long serve may take to say it is serving (a first start installs Azurite).</summary>
    public TimeSpan StartTimeout => Timeout ?? TimeSpan.FromSeconds(90);
}
