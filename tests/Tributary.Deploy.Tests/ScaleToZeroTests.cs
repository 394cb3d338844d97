using Tributary.Deploy.Tests.Rendering;
using Tributary.Deploy.Tests.Scaling;

namespace Tributary.Deploy.Tests;

/// <summary>
/// The rendered ScaledObjects against storage states: history (archived inputs) never keeps a worker, work does.
/// Desired replicas follow KEDA's rules (see <see cref="KedaDesiredReplicas"/>).
/// </summary>
public class ScaleToZeroTests
{
    private static readonly string[] Queues =
    [
        "backfill-requests", "blob-created", "batch-seal", "tributary-workitems",
        "tributary-control-00", "tributary-control-01", "tributary-control-02", "tributary-control-03",
    ];

    private static StorageState State(long incoming, long archived, params (string Queue, long Visible, long Invisible)[] queues)
    {
        var byName = Queues.ToDictionary(q => q, _ => (0L, 0L));
        foreach (var (queue, visible, invisible) in queues)
        {
            byName[queue] = (visible, invisible);
        }

        return new StorageState(byName, new Dictionary<string, long> { ["incoming"] = incoming, ["archive"] = archived, ["curated"] = archived });
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void An_idle_system_with_a_million_archived_blobs_scales_to_zero(string overlay)
    {
        var scaled = RenderedOverlays.Get(overlay).ScaledObjects.Single();

        Assert.Equal(0, KedaDesiredReplicas.Desired(scaled, State(0, 1_000_000)));
    }

    [Fact]
    public void Prod_counts_events_not_blobs_and_a_backlog_of_100_events_gets_7_workers()
    {
        var scaled = RenderedOverlays.Get("prod").ScaledObjects.Single();

        Assert.DoesNotContain(scaled.Spec.Triggers, t => t.Type == "azure-blob");
        // 100 events on blob-created (their blobs wait in incoming too): ceil(100 / 16) = 7.
        Assert.Equal(7, KedaDesiredReplicas.Desired(scaled, State(100, 1_000_000, ("blob-created", 100, 0))));
        // Blobs in incoming without events (a keep dataset's history, a missed event) do not wake prod: the sweep's job.
        Assert.Equal(0, KedaDesiredReplicas.Desired(scaled, State(5_000, 0)));
    }

    [Fact]
    public void Dev_counts_the_backlog_in_incoming_and_100_waiting_blobs_get_its_2_workers()
    {
        var scaled = RenderedOverlays.Get("dev").ScaledObjects.Single();

        Assert.Single(scaled.Spec.Triggers, t => t.Type == "azure-blob" && t.Metadata["blobContainerName"] == "incoming");
        // ceil(100 / 16) = 7, capped at dev's maxReplicaCount of 2.
        Assert.Equal(2, KedaDesiredReplicas.Desired(scaled, State(100, 1_000_000)));
        Assert.Equal(1, KedaDesiredReplicas.Desired(scaled, State(3, 0)));
    }

    [Theory]
    [MemberData(nameof(RenderedOverlays.All), MemberType = typeof(RenderedOverlays))]
    public void An_open_batch_window_keeps_exactly_one_worker_until_its_seal_message_is_handled(string overlay)
    {
        var scaled = RenderedOverlays.Get(overlay).ScaledObjects.Single();

        // The window's seal messages are invisible (delayed by maxSeconds) while it is open, then visible until handled.
        Assert.Equal(1, KedaDesiredReplicas.Desired(scaled, State(0, 1_000_000, ("batch-seal", 0, 1))));
        Assert.Equal(1, KedaDesiredReplicas.Desired(scaled, State(0, 0, ("batch-seal", 0, 200))));
        Assert.Equal(1, KedaDesiredReplicas.Desired(scaled, State(0, 0, ("batch-seal", 1, 0))));
    }
}
