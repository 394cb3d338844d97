using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Tracing;
using Microsoft.DurableTask.Testing.Sidecar.Dispatcher;
using Tributary.Cli.Runtime;

namespace Tributary.Cli.Tests.UnitTests;

public sealed class SidecarEventNormalizerTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void The_sub_orchestration_event_becomes_plain_and_keeps_its_parent_trace_context()
    {
        var state = StateWithSubOrchestration(new DistributedTraceContext(TraceParent, "vendor=1"));

        SidecarEventNormalizer.Normalize(state, []);

        var created = Assert.Single(state.Events.OfType<SubOrchestrationInstanceCreatedEvent>());
        Assert.Equal(typeof(SubOrchestrationInstanceCreatedEvent), created.GetType());
        Assert.Equal(typeof(SubOrchestrationInstanceCreatedEvent), Assert.Single(state.NewEvents.OfType<SubOrchestrationInstanceCreatedEvent>()).GetType());
        Assert.Equal(("Child", "child-1", "\"input\"", 0), (created.Name, created.InstanceId, created.Input, created.EventId));
        Assert.Equal("b7ad6b7169203331", created.ClientSpanId);
        Assert.Equal(TraceParent, created.Tags[SidecarEventNormalizer.TraceParentTag]);
        Assert.Equal("vendor=1", created.Tags[SidecarEventNormalizer.TraceStateTag]);
    }

    [Fact]
    public void A_loaded_work_item_gets_the_sidecar_event_back_with_the_same_trace_context()
    {
        var state = StateWithSubOrchestration(new DistributedTraceContext(TraceParent, "vendor=1"));
        SidecarEventNormalizer.Normalize(state, []);

        SidecarEventNormalizer.Restore(state);

        var restored = Assert.IsType<GrpcSubOrchestrationInstanceCreatedEvent>(Assert.Single(state.Events.OfType<SubOrchestrationInstanceCreatedEvent>()));
        Assert.Equal(TraceParent, restored.ParentTraceContext!.TraceParent);
        Assert.Equal("vendor=1", restored.ParentTraceContext.TraceState);
        Assert.Equal(("Child", "child-1"), (restored.Name, restored.InstanceId));
    }

    [Fact]
    public void Without_a_trace_context_the_plain_event_carries_no_tags_as_before()
    {
        var state = StateWithSubOrchestration(trace: null);

        SidecarEventNormalizer.Normalize(state, []);
        SidecarEventNormalizer.Restore(state);

        var created = Assert.Single(state.Events.OfType<SubOrchestrationInstanceCreatedEvent>());
        Assert.Equal(typeof(SubOrchestrationInstanceCreatedEvent), created.GetType());
        Assert.Null(created.Tags);
        Assert.Null(created.ClientSpanId);
    }

    private static OrchestrationRuntimeState StateWithSubOrchestration(DistributedTraceContext? trace)
    {
        var state = new OrchestrationRuntimeState();
        state.AddEvent(new OrchestratorStartedEvent(-1));
        state.AddEvent(new ExecutionStartedEvent(-1, "null")
        {
            Name = "Parent",
            OrchestrationInstance = new OrchestrationInstance { InstanceId = "parent-1", ExecutionId = "e1" },
        });
        state.AddEvent(new GrpcSubOrchestrationInstanceCreatedEvent(0)
        {
            Name = "Child",
            InstanceId = "child-1",
            Input = "\"input\"",
            ParentTraceContext = trace,
        });
        return state;
    }
}
