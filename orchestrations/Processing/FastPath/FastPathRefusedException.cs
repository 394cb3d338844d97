namespace Tributary.Orchestrations.Processing.FastPath;

/// <summary>DuckDB's typed reader refused the fast path's records; the chunk is then processed without the fast path.</summary>
public sealed class FastPathRefusedException(Exception inner) : Exception("DuckDB's typed CSV reader refused a record the fast path passed.", inner);
