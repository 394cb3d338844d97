namespace Tributary.Orchestrations.Aggregation;

public enum SqlDialect
{
    DuckDb,
    Spark,
}
