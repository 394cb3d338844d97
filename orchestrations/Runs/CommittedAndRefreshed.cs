using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables;

namespace Tributary.Orchestrations.Runs;

/// <summary>What <see cref="CommitAndRefreshActivity"/> did: the table commit, then the aggregate refresh.</summary>
public sealed record CommittedAndRefreshed(TableCommit Table, AggregationOutcome Aggregation);
