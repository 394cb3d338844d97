using Microsoft.DurableTask;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Aggregation.Databricks;

/// <summary>Writes the <see cref="EngineRunRecord"/> of a run (overwriting on retry) so a later cancel can find the engine run.</summary>
public sealed class RecordEngineRunActivity(BlobStore store) : TaskActivity<EngineRunRecord, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, EngineRunRecord record)
    {
        var name = StorageLayout.EngineRun(record.RunId);
        await store.UploadJsonAsync(BlobContainers.State, name, record);
        return $"{BlobContainers.State}/{name}";
    }
}
