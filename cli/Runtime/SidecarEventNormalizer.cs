using DurableTask.Core;
using DurableTask.Core.History;

namespace Tributary.Cli.Runtime;

/// <summary>
/// Works around a checked quirk of the in-process sidecar over Azure Storage: the sidecar records
/// sub-orchestration starts as its own <c>GrpcSubOrchestrationInstanceCreatedEvent</c> subclass and puts a
/// protobuf MapField into the child's <see cref="ExecutionStartedEvent.Tags"/>. Azure Storage cannot read
/// either back, so sub-orchestrations hang. Before anything is persisted, both become plain types.
/// </summary>
public static class SidecarEventNormalizer
{
    public static void Normalize(OrchestrationRuntimeState? state, IList<TaskMessage>? outbound)
    {
        if (state is not null)
        {
            Replace(state.NewEvents);
            Replace(state.Events);
        }

        foreach (var message in outbound ?? [])
        {
            if (message.Event is ExecutionStartedEvent started && started.Tags is not null && started.Tags.GetType() != typeof(Dictionary<string, string>))
            {
                started.Tags = new Dictionary<string, string>(started.Tags);
            }
        }
    }

    private static void Replace(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                };
            }
        }
    }
}
