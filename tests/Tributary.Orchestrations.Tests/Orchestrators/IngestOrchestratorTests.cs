using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;
using Tributary.Orchestrations.Runs;
using Tributary.Orchestrations.Storage;
using Tributary.Orchestrations.Tables;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.Orchestrators;

/// <summary>
/// The ingest orchestrator's logic on the in-memory engine, with recording activities under the real names.
/// </summary>
public sealed class IngestOrchestratorTests
{
    private static readonly BlobReference Input = new("incoming", "taxi/a.csv", "etag", 10);

    [Fact]
    public async Task Fans_out_every_chunk_within_the_cap_then_aggregates_and_commits_the_manifest_last()
    {
        var activities = new RecordingActivities(chunks: 6);
        var manifest = await RunAsync(activities, maxInFlight: 1);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(6, manifest.Chunks.Count);
        Assert.Equal(1, activities.MaxConcurrentChunks);
        Assert.Equal(new RunTotals(600, 594, 6, 0), manifest.Totals);
        Assert.Equal(["plan", .. Enumerable.Repeat("chunk", 6), "read results", "table", "aggregate", "commit"], activities.Calls);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"curated/p{i}"), activities.AggregatedParts);
        Assert.Equal(Enumerable.Range(0, 6), Assert.Single(activities.TableCommits).Parts.Select(p => p.ChunkIndex));
        Assert.Equal(7, activities.AggregatedVersion);
        Assert.Equal(new TableVersion(7, 6, 0), manifest.Table);
        Assert.Equal(manifest.Totals, Assert.Single(activities.Committed).Totals);
    }

    [Fact]
    public async Task Packed_small_chunks_run_as_one_activity_each_pack_and_every_chunk_is_accounted_for()
    {
        var activities = new RecordingActivities(chunks: 6, packs: [[0, 1, 2], [3], [4, 5]]);
        var manifest = await RunAsync(activities, maxInFlight: 1);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(Enumerable.Range(0, 6), manifest.Chunks.Select(c => c.Index));
        Assert.Equal(["plan", "pack", "chunk", "pack", "read results", "table", "aggregate", "commit"], activities.Calls);
        Assert.Equal(new RunTotals(600, 594, 6, 0), manifest.Totals);
    }

    [Fact]
    public async Task A_rejected_share_above_the_tolerance_fails_the_run_without_aggregating_but_keeps_its_manifest()
    {
        var activities = new RecordingActivities(chunks: 2, rejectedPerChunk: 20, tolerance: 0.05);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("above the dataset's tolerance", manifest.Error);
        Assert.DoesNotContain("aggregate", activities.Calls);
        Assert.DoesNotContain("table", activities.Calls);
        Assert.Null(manifest.Table);
        Assert.Equal("commit", activities.Calls[^1]);
        Assert.Equal(40, manifest.Totals.RowsRejected);
    }

    [Fact]
    public async Task A_chunk_that_keeps_failing_fails_the_run_with_a_committed_manifest_naming_the_cause()
    {
        var activities = new RecordingActivities(chunks: 3, failingChunk: 1);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains(nameof(ProcessPackActivity), manifest.Error);
        Assert.Contains("disk on fire", manifest.Error);
        Assert.Single(activities.Committed);
    }

    [Fact]
    public async Task A_failed_table_commit_fails_the_run_before_aggregating_with_its_reason()
    {
        var activities = new RecordingActivities(chunks: 2, tableFails: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("committing the run to the curated table of 'taxi' failed", manifest.Error);
        Assert.Contains("columns fare", manifest.Error);
        Assert.DoesNotContain("aggregate", activities.Calls);
        Assert.Null(manifest.Table);
        Assert.Single(activities.Committed);
    }

    [Fact]
    public async Task With_commit_and_refresh_together_one_activity_commits_the_table_then_refreshes_and_the_manifest_stays_last()
    {
        var activities = new RecordingActivities(chunks: 3, commitWithRefresh: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(["plan", "chunk", "chunk", "chunk", "read results", "table+aggregate", "commit"], activities.Calls);
        Assert.Equal(Enumerable.Range(0, 3), Assert.Single(activities.TableCommits).Parts.Select(p => p.ChunkIndex));
        Assert.Equal(["curated/p0", "curated/p1", "curated/p2"], activities.AggregatedParts);
        Assert.Equal(new TableVersion(7, 3, 0), manifest.Table);
        Assert.Equal(AggregationState.Succeeded, manifest.Aggregation!.State);
        Assert.NotNull(manifest.Timings.AggregatedAt);
    }

    [Fact]
    public async Task With_archive_with_manifest_one_activity_writes_the_manifest_and_moves_the_inputs_last()
    {
        var activities = new RecordingActivities(chunks: 2, commitWithRefresh: true, archiveWithManifest: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(["plan", "chunk", "chunk", "read results", "table+aggregate", "commit+archive"], activities.Calls);
        var committed = Assert.Single(activities.Committed);
        Assert.Equal(InputLifecycle.Archive, Assert.Single(committed.InputsAfterCommit!).Action);
    }

    [Fact]
    public async Task A_run_processed_by_its_planning_activity_schedules_no_processing_and_commits_the_plans_results()
    {
        var activities = new RecordingActivities(chunks: 2, rejectedPerChunk: 3, commitWithRefresh: true, archiveWithManifest: true, processedByPlan: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(["plan", "read results", "table+aggregate", "commit+archive"], activities.Calls);
        Assert.Equal([0, 1], manifest.Chunks.Select(c => c.Index));
        Assert.Equal(new RunTotals(200, 194, 6, 0), manifest.Totals);
        Assert.Equal(Enumerable.Range(0, 2), Assert.Single(activities.TableCommits).Parts.Select(p => p.ChunkIndex));
        Assert.NotNull(manifest.Timings.ProcessedAt);
    }

    [Fact]
    public async Task Finishing_in_one_activity_commits_refreshes_and_writes_the_manifest_the_orchestration_returns()
    {
        var activities = new RecordingActivities(chunks: 2, commitWithRefresh: true, archiveWithManifest: true, processedByPlan: true, finishInOne: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(["plan", "finish"], activities.Calls);
        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(Json(Assert.Single(activities.Committed)), Json(manifest));
        Assert.Equal(new TableVersion(7, 2, 0), manifest.Table);
        Assert.Equal(["curated/p0", "curated/p1", "results/a"], manifest.Outputs);
        Assert.Equal(InputLifecycle.Archive, Assert.Single(manifest.InputsAfterCommit!).Action);
        Assert.NotNull(manifest.Timings.ProcessedAt);
    }

    [Fact]
    public async Task A_refresh_that_fails_inside_the_finish_leaves_the_failed_verdict_and_its_manifest_to_the_orchestrator()
    {
        var activities = new RecordingActivities(chunks: 2, commitWithRefresh: true, archiveWithManifest: true, finishInOne: true, refreshEnds: AggregationState.Failed);
        var manifest = await RunAsync(activities);

        // A failed run's inputs stay in incoming (only quarantined files would leave): the manifest alone.
        Assert.Equal(["plan", "chunk", "chunk", "finish", "commit"], activities.Calls);
        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("aggregation on duckdb ended Failed: out of memory", manifest.Error);
        Assert.Equal(new TableVersion(7, 2, 0), manifest.Table);
        Assert.Equal(Json(manifest), Json(Assert.Single(activities.Committed)));
        Assert.Empty(manifest.InputsAfterCommit!);
    }

    [Fact]
    public async Task A_finish_that_keeps_failing_gives_way_to_the_separate_steps()
    {
        var activities = new RecordingActivities(chunks: 1, commitWithRefresh: true, archiveWithManifest: true, finishInOne: true, finishFails: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal(["plan", "chunk", "finish", "finish", "finish", "read results", "table", "aggregate", "commit+archive"], activities.Calls);
        Assert.Equal(new TableVersion(7, 1, 0), manifest.Table);
        Assert.Equal(Json(manifest), Json(Assert.Single(activities.Committed)));
    }

    private static string Json(RunManifest manifest) => System.Text.Json.JsonSerializer.Serialize(manifest);

    [Fact]
    public async Task When_the_combined_step_fails_the_separate_steps_run_and_the_manifest_names_the_failed_one()
    {
        var activities = new RecordingActivities(chunks: 2, tableFails: true, commitWithRefresh: true);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("committing the run to the curated table of 'taxi' failed", manifest.Error);
        Assert.Contains("table", activities.Calls);
        Assert.DoesNotContain("aggregate", activities.Calls);
        Assert.Null(manifest.Table);
        Assert.Equal("commit", activities.Calls[^1]);
    }

    [Fact]
    public async Task Runs_aggregated_by_another_engine_than_local_DuckDB_never_take_the_combined_step()
    {
        var activities = new RecordingActivities(chunks: 1, commitWithRefresh: true, engine: "none");
        var manifest = await RunAsync(activities);

        Assert.DoesNotContain("table+aggregate", activities.Calls);
        Assert.Contains("table", activities.Calls);
        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("unknown aggregation engine 'none'", manifest.Error);
    }

    [Fact]
    public async Task A_quarantined_file_is_listed_and_left_out_of_the_aggregation()
    {
        var activities = new RecordingActivities(chunks: 3, quarantinedChunk: 2);
        var manifest = await RunAsync(activities);

        Assert.Equal(RunStatus.Succeeded, manifest.Status);
        Assert.Equal("not gzip", Assert.Single(manifest.QuarantinedFiles).Reason);
        Assert.Equal(["curated/p0", "curated/p1"], activities.AggregatedParts);
    }

    private static async Task<RunManifest> RunAsync(RecordingActivities activities, int maxInFlight = 4)
    {
        await using var host = await TestEngine.StartAsync(activities.Register);
        var request = new IngestRequest("run-1", "taxi", [Input], MaxChunksInFlight: maxInFlight);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(IngestOrchestrator), request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var manifest = metadata.ReadOutputAs<RunManifest>()!;

        // Progress is published as custom status; at the end every chunk is done.
        var progress = metadata.ReadCustomStatusAs<RunProgress>()!;
        Assert.Equal(new RunProgress("done", manifest.Chunks.Count, manifest.Chunks.Count), progress);
        return manifest;
    }

    private sealed class RecordingActivities(
        int chunks, int rejectedPerChunk = 1, double tolerance = 0.05, int failingChunk = -1, int quarantinedChunk = -1, IReadOnlyList<IReadOnlyList<int>>? packs = null, bool tableFails = false,
        bool commitWithRefresh = false, string engine = "duckdb", bool archiveWithManifest = false, bool processedByPlan = false,
        bool finishInOne = false, AggregationState refreshEnds = AggregationState.Succeeded, bool finishFails = false)
    {
        private readonly ConcurrentQueue<string> calls = new();
        private int inFlight;

        public List<string> Calls => [.. calls];
        public int MaxConcurrentChunks { get; private set; }
        public List<string> AggregatedParts { get; private set; } = [];
        public ConcurrentBag<RunManifest> Committed { get; } = [];

        public InMemoryChunkResults Kept { get; } = new();
        public ConcurrentBag<CommitTableRequest> TableCommits { get; } = [];
        public long? AggregatedVersion { get; private set; }

        public void Register(DurableTaskRegistry registry)
        {
            registry.AddOrchestrator<IngestOrchestrator>();
            registry.AddActivityFunc<IngestRequest, RunPlan>(nameof(PlanRunActivity), (_, request) =>
            {
                calls.Enqueue("plan");
                var specs = Enumerable.Range(0, chunks).Select(i => new ChunkSpec(request.RunId, request.Dataset, i, Input, DataFormat.Csv)).ToList();
                var processed = processedByPlan
                    ? Keep(specs.Select(chunk => new ChunkResult(chunk.Index, chunk.Input, null, null, 100, 100 - rejectedPerChunk, rejectedPerChunk, $"curated/p{chunk.Index}", null, 0.1)).ToList())
                    : null;
                return new RunPlan(specs, [], engine, tolerance, Packs: packs, CommitWithRefresh: commitWithRefresh, ArchiveWithManifest: archiveWithManifest, Processed: processed, FinishInOneActivity: finishInOne);
            });
            registry.AddActivityFunc<IReadOnlyList<ChunkSpec>, StoredChunkResults>(nameof(ProcessPackActivity), async (_, pack) =>
            {
                if (pack.Count > 1)
                {
                    calls.Enqueue("pack");
                    return Keep(pack.Select(chunk => new ChunkResult(chunk.Index, chunk.Input, null, null, 100, 100 - rejectedPerChunk, rejectedPerChunk, $"curated/p{chunk.Index}", null, 0.1)).ToList());
                }

                calls.Enqueue("chunk");
                var chunk = pack[0];
                var now = Interlocked.Increment(ref inFlight);
                MaxConcurrentChunks = Math.Max(MaxConcurrentChunks, now);
                await Task.Delay(50);
                Interlocked.Decrement(ref inFlight);
                if (chunk.Index == failingChunk)
                {
                    throw new IOException("disk on fire");
                }

                return Keep([chunk.Index == quarantinedChunk
                    ? new ChunkResult(chunk.Index, chunk.Input, null, null, 0, 0, 0, null, "rejected/files/x", 0.1, "not gzip")
                    : new ChunkResult(chunk.Index, chunk.Input, null, null, 100, 100 - rejectedPerChunk, rejectedPerChunk, $"curated/p{chunk.Index}", null, 0.1)]);
            });
            registry.AddActivityFunc<IReadOnlyList<string>, IReadOnlyList<ChunkResult>>(nameof(ReadChunkResultsActivity), (_, paths) =>
            {
                calls.Enqueue("read results");
                return Kept.Read(paths);
            });
            registry.AddActivityFunc<AggregationRequest, AggregationOutcome>(nameof(RefreshAggregateActivity), (_, request) =>
            {
                calls.Enqueue("aggregate");
                AggregatedParts = [.. request.CuratedParts];
                AggregatedVersion = request.CuratedVersion;
                return new AggregationOutcome("duckdb", null, null, 3, ["results/a"], AggregationState.Succeeded);
            });
            registry.AddActivityFunc<CommitTableRequest, TableCommit>(nameof(CommitTableActivity), (_, request) =>
            {
                calls.Enqueue("table");
                if (tableFails)
                {
                    throw new TableSchemaException("taxi", ["fare"], ["column 'fare' is missing"]);
                }

                TableCommits.Add(request);
                return new TableCommit(7, request.Parts.Count, 0, false, 0, 1, []);
            });
            registry.AddActivityFunc<CommitAndRefreshRequest, CommittedAndRefreshed>(nameof(CommitAndRefreshActivity), (_, request) =>
            {
                calls.Enqueue("table+aggregate");
                if (tableFails)
                {
                    throw new TableSchemaException("taxi", ["fare"], ["column 'fare' is missing"]);
                }

                TableCommits.Add(request.Table);
                AggregatedParts = [.. request.CuratedParts];
                AggregatedVersion = 7;
                return new CommittedAndRefreshed(
                    new TableCommit(7, request.Table.Parts.Count, 0, false, 0, 1, []), new AggregationOutcome("duckdb", null, null, 3, ["results/a"], AggregationState.Succeeded));
            });
            registry.AddActivityFunc<RunManifest, RunManifest>(nameof(CommitRunAndArchiveActivity), (_, draft) =>
            {
                calls.Enqueue("commit+archive");
                return Commit(draft);
            });
            registry.AddActivityFunc<RunManifest, RunManifest>(nameof(CommitRunActivity), (_, draft) =>
            {
                calls.Enqueue("commit");
                return Commit(draft);
            });
            registry.AddActivityFunc<FinishRunRequest, FinishedRun>(nameof(FinishRunActivity), (_, request) =>
            {
                // As the real activity: commit and refresh, and the manifest only after a refresh that succeeded.
                calls.Enqueue("finish");
                if (finishFails)
                {
                    throw new IOException("storage went away");
                }

                var draft = Kept.Complete(request.Manifest);
                var work = CommitAndRefreshRequest.Of(draft);
                TableCommits.Add(work.Table);
                AggregatedParts = [.. work.CuratedParts];
                var done = new CommittedAndRefreshed(
                    new TableCommit(7, work.Table.Parts.Count, 0, false, 0, 1, []),
                    new AggregationOutcome("duckdb", null, null, 3, ["results/a"], refreshEnds, refreshEnds == AggregationState.Succeeded ? null : "out of memory"));
                if (refreshEnds != AggregationState.Succeeded)
                {
                    return new FinishedRun(done, null);
                }

                return new FinishedRun(done, Commit(draft.Finished(done, draft.Timings.CompletedAt.AddSeconds(1))));
            });
        }

        private StoredChunkResults Keep(List<ChunkResult> results) => Kept.Keep("taxi", "run-1", results);

        private RunManifest Commit(RunManifest draft)
        {
            var manifest = Kept.Complete(draft);
            Committed.Add(manifest);
            return manifest;
        }
    }
}
