// Integration tests share 2 cores with Azurite, DuckDB and the engine: run them one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
