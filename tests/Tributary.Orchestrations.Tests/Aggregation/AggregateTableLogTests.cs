using System.Text.Json;
using Tributary.Orchestrations.Aggregation;
using Tributary.Orchestrations.Tables.Delta;

namespace Tributary.Orchestrations.Tests.Aggregation;

public sealed class AggregateTableLogTests
{
    [Theory]
    [InlineData("""{"timestamp":1,"operation":"REFRESH","operationParameters":{},"curatedVersion":7}""", 7L)]
    [InlineData("""{"timestamp":1,"operation":"MERGE","operationParameters":{},"userMetadata":"{\"curatedVersion\":9}"}""", 9L)]
    [InlineData("""{"timestamp":1,"operation":"MERGE","operationParameters":{},"userMetadata":"nightly fix"}""", null)]
    [InlineData("""{"timestamp":1,"operation":"OPTIMIZE","operationParameters":{}}""", null)]
    public void The_reflected_curated_version_comes_from_our_field_or_from_Spark_userMetadata(string commitInfo, long? expected)
    {
        var info = JsonSerializer.Deserialize<DeltaCommitInfo>(commitInfo, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal(expected, AggregateTableLog.CuratedVersionOf(info));
    }
}
