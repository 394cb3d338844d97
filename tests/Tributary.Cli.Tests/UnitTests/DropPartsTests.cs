using Tributary.Cli.Commands;

namespace Tributary.Cli.Tests.UnitTests;

public sealed class DropPartsTests
{
    private TimeSpan now;

    [Fact]
    public void Files_joining_at_once_are_cut_by_count_into_runs_of_consecutive_files()
    {
        var parts = new DropParts(files: 10, maxFiles: 4, maxAge: TimeSpan.FromSeconds(1), () => now);

        var joined = Enumerable.Range(0, 10).Select(i => parts.Join(i).Part).ToList();

        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], joined.Distinct().Select(p => p.Files.ToArray()));
    }

    [Fact]
    public void A_file_joining_after_the_age_opens_the_next_drop_whatever_the_count()
    {
        var parts = new DropParts(files: 5, maxFiles: 100, maxAge: TimeSpan.FromSeconds(1), () => now);

        var first = parts.Join(0).Part;
        now = TimeSpan.FromSeconds(0.9);
        Assert.Same(first, parts.Join(1).Part);
        now = TimeSpan.FromSeconds(1.0);
        var second = parts.Join(2).Part;
        now = TimeSpan.FromSeconds(1.5);
        Assert.Same(second, parts.Join(3).Part);
        Assert.Same(second, parts.Join(4).Part);

        Assert.Equal([0, 1], first.Files);
        Assert.Equal([2, 3, 4], second.Files);
    }

    [Fact]
    public void A_drop_is_ready_once_when_it_is_closed_and_its_last_upload_is_acknowledged()
    {
        var parts = new DropParts(files: 4, maxFiles: 2, maxAge: TimeSpan.FromSeconds(1), () => now);
        var (first, _) = parts.Join(0);
        parts.Join(1);

        // Both uploads acknowledged while the drop is open: not ready (a later file may still join).
        Assert.False(parts.Uploaded(first));
        Assert.False(parts.Uploaded(first));

        // The next file closes it: its manifest is the joining file's to write.
        var (second, sealable) = parts.Join(2);
        Assert.Same(first, sealable);

        // The folder's last file closes its drop; the drop is ready with its last acknowledgement, not before.
        var (last, none) = parts.Join(3);
        Assert.Null(none);
        Assert.Same(second, last);
        Assert.False(parts.Uploaded(second));
        Assert.True(parts.Uploaded(second));
    }

    [Fact]
    public void A_drop_closed_while_uploads_are_in_flight_is_ready_with_the_last_of_them()
    {
        var parts = new DropParts(files: 3, maxFiles: 2, maxAge: TimeSpan.FromSeconds(1), () => now);
        var (first, _) = parts.Join(0);
        parts.Join(1);

        var (_, sealable) = parts.Join(2);

        Assert.Null(sealable);
        Assert.False(parts.Uploaded(first));
        Assert.True(parts.Uploaded(first));
    }
}
