using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tributary.Orchestrations.Datasets;
using Tributary.Orchestrations.Processing;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>
/// A pack of small CSV files processed in one DuckDB pass must give every file exactly what the single path gives it:
/// the same outcome, byte-identical rejects (true lines and records of its own file), the same curated rows and types.
/// </summary>
public sealed class CsvPackProcessorTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("tributary-pack-").FullName;

    private static readonly string Header = string.Join(',', FastPathEquivalenceTests.FileColumns);

    private static Gen<string[]> PackGen =>
        from count in Gen.Choose(2, 6)
        from files in FastPathEquivalenceTests.FileGen.ArrayOf(count)
        select files;

    [Property(MaxTest = 40)]
    public Property Each_file_of_a_pack_gets_what_the_single_path_gives_it() => Prop.ForAll(PackGen.ToArbitrary(), files =>
    {
        var (differences, together) = Compare(files);
        return (differences.Count == 0).Label(string.Join("; ", differences)).Classify(together > 0, "shared pass used");
    });

    [Fact]
    public void Files_with_file_level_problems_refused_rows_and_another_header_each_keep_their_own_outcome()
    {
        var plain = $"{Header}\n2024-06-01 12:00:00,1,Astoria,01/06/2024,,3,1.5,12.50,true,card,x\n2024-06-02 12:00:00,2,Gramercy,,,,,5.00,,cash,\n";
        var withRejects = $"{Header}\n2024-06-01 12:00:00,3,astoria,01/06/2024,,3,1.5,12.50,true,card,x\n\n2024-06-01 12:00:00,4,Astoria,,,,,0.10,,,\nonly,three,fields\n2024-06-01 12:00:00,5,Astoria,,,,,7.00,,,\n";
        var reordered = "id,at,zone,fare,extra\n6,2024-06-01 12:00:00,Astoria,3.00,y\n7,2024-06-01 13:00:00,Astoria,4.00,z\n";
        var reorderedToo = "id,at,zone,fare,extra\n8,2024-06-01 12:00:00,Astoria,+3.00,y\n";
        string[] files =
        [
            plain,
            withRejects,
            string.Empty,                                   // 0 bytes
            Header + "\n",                                 // no data records
            "id,zone\n1,Astoria\n",                        // missing required columns
            reordered,
            reorderedToo,
            $"{Header}\n2024-06-01 12:00:00,9,Astoria\u00e9,01/06/2024,,3,1.5,12.50,true,card,x\n",
        ];
        var bytes = files.Select(f => Encoding.UTF8.GetBytes(f)).ToList();
        // Invalid UTF-8 inside a field of the last file: DuckDB's reader refuses that record.
        var invalidUtf8 = Encoding.UTF8.GetBytes($"{Header}\n2024-06-01 12:00:00,10,Astoria,01/06/2024,,3,1.5,12.50,true,card,x\n2024-06-01 12:00:00,11,Ast");
        bytes.Add([.. invalidUtf8, 0xC3, 0x28, .. Encoding.UTF8.GetBytes("ria,,,,,1.00,,,\n")]);

        var (differences, together) = Compare(bytes);

        Assert.Empty(differences);
        Assert.True(together >= 4, $"only {together} files took the shared pass");
    }

    private (List<string> Differences, long Together) Compare(IReadOnlyList<string> files) =>
        Compare(files.Select(f => (f.Length > 0 && f[0] == '\uFEFF' ? [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(f[1..])] : Encoding.UTF8.GetBytes(f))).ToList());

    private (List<string> Differences, long Together) Compare(IReadOnlyList<byte[]> files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(work, Guid.NewGuid().ToString("N"))).FullName;
        PackMember Member(int i, string side)
        {
            var scratch = Directory.CreateDirectory(Path.Combine(folder, $"{side}-{i}")).FullName;
            var input = Path.Combine(scratch, "input.csv");
            File.WriteAllBytes(input, files[i]);
            return new PackMember(new LocalChunk(input, DataFormat.Csv, $"in-{i}.csv"), Path.Combine(scratch, "curated.parquet"), Path.Combine(scratch, "rejected.jsonl"), scratch);
        }

        var single = new DuckDbChunkProcessor();
        var pack = new CsvPackProcessor(single);
        var packed = Enumerable.Range(0, files.Count).Select(i => Member(i, "pack")).ToList();
        var packOutcomes = pack.Process(packed, FastPathEquivalenceTests.Dataset, folder);
        var differences = new List<string>();
        for (var i = 0; i < files.Count; i++)
        {
            var alone = Member(i, "single");
            var outcome = single.Process(alone.Chunk, FastPathEquivalenceTests.Dataset, alone.CuratedPath, alone.RejectedPath, alone.WorkDirectory);
            if (outcome != packOutcomes[i])
            {
                differences.Add($"file {i}: {packOutcomes[i]} vs {outcome}");
            }

            if (!Lines(packed[i].RejectedPath, outcome.RowsRejected).SequenceEqual(Lines(alone.RejectedPath, outcome.RowsRejected)))
            {
                differences.Add($"file {i}: rejects differ");
            }

            if (outcome.FileProblem is null)
            {
                if (FastPathEquivalenceTests.CuratedDifference(packed[i].CuratedPath, alone.CuratedPath) != 0)
                {
                    differences.Add($"file {i}: curated rows differ");
                }

                if (!FastPathEquivalenceTests.Describe(packed[i].CuratedPath).SequenceEqual(FastPathEquivalenceTests.Describe(alone.CuratedPath)))
                {
                    differences.Add($"file {i}: curated types differ");
                }
            }
        }

        return (differences, pack.FilesPassedTogether);
    }

    /// <summary>A chunk's reject lines; a file left from a pass that was redone does not count when the outcome has none.</summary>
    private static string[] Lines(string path, long rejected) => rejected > 0 && File.Exists(path) ? File.ReadAllLines(path) : [];

    public void Dispose() => Directory.Delete(work, recursive: true);
}
