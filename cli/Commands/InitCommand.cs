using System.CommandLine;

namespace Tributary.Cli.Commands;

/// <summary>`tributary init [FOLDER]`: a new project folder with the sample taxi dataset definition and a README stub.</summary>
public static class InitCommand
{
    public const string SampleResource = "Tributary.Cli.Samples.taxi.json";

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("folder") { Description = "Folder to initialise (default: the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("init", "Write the sample 'taxi' dataset definition (datasets/taxi.json) and a README into a folder.") { folder };
        command.SetAction(parse =>
        {
            var target = parse.GetValue(folder)?.FullName ?? Directory.GetCurrentDirectory();
            var dataset = Path.Combine(target, "datasets", "taxi.json");
            var readme = Path.Combine(target, "README.md");
            var existing = new[] { dataset, readme }.Where(File.Exists).ToList();
            if (existing.Count > 0)
            {
                Console.Error.WriteLine($"tributary: not overwriting {string.Join(", ", existing)}; init writes into a new folder.");
                return 2;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(dataset)!);
            using (var sample = typeof(InitCommand).Assembly.GetManifestResourceStream(SampleResource)
                   ?? throw new InvalidOperationException($"the sample definition ({SampleResource}) is missing from the build"))
            using (var file = File.Create(dataset))
            {
                sample.CopyTo(file);
            }

            File.WriteAllText(readme, Readme);
            Console.WriteLine($"tributary: wrote {dataset} and {readme}.");
            Console.WriteLine("Next: `tributary demo`, or `tributary serve` here and `tributary drop FILE --dataset taxi` in another terminal.");
            return 0;
        });
        return command;
    }

    private const string Readme = """
        # Tributary project

        Dataset definitions live in `datasets/` (one JSON or YAML file per dataset; `taxi.json` is the sample).
        Tributary keeps its state (the shared local storage, demo output) in `.tributary/` here; add it to `.gitignore`.

        ```bash
        tributary demo                              # the whole pipeline on generated taxi data
        tributary serve                             # terminal 1: watch incoming/, process, serve the runs API
        tributary drop trips.csv --dataset taxi     # terminal 2: upload a file
        tributary runs                              # list runs (--json for scripts)
        tributary get RUN_ID                        # download a run's outputs to ./RUN_ID
        tributary storage status                    # the local storage (Azurite): pid, endpoints, connection string
        tributary storage stop                      # stop it (it keeps running between commands otherwise)
        ```

        """;
}
