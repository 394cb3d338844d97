using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Tributary.Orchestrations.Telemetry;

/// <summary>
/// The one owner of Tributary's OpenTelemetry names: the <see cref="ActivitySource"/> and <see cref="Meter"/> (both
/// named <see cref="Name"/>), every span name, attribute key and instrument. Code that records telemetry calls in here;
/// hosts subscribe to <see cref="Name"/> (and to <see cref="DurableTaskSource"/>) and choose the exporters.
/// Nothing is recorded or exported unless a host listens, so the core pays next to nothing without a listener.
/// </summary>
public static class TributaryTelemetry
{
    public const string Name = "Tributary";

    /// <summary>The Durable Task SDK's own ActivitySource (Microsoft.DurableTask.Worker.Grpc/Client.Grpc 1.28.0): orchestration and activity spans.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    /// <summary>.NET's own meter (working set, GC heap and pauses, CPU, thread pool): hosts export it beside ours.</summary>
    public const string RuntimeMeter = "System.Runtime";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Span names: one per step a person asks about.</summary>
    public static class Spans
    {
        public const string IntakeBlob = "tributary.intake.blob";
        public const string IntakeStart = "tributary.intake.start";
        public const string Plan = "tributary.plan";
        public const string ProcessChunk = "tributary.process_chunk";
        public const string TableCommit = "tributary.table_commit";
        public const string Aggregate = "tributary.aggregate";
        public const string RunCommit = "tributary.run_commit";
        public const string Archive = "tributary.archive";
    }

    /// <summary>Attribute keys, on spans and metrics alike.</summary>
    public static class Attributes
    {
        public const string RunId = "tributary.run_id";
        public const string Dataset = "tributary.dataset";
        public const string ChunkIndex = "tributary.chunk.index";
        public const string Input = "tributary.input";
        public const string RowsRead = "tributary.rows.read";
        public const string RowsCurated = "tributary.rows.curated";
        public const string RowsRejected = "tributary.rows.rejected";
        public const string Bytes = "tributary.bytes";
        public const string Chunks = "tributary.chunks";
        public const string Quarantined = "tributary.files.quarantined";
        public const string Status = "tributary.run.status";
        public const string TableVersion = "tributary.table.version";
        public const string Table = "tributary.table";
        public const string Engine = "tributary.aggregation.engine";
        public const string Decision = "tributary.intake.decision";
        public const string Queue = "tributary.queue";
    }

    public static readonly Counter<long> RowsRead = Meter.CreateCounter<long>("tributary.rows.read", "{row}", "Rows read from inputs, by dataset.");
    public static readonly Counter<long> RowsCurated = Meter.CreateCounter<long>("tributary.rows.curated", "{row}", "Rows written to curated parts, by dataset.");
    public static readonly Counter<long> RowsRejected = Meter.CreateCounter<long>("tributary.rows.rejected", "{row}", "Rows rejected by validation, by dataset.");
    public static readonly Histogram<double> ChunkDuration = Meter.CreateHistogram<double>(
        "tributary.chunk.duration", "s", "Time to process one chunk (stage, parse, validate, upload).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    public static readonly Histogram<long> ChunkBytes = Meter.CreateHistogram<long>(
        "tributary.chunk.bytes", "By", "Input bytes of one chunk (its byte range, or the whole blob).", tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = [1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28, 1 << 30] });
    public static readonly Counter<long> Runs = Meter.CreateCounter<long>("tributary.runs", "{run}", "Runs committed (manifest written), by dataset and final status.");
    public static readonly Histogram<double> DropToStart = Meter.CreateHistogram<double>(
        "tributary.intake.drop_to_start", "s", "From an input's Last-Modified in storage to the planning of its run.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600] });
    public static readonly Counter<long> CommitConflicts = Meter.CreateCounter<long>("tributary.table.commit.conflicts", "{conflict}", "Delta commits lost to another writer (put-if-absent of the next version failed).");
    public static readonly Counter<long> CommitRetries = Meter.CreateCounter<long>("tributary.table.commit.retries", "{retry}", "Delta commit attempts made again after a conflict.");

    /// <summary>Starts a span of a run step with the run id and dataset on it (null when nobody listens).</summary>
    public static Activity? StartRunSpan(string name, string runId, string dataset, ActivityKind kind = ActivityKind.Internal)
    {
        var span = Source.StartActivity(name, kind);
        span?.SetTag(Attributes.RunId, runId);
        span?.SetTag(Attributes.Dataset, dataset);
        return span;
    }

    /// <summary>
    /// The log scope every activity of a run opens: each log line then carries RunId and Dataset as structured values
    /// (OTLP log attributes), and reads "run {id} of {dataset}" where a console prints scopes.
    /// </summary>
    public static IDisposable? RunScope(ILogger? logger, string runId, string dataset) =>
        logger?.BeginScope("run {RunId} of {Dataset}", runId, dataset);

    /// <summary>
    /// Marks a span failed with the exception; returns false, to be used as an exception filter
    /// (<c>catch (Exception e) when (TributaryTelemetry.Failed(span, e))</c>) so the exception propagates untouched.
    /// </summary>
    public static bool Failed(Activity? span, Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.Message);
        span?.AddException(exception);
        return false;
    }

    /// <summary>
    /// Runs one step of a run inside its log scope and span (run id and dataset on both); <paramref name="work"/> gets
    /// the span (null when nobody listens) to tag, and a failure marks the span and propagates untouched.
    /// </summary>
    public static async Task<T> TraceRunAsync<T>(ILogger? logger, string spanName, string runId, string dataset, Func<Activity?, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using var scope = RunScope(logger, runId, dataset);
        using var span = StartRunSpan(spanName, runId, dataset);
        try
        {
            return await work(span).ConfigureAwait(false);
        }
        catch (Exception e) when (Failed(span, e))
        {
            throw;
        }
    }

    public static TagList DatasetTag(string dataset) => new() { { Attributes.Dataset, dataset } };
}
