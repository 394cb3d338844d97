using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;

namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class DropPlannerTests
{
    [Fact]
    public void A_drop_splits_into_runs_of_at_most_maxFiles_in_manifest_order()
    {
        var files = Enumerable.Range(0, 7).Select(i => new BlobReference(BlobContainers.Incoming, $"taxi/{i}.csv", "e", 1)).ToList();

        var parts = DropPlanner.Parts(files, 3);

        Assert.Equal([3, 3, 1], parts.Select(p => p.Count));
        Assert.Equal(files, parts.SelectMany(p => p));
    }

    [Fact]
    public void Runs_take_the_datasets_maxFiles_else_the_pipeline_default()
    {
        var options = new PipelineOptions { DropMaxFilesPerRun = 1000 };
        Assert.Equal(500, DropPlanner.MaxFilesPerRun(new BatchWindow { MaxFiles = 500, MaxSeconds = 5 }, options));
        Assert.Equal(1000, DropPlanner.MaxFilesPerRun(BatchWindow.None, options));
    }

    [Fact]
    public void A_drop_is_waited_for_while_any_of_its_files_is_younger_than_the_wait()
    {
        var now = DateTimeOffset.UnixEpoch.AddHours(1);
        var wait = TimeSpan.FromSeconds(30);
        (string, DateTimeOffset)[] files =
        [
            ("uploading", now.AddSeconds(-300)), ("uploading", now.AddSeconds(-5)),
            ("killed", now.AddSeconds(-31)), ("killed", now.AddSeconds(-60)),
        ];

        Assert.Equal(["uploading"], DropPlanner.StillUploading(files, now, wait));
    }
}
