// Integration tests share 2 cores with Azurite, DuckDB and the engine. Two test classes run at a time: most of them
// wait on the engine (polling, visibility timeouts after a kill), not on the CPU. The CPU-heavy ones share one
// collection (HeavyTests) so that no two of them ever run together.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 2)]
