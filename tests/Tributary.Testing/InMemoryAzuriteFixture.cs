namespace Tributary.Testing;

/// <summary>Azurite with --inMemoryPersistence: for the big tests, where storage round-trips dominate.</summary>
public sealed class InMemoryAzuriteFixture() : AzuriteFixture(inMemory: true);
