namespace Tributary.Cli.Hosting;

public enum HostRole
{
    /// <summary>Runs the core's orchestrators and activities. Keep one per task hub (see ARCHITECTURE.md).</summary>
    Worker,

    /// <summary>Only a durable client: starts, queries and stops runs that a worker elsewhere executes.</summary>
    ClientOnly,
}
