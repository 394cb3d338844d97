using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Tracing;
using Microsoft.DurableTask.Testing.Sidecar.Dispatcher;

namespace Tributary.Cli.Runtime;

/// <summary>
/// Works around a checked quirk of the in-process sidecar over Azure Storage: the sidecar records
/// sub-orchestration starts as its own <c>GrpcSubOrchestrationInstanceCreatedEvent</c> subclass and puts a
/// protobuf MapField into the child's <see cref="ExecutionStartedEvent.Tags"/>. Azure Storage cannot read
/// either back, so sub-orchestrations hang. Before anything is persisted, both become plain types.
/// The subclass's ParentTraceContext (the span the parent's worker opened for the child, so the trace links) is kept
/// in the plain event: its span id as <see cref="SubOrchestrationInstanceCreatedEvent.ClientSpanId"/> (what that field
/// means in DurableTask.Core) and the whole context in two reserved tags; <see cref="Restore"/> turns it back into the
/// subclass when a work item is loaded, so the sidecar hands it to the worker again on every replay.
/// </summary>
public static class SidecarEventNormalizer
{
    public const string TraceParentTag = "tributary.traceparent";
    public const string TraceStateTag = "tributary.tracestate";

    public static void Normalize(OrchestrationRuntimeState? state, IList<TaskMessage>? outbound)
    {
        if (state is not null)
        {
            Replace(state.NewEvents, ToPlain);
            Replace(state.Events, ToPlain);
        }

        foreach (var message in outbound ?? [])
        {
            if (message.Event is ExecutionStartedEvent started && started.Tags is not null && started.Tags.GetType() != typeof(Dictionary<string, string>))
            {
                started.Tags = new Dictionary<string, string>(started.Tags);
            }
        }
    }

    /// <summary>The reverse of <see cref="Normalize"/> for a loaded runtime state: plain events that carry a trace context become the sidecar's subclass.</summary>
    public static void Restore(OrchestrationRuntimeState? state)
    {
        if (state is not null)
        {
            Replace(state.NewEvents, ToGrpc);
            Replace(state.Events, ToGrpc);
        }
    }

    private static void Replace(IList<HistoryEvent> events, Func<SubOrchestrationInstanceCreatedEvent, SubOrchestrationInstanceCreatedEvent?> convert)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && convert(created) is { } replaced)
            {
                events[i] = replaced;
            }
        }
    }

    private static SubOrchestrationInstanceCreatedEvent? ToPlain(SubOrchestrationInstanceCreatedEvent created)
    {
        if (created.GetType() == typeof(SubOrchestrationInstanceCreatedEvent))
        {
            return null;
        }

        var trace = (created as GrpcSubOrchestrationInstanceCreatedEvent)?.ParentTraceContext;
        var tags = created.Tags is null ? new Dictionary<string, string>() : new Dictionary<string, string>(created.Tags);
        if (trace?.TraceParent is { Length: > 0 } traceParent)
        {
            tags[TraceParentTag] = traceParent;
            if (!string.IsNullOrEmpty(trace.TraceState))
            {
                tags[TraceStateTag] = trace.TraceState;
            }
        }

        return Copy(created, new SubOrchestrationInstanceCreatedEvent(created.EventId), tags.Count == 0 ? null : tags, created.ClientSpanId ?? SpanIdOf(trace?.TraceParent));
    }

    private static SubOrchestrationInstanceCreatedEvent? ToGrpc(SubOrchestrationInstanceCreatedEvent created)
    {
        if (created is GrpcSubOrchestrationInstanceCreatedEvent || created.Tags is null || !created.Tags.TryGetValue(TraceParentTag, out var traceParent))
        {
            return null;
        }

        created.Tags.TryGetValue(TraceStateTag, out var traceState);
        var grpc = Copy(created, new GrpcSubOrchestrationInstanceCreatedEvent(created.EventId), created.Tags.Count == 0 ? null : created.Tags, created.ClientSpanId);
        grpc.ParentTraceContext = new DistributedTraceContext(traceParent, traceState);
        return grpc;
    }

    private static T Copy<T>(SubOrchestrationInstanceCreatedEvent from, T to, IDictionary<string, string>? tags, string? clientSpanId)
        where T : SubOrchestrationInstanceCreatedEvent
    {
        to.Timestamp = from.Timestamp;
        to.IsPlayed = from.IsPlayed;
        to.Name = from.Name;
        to.Version = from.Version;
        to.InstanceId = from.InstanceId;
        to.Input = from.Input;
        to.Tags = tags;
        to.ClientSpanId = clientSpanId;
        return to;
    }

    /// <summary>The parent span id of a W3C traceparent (version-traceid-spanid-flags).</summary>
    private static string? SpanIdOf(string? traceParent) =>
        traceParent?.Split('-') is [_, _, var spanId, _] ? spanId : null;
}
