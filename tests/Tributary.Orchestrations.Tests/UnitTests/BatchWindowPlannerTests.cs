using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Intake;
using Tributary.Orchestrations.Storage;


namespace Tributary.Orchestrations.Tests.UnitTests;

public sealed class BatchWindowPlannerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_window_is_sealed_at_max_files_and_the_rest_waits()
    {
        var pending = Arrivals(450, size: 10, spacingMs: 1);
        var window = new BatchWindow { MaxFiles = 200, MaxSeconds = 60 };
        var first = BatchWindowPlanner.NextDueWindow(pending, window, Start.AddSeconds(1));
        Assert.Equal(pending.Take(200), first);
        var second = BatchWindowPlanner.NextDueWindow(pending.Skip(200).ToList(), window, Start.AddSeconds(1));
        Assert.Equal(200, second.Count);
        Assert.Empty(BatchWindowPlanner.NextDueWindow(pending.Skip(400).ToList(), window, Start.AddSeconds(1)));
    }

    [Fact]
    public void A_window_is_sealed_by_bytes_and_an_oversized_file_still_gets_a_run_of_its_own()
    {
        var window = new BatchWindow { MaxBytes = 100, MaxSeconds = 60 };
        var pending = new List<PendingArrival> { Arrival(0, 60), Arrival(1, 30), Arrival(2, 30), Arrival(3, 500) };
        Assert.Equal(pending.Take(2), BatchWindowPlanner.NextDueWindow(pending, window, Start));
        var rest = pending.Skip(2).ToList();
        Assert.Equal(rest.Take(1), BatchWindowPlanner.NextDueWindow(rest, window, Start));
        Assert.Equal(rest.Skip(1), BatchWindowPlanner.NextDueWindow(rest.Skip(1).ToList(), window, Start));
    }

    [Fact]
    public void A_window_that_is_not_full_is_sealed_only_when_its_time_is_up_counted_from_the_first_arrival()
    {
        var window = new BatchWindow { MaxFiles = 200, MaxSeconds = 5 };
        var pending = Arrivals(3, size: 1, spacingMs: 1000);
        Assert.Empty(BatchWindowPlanner.NextDueWindow(pending, window, Start.AddSeconds(4.9)));
        Assert.Equal(pending, BatchWindowPlanner.NextDueWindow(pending, window, Start.AddSeconds(5)));
        Assert.Empty(BatchWindowPlanner.NextDueWindow([], window, Start.AddDays(1)));
    }

    [Fact]
    public void Window_settings_are_checked()
    {
        Assert.False(BatchWindow.None.IsEnabled);
        Assert.Empty(new BatchWindow { MaxFiles = 10, MaxSeconds = 1 }.Problems("batch"));
        Assert.Contains(new BatchWindow { MaxFiles = 10 }.Problems("batch"), p => p.Contains("maxSeconds", StringComparison.Ordinal));
        Assert.NotEmpty(new BatchWindow { MaxFiles = -1, MaxSeconds = 1 }.Problems("batch"));
    }

    private static List<PendingArrival> Arrivals(int count, long size, int spacingMs) =>
        Enumerable.Range(0, count).Select(i => Arrival(i, size, spacingMs)).ToList();

    private static PendingArrival Arrival(int i, long size, int spacingMs = 0) =>
        new($"h{i:D5}", new BlobReference("incoming", $"d/{i}.csv", $"e{i}", size), Start.AddMilliseconds(i * spacingMs));
}
