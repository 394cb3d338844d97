using System.Data.Common;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>
/// A full local disk is told apart from an unreadable file: by errno (ENOSPC, 28) on .NET's IOException, by the OS's
/// message on DuckDB's errors (which the processor otherwise reports as "not a readable csv file"), through wrappers.
/// The end-to-end case (serve on a 4 MB tmpfs) is Tributary.Cli.Tests' WorkDiskFullTests.
/// </summary>
public sealed class WorkDiskFullClassificationTests
{
    [Fact]
    public void Enospc_from_dotnet_and_no_space_from_duckdb_are_a_full_disk_even_when_wrapped()
    {
        Assert.True(WorkDiskFullException.Is(new IOException("write failed", 28)));
        Assert.True(WorkDiskFullException.Is(new IOException("No space left on device : '/work/chunk-0/input.csv'")));
        Assert.True(WorkDiskFullException.Is(new DuckLikeException("IO Error: Could not write file \"/work/curated.parquet\": No space left on device")));
        Assert.True(WorkDiskFullException.Is(new InvalidOperationException("pack failed", new IOException("x", 28))));
    }

    [Fact]
    public void A_bad_file_is_not_a_full_disk()
    {
        Assert.False(WorkDiskFullException.Is(new DuckLikeException("Invalid Input Error: CSV Error on Line: 2")));
        Assert.False(WorkDiskFullException.Is(new IOException("Permission denied", 13)));
        Assert.False(WorkDiskFullException.Is(null));
    }

    [Fact]
    public void The_reason_names_the_work_directory()
    {
        var error = new WorkDiskFullException("/var/tributary-work", new IOException("No space left on device : '/var/tributary-work/chunk-3/input.csv'"));
        Assert.StartsWith("the work directory /var/tributary-work is out of disk space", error.Message, StringComparison.Ordinal);
    }

    private sealed class DuckLikeException(string message) : DbException(message);
}
