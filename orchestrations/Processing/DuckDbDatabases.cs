using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using static Tributary.Orchestrations.Processing.SqlText;

namespace Tributary.Orchestrations.Processing;

/// <summary>
/// In-memory DuckDB databases kept open and lent out one at a time. Opening one costs ~15 ms of CPU (it builds its
/// catalog of built-in functions): as much as a 100-row chunk's own work, and a small chunk opened two (processing,
/// then its Delta stats). A loan is a new connection to an idle database, so its temporary tables and session
/// settings end with it; the database-wide settings a loan needs are set when it starts.
/// </summary>
/// <param name="maxIdle">Idle databases kept for the next loan: the chunks a host runs at once, and a stats read beside them.</param>
public sealed class DuckDbDatabases(int maxIdle = 4)
{
    /// <summary>The process's databases: the host's chunks, stats and Parquet footers borrow from here.</summary>
    public static DuckDbDatabases Shared { get; } = new();

    /// <summary>Loans reading up to this much leave their database open for the next.</summary>
    public const long KeepUpToBytes = 4L << 20;

    private readonly ConcurrentBag<DuckDBConnection> idle = [];
    private int opened;

    /// <summary>Databases opened so far: how often a loan found none idle.</summary>
    public int Opened => opened;

    /// <param name="threads">DuckDB's worker threads for this loan; 0 for its default (one per core).</param>
    /// <param name="memoryLimit">Its buffer pool for this loan; null for its default (80 % of RAM).</param>
    /// <param name="spillDirectory">Where it may spill beyond <paramref name="memoryLimit"/>; null for nowhere.</param>
    /// <param name="inputBytes">
    /// The size of what the loan reads. Over <see cref="KeepUpToBytes"/> its database is closed after it: opening one costs
    /// little beside such work, and a database that held a large chunk's buffers is not kept idle on the chance of a next.
    /// </param>
    public DuckDbLoan Borrow(int threads = 0, string? memoryLimit = null, string? spillDirectory = null, long inputBytes = 0)
    {
        var database = Take();
        try
        {
            var connection = database.Duplicate();
            try
            {
                connection.Open();
                DuckDbCommands.Execute(connection, string.Join("; ",
                    threads > 0 ? $"SET threads = {threads.ToString(CultureInfo.InvariantCulture)}" : "RESET threads",
                    memoryLimit is null ? "RESET memory_limit" : $"SET memory_limit = {Literal(memoryLimit)}",
                    // Global settings an earlier loan may have changed: each loan starts from DuckDB's defaults.
                    "RESET preserve_insertion_order",
                    "RESET disabled_optimizers",
                    $"SET temp_directory = {Literal(spillDirectory ?? string.Empty)}"));
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            return new DuckDbLoan(inputBytes <= KeepUpToBytes ? this : null, database, connection);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the loan's database back. One that spilled keeps its spill directory for life (DuckDB refuses to switch
    /// it), and one DuckDB invalidated refuses any statement: either is closed instead of lent again.
    /// </summary>
    internal void Return(DuckDBConnection database)
    {
        try
        {
            DuckDbCommands.Execute(database, "SET temp_directory = ''");
        }
        catch (DbException)
        {
            database.Dispose();
            return;
        }

        if (idle.Count >= maxIdle)
        {
            database.Dispose();
            return;
        }

        idle.Add(database);
    }

    private DuckDBConnection Take()
    {
        if (idle.TryTake(out var lent))
        {
            return lent;
        }

        var database = new DuckDBConnection("DataSource=:memory:");
        database.Open();
        // DuckDB caches blocks of every file it reads (its external file cache) for the database's life: kept open, a
        // database would hold a little of each of the thousands of files it reads (serve grew ~80 MB over 1,000 small files).
        // The allocator's background threads return freed pages that a closed database would have flushed (12 MB chunks
        // looped on one kept database: +57-66 MB resident with them, +89-108 MB without).
        DuckDbCommands.Execute(database, "SET enable_external_file_cache = false; SET allocator_background_threads = true");
        Interlocked.Increment(ref opened);
        return database;
    }
}
