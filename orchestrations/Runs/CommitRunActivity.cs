using Microsoft.DurableTask;

namespace Tributary.Orchestrations.Runs;

/// <summary>Commits a run through <see cref="RunCommitter"/>: the manifest last, then the completion message.</summary>
public sealed class CommitRunActivity(RunCommitter committer) : TaskActivity<RunManifest, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, RunManifest manifest)
    {
        await committer.CommitAsync(manifest, onlyIfAbsent: false);
        return RunCommitter.PathOf(manifest);
    }
}
