using System.Data.Common;
using DuckDB.NET.Data;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>Databases lent again: reused, yet each loan starts clean (no tables, no settings of the loan before).</summary>
public sealed class DuckDbDatabasesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("tributary-duckdb-loans-").FullName;

    [Fact]
    public void A_loan_after_another_reuses_its_database_and_sees_none_of_its_tables_or_settings()
    {
        var pool = new DuckDbDatabases();
        using (var first = pool.Borrow(threads: 1, memoryLimit: "64MB", spillDirectory: folder))
        {
            Execute(first.Connection, "CREATE TEMP TABLE leftover AS SELECT 1 AS x; SET disabled_optimizers = 'filter_pushdown'; SET preserve_insertion_order = false");
            Assert.Equal("1", Setting(first.Connection, "threads"));
        }

        using var second = pool.Borrow();

        Assert.Equal(1, pool.Opened);
        Assert.Equal(0L, Scalar(second.Connection, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'leftover'"));
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Setting(second.Connection, "threads"));
        Assert.Equal(string.Empty, Setting(second.Connection, "disabled_optimizers"));
        Assert.Equal("true", Setting(second.Connection, "preserve_insertion_order"));
        Assert.NotEqual("64.0 MiB", Setting(second.Connection, "memory_limit"));
    }

    [Fact]
    public void A_database_that_spilled_is_closed_and_the_next_loan_gets_a_new_one()
    {
        var pool = new DuckDbDatabases();
        using (var loan = pool.Borrow(threads: 1, memoryLimit: "16MB", spillDirectory: folder))
        {
            Execute(loan.Connection, "CREATE TEMP TABLE big AS SELECT range AS i, repeat('x', 100) || range AS s FROM range(1000000)");
            Assert.True(Scalar(loan.Connection, "SELECT count(*) FROM duckdb_temporary_files()") > 0, "the table should have spilled");
            Assert.Equal(1_000_000L, Scalar(loan.Connection, "SELECT count(*) FROM big"));
        }

        using var next = pool.Borrow(threads: 1, memoryLimit: "16MB", spillDirectory: Directory.CreateDirectory(Path.Combine(folder, "next")).FullName);

        Assert.Equal(2, pool.Opened);
        Assert.Equal(3L, Scalar(next.Connection, "SELECT count(*) FROM range(3)"));
    }

    [Fact]
    public void A_loan_over_much_data_closes_its_database()
    {
        var pool = new DuckDbDatabases();
        using (pool.Borrow(inputBytes: DuckDbDatabases.KeepUpToBytes + 1))
        {
        }

        using var next = pool.Borrow();

        Assert.Equal(2, pool.Opened);
    }

    [Fact]
    public void A_failed_statement_leaves_the_database_usable_for_the_next_loan()
    {
        var pool = new DuckDbDatabases();
        using (var loan = pool.Borrow())
        {
            Assert.ThrowsAny<DbException>(() => Execute(loan.Connection, "SELECT * FROM read_csv('/nonexistent/file.csv')"));
        }

        using var next = pool.Borrow();

        Assert.Equal(1, pool.Opened);
        Assert.Equal(3L, Scalar(next.Connection, "SELECT count(*) FROM range(3)"));
    }

    [Fact]
    public void Loans_at_once_each_get_their_own_database_and_only_the_bound_stays_idle()
    {
        var pool = new DuckDbDatabases(maxIdle: 2);
        var loans = Enumerable.Range(0, 3).Select(_ => pool.Borrow()).ToList();
        foreach (var (loan, i) in loans.Select((l, i) => (l, i)))
        {
            Execute(loan.Connection, $"SET threads = {i + 1}");
        }

        Assert.Equal(3, pool.Opened);
        loans.ForEach(l => l.Dispose());
        using var a = pool.Borrow();
        using var b = pool.Borrow();
        using var c = pool.Borrow();

        Assert.Equal(4, pool.Opened);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static void Execute(DuckDBConnection connection, string sql) => DuckDbCommands.Execute(connection, sql);

    private static long Scalar(DuckDBConnection connection, string sql) => DuckDbCommands.ScalarInt64(connection, sql);

    private static string Setting(DuckDBConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT current_setting('{name}')::VARCHAR";
        return (string)command.ExecuteScalar()!;
    }
}
