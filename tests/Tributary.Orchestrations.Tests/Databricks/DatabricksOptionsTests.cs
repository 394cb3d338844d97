using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tributary.Orchestrations.Aggregation.Databricks;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksOptionsTests
{
    [Fact]
    public void Binds_from_configuration_section()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Databricks:WorkspaceUrl"] = "https://adb-1234567890123456.7.azuredatabricks.net",
            ["Databricks:JobId"] = "987654321",
            ["Databricks:Auth"] = "OAuthM2M",
            ["Databricks:ClientId"] = "sp-id",
            ["Databricks:ClientSecret"] = "sp-secret",
            ["Databricks:PollIntervalMin"] = "00:00:05",
            ["Databricks:PollIntervalMax"] = "00:02:00",
            ["Databricks:RunTimeout"] = "03:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDatabricksJobs(config.GetSection(DatabricksJobsOptions.SectionName));
        using var sp = services.BuildServiceProvider();

        var o = sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value;

        Assert.Equal(987654321, o.JobId);
        Assert.Equal(DatabricksAuthKind.OAuthM2M, o.Auth);
        Assert.Equal(TimeSpan.FromSeconds(5), o.PollSchedule.Min);
        Assert.Equal(TimeSpan.FromMinutes(2), o.PollSchedule.Max);
        Assert.Equal(TimeSpan.FromHours(3), o.RunTimeout);
        Assert.NotNull(sp.GetRequiredService<DatabricksJobsClient>());
    }

    [Fact]
    public void Incomplete_options_fail_validation_on_first_use()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDatabricksJobs(o => o.Auth = DatabricksAuthKind.Pat);
        using var sp = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<DatabricksJobsOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("WorkspaceUrl", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("JobId", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Token", StringComparison.Ordinal));
    }

    [Fact]
    public void ToString_redacts_secrets()
    {
        var o = new DatabricksJobsOptions { WorkspaceUrl = "https://w", JobId = 1, Token = "dapi-very-secret", ClientId = "id", ClientSecret = "oauth-very-secret" };

        var text = o.ToString();

        Assert.DoesNotContain("dapi-very-secret", text);
        Assert.DoesNotContain("oauth-very-secret", text);
        Assert.Contains("https://w", text);
        Assert.Contains("***", text);
        Assert.DoesNotContain("dapi-very-secret", (o with { }).ToString());
        Assert.DoesNotContain("dapi-very-secret", new PatAuthHandler("dapi-very-secret").ToString());
    }
}
