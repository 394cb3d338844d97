using DuckDB.NET.Data;

namespace Tributary.Orchestrations.Processing;

/// <summary>A connection to a lent database; disposing it closes the connection and gives the database back (or closes it, without a pool).</summary>
public sealed class DuckDbLoan(DuckDbDatabases? pool, DuckDBConnection database, DuckDBConnection connection) : IDisposable
{
    private int disposed;

    public DuckDBConnection Connection { get; } = connection;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            Connection.Dispose();
            if (pool is null)
            {
                database.Dispose();
            }
            else
            {
                pool.Return(database);
            }
        }
    }
}
