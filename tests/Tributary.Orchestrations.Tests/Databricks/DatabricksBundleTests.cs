using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Tributary.Orchestrations.Tests.Databricks;

public sealed class DatabricksBundleTests
{
    /// <summary>The job parameter contract: what PrepareDatabricksRunActivity sends (DatabricksJobParameters.Names).</summary>
    private static readonly string[] JobParameters =
        ["dataset", "run_id", "curated_table", "curated_version", "aggregate_table", "aggregation_sql", "affected_keys", "affected_keys_path", "affected_predicate", "summary_path"];

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Functions.sln not found above the test output folder.");
    }

    private static YamlMappingNode Bundle()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepoRoot(), "databricks", "databricks.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node)[key];

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;

    [Fact]
    public void Bundle_defines_tributary_with_dev_and_prod_targets()
    {
        var root = Bundle();

        Assert.Equal("tributary", Scalar(Map(root, "bundle"), "name"));
        var targets = Map(root, "targets");
        Assert.Equal("development", Scalar(targets["dev"], "mode"));
        Assert.Equal("production", Scalar(targets["prod"], "mode"));
    }

    [Fact]
    public void Job_declares_every_parameter_and_forwards_it_to_the_python_task()
    {
        var job = Map(Map(Map(Bundle(), "resources"), "jobs"), "tributary_aggregate");

        var declared = ((YamlSequenceNode)job["parameters"]).Children.Select(p => Scalar(p, "name")).ToArray();
        Assert.Equal(JobParameters, declared);
        Assert.Equal(JobParameters.Order(StringComparer.Ordinal), Tributary.Orchestrations.Aggregation.Databricks.DatabricksJobParameters.Names.Order(StringComparer.Ordinal));
        Assert.Contains("abfss://curated@", Scalar(((YamlSequenceNode)job["parameters"]).Children[2], "default"));
        Assert.EndsWith("/{dataset}/aggregate/", Scalar(((YamlSequenceNode)job["parameters"]).Children[4], "default"));

        var task = (YamlMappingNode)((YamlSequenceNode)job["tasks"]).Children.Single();
        var python = Map(task, "spark_python_task");
        Assert.Equal("./src/aggregate.py", Scalar(python, "python_file"));
        Assert.True(File.Exists(Path.Combine(RepoRoot(), "databricks", "src", "aggregate.py")));
        var args = ((YamlSequenceNode)python["parameters"]).Children.Select(a => ((YamlScalarNode)a).Value).ToArray();
        foreach (var name in JobParameters)
        {
            var at = Array.IndexOf(args, $"--{name}");
            Assert.True(at >= 0, $"--{name} missing");
            Assert.Equal($"{{{{job.parameters.{name}}}}}", args[at + 1]);
        }

        var environmentKey = Scalar(task, "environment_key");
        Assert.Contains(((YamlSequenceNode)job["environments"]).Children, e => Scalar(e, "environment_key") == environmentKey);
    }

    [Fact]
    public void Prod_grants_can_manage_run_to_the_service_principal()
    {
        var prodJob = Map(Map(Map(Map(Bundle(), "targets"), "prod"), "resources"), "jobs")["tributary_aggregate"];

        var permission = ((YamlSequenceNode)((YamlMappingNode)prodJob)["permissions"]).Children.Single();

        Assert.Equal("CAN_MANAGE_RUN", Scalar(permission, "level"));
        Assert.Equal("${var.service_principal_id}", Scalar(permission, "service_principal_name"));
    }

    [Fact]
    public async Task Aggregate_script_compiles()
    {
        var script = Path.Combine(RepoRoot(), "databricks", "src", "aggregate.py");
        var pyc = Path.Combine(Path.GetTempPath(), $"aggregate-{Guid.NewGuid():N}.pyc");

        var (exit, output) = await Python("-c", $"import py_compile; py_compile.compile(r'{script}', cfile=r'{pyc}', doraise=True)");

        Assert.True(exit == 0, output);
        File.Delete(pyc);
    }

    [Fact]
    public async Task Aggregate_script_parses_job_parameters_and_expands_paths()
    {
        var src = Path.Combine(RepoRoot(), "databricks", "src");
        const string Code = """
            import json, sys
            sys.dont_write_bytecode = True
            sys.path.insert(0, sys.argv[1])
            import aggregate
            a = aggregate.parse_args(['--dataset', 'sales', '--run_id', 'r-7',
                '--curated_table', 'abfss://curated@acct.dfs.core.windows.net/{dataset}/',
                '--curated_version', '17',
                '--aggregate_table', 'abfss://results@acct.dfs.core.windows.net/sales/aggregate/',
                '--aggregation_sql', 'SELECT region, SUM(amount) AS total FROM curated GROUP BY region;',
                '--affected_keys', '',
                '--affected_keys_path', 'abfss://results@acct.dfs.core.windows.net/{dataset}/aggregate/_refresh/{runId}.json',
                '--affected_predicate', '',
                '--summary_path', 'abfss://results@acct.dfs.core.windows.net/{dataset}/run={runId}/s.json'])
            print(json.dumps({k: v for k, v in vars(a).items() if k != 'keys'}))
            """;

        var (exit, output) = await Python("-c", Code, src);

        Assert.True(exit == 0, output);
        Assert.Contains("\"curated_table\": \"abfss://curated@acct.dfs.core.windows.net/sales/\"", output);
        Assert.Contains("\"curated_version\": 17", output);
        Assert.Contains("\"affected_keys_path\": \"abfss://results@acct.dfs.core.windows.net/sales/aggregate/_refresh/r-7.json\"", output);
        Assert.Contains("\"mode\": \"incremental\"", output);
        Assert.Contains("\"summary_path\": \"abfss://results@acct.dfs.core.windows.net/sales/run=r-7/s.json\"", output);
        Assert.Contains("\"aggregation_sql\": \"SELECT region, SUM(amount) AS total FROM curated GROUP BY region\"", output);
    }

    [Fact]
    public async Task Aggregate_script_unit_tests_pass_without_spark()
    {
        var tests = Path.Combine(RepoRoot(), "databricks", "tests");

        var (exit, output) = await Python("-B", "-m", "unittest", "discover", "-s", tests, "-v");

        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
        Assert.DoesNotContain("pyspark", output, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(int Exit, string Output)> Python(params string[] args)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
