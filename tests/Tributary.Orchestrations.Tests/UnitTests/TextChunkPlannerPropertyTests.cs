using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tributary.Orchestrations.Processing.Text;
using Tributary.Orchestrations.Tests.Fixtures;

namespace Tributary.Orchestrations.Tests.UnitTests;

/// <summary>
/// For random CSV files (quoted delimiters, quotes, LF and CRLF inside fields, CRLF and LF endings, blank lines,
/// BOM, no trailing newline), random chunk sizes and reads split at random places, the chunks tile the file and together hold every record
/// exactly once, in order, with its true line number.
/// </summary>
public sealed class TextChunkPlannerPropertyTests
{
    private static readonly string[] Pieces = ["a", "bc", "1.5", ",", "\"", "\n", "\r\n", "é", " ", "x\"y", ""];

    public sealed record GeneratedFile(byte[] Bytes, List<List<string>> Records, List<long> Lines, bool Header, int TargetBytes, int MaxRead);

    private static Gen<string> FieldGen =>
        Gen.Choose(0, 3).SelectMany(n => Gen.Elements(Pieces).ArrayOf(n)).Select(parts => string.Concat(parts));

    private static Gen<GeneratedFile> FileGen =>
        from columns in Gen.Choose(1, 4)
        from rows in Gen.Choose(0, 25)
        from records in FieldGen.ArrayOf(columns).ArrayOf(rows)
        from endings in Gen.Elements("\n", "\r\n").ArrayOf(rows + 1)
        from blanks in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Choose(1, 2))).ArrayOf(rows + 1)
        from header in Gen.Elements(true, false)
        from bom in Gen.Elements(true, false)
        from trailingNewline in Gen.Elements(true, false)
        from target in Gen.Choose(1, 200)
        from maxRead in Gen.Choose(1, 64)
        select Build(records, endings, blanks, header, bom, trailingNewline, target) with { MaxRead = maxRead };

    [Property(MaxTest = 1000)]
    public Property ChunksHoldEveryRecordExactlyOnce() => Prop.ForAll(FileGen.ToArbitrary(), file =>
    {
        var layout = TextChunkPlanner.PlanAsync(new TrickleStream(file.Bytes, file.MaxRead), new TextDialect((byte)',', (byte)'"'), file.Header, file.TargetBytes)
            .GetAwaiter().GetResult();

        // The chunks tile the file: no byte is skipped or read twice.
        long next = 0;
        foreach (var chunk in layout.Chunks)
        {
            if (chunk.Offset != next || chunk.Length <= 0)
            {
                return false.Label($"chunk at {chunk.Offset} (length {chunk.Length}) does not follow {next}");
            }

            next = chunk.End();
        }

        if (next != file.Bytes.Length)
        {
            return false.Label($"chunks end at {next}, file has {file.Bytes.Length} bytes");
        }

        // Each chunk, read on its own from its first line, yields the generated records in order.
        var seen = new List<List<string>>();
        var lines = new List<long>();
        var headerSkipped = !file.Header;
        foreach (var chunk in layout.Chunks)
        {
            var scanner = new TextRecordScanner(new TextDialect((byte)',', (byte)'"'), chunk.Offset, chunk.FirstLine);
            var found = new List<TextRecord>();
            scanner.Feed(file.Bytes.AsSpan((int)chunk.Offset, (int)chunk.Length), chunk.Offset, found.Add);
            scanner.Finish(chunk.End(), found.Add);
            var dataRecords = 0;
            foreach (var record in found.Where(r => !r.Blank))
            {
                if (!headerSkipped)
                {
                    headerSkipped = true;
                    continue;
                }

                if (dataRecords == 0 && seen.Count + 1 != chunk.FirstRecord)
                {
                    return false.Label($"chunk at {chunk.Offset} says its first record is {chunk.FirstRecord}, it is {seen.Count + 1}");
                }

                var text = Encoding.UTF8.GetString(file.Bytes, (int)record.Offset, (int)record.Length).TrimStart('\uFEFF');
                seen.Add(CsvText.Split(CsvText.WithoutTerminator(text)));
                lines.Add(record.Line);
                dataRecords++;
            }

            if (dataRecords != chunk.Records)
            {
                return false.Label($"chunk at {chunk.Offset} says {chunk.Records} records, holds {dataRecords}");
            }
        }

        var same = seen.Count == file.Records.Count && seen.Zip(file.Records).All(p => p.First.SequenceEqual(p.Second));
        return same.Label($"records differ: got {seen.Count}, expected {file.Records.Count}")
            .And(lines.SequenceEqual(file.Lines).Label($"lines [{string.Join(",", lines)}] != [{string.Join(",", file.Lines)}]"))
            .And((layout.Records == file.Records.Count).Label("record count"));
    });

    private static GeneratedFile Build(string[][] rows, string[] endings, int[] blanks, bool header, bool bom, bool trailingNewline, int target)
    {
        var text = new StringBuilder();
        var lines = new List<long>();
        long line = 1;
        void Append(string s)
        {
            text.Append(s);
            line += s.Count(c => c == '\n');
        }

        void Blank(int i)
        {
            for (var b = 0; b < blanks[i]; b++)
            {
                Append(endings[i]);
            }
        }

        var columns = rows.Length > 0 ? rows[0].Length : 1;
        var all = new List<string[]>();
        if (header)
        {
            all.Add(Enumerable.Range(0, columns).Select(c => $"c{c}").ToArray());
        }

        all.AddRange(rows);
        for (var i = 0; i < all.Count; i++)
        {
            Blank(Math.Min(i, blanks.Length - 1));
            if (!header || i > 0)
            {
                lines.Add(line);
            }

            // A lone empty field would be a blank line: quote it so the record stays a record.
            var fields = all[i].Select(f => CsvText.Field(f, forceQuotes: all[i].Length == 1 && f.Length == 0));
            Append(string.Join(',', fields));
            if (i < all.Count - 1 || trailingNewline)
            {
                Append(endings[Math.Min(i, endings.Length - 1)]);
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (bom)
        {
            bytes = [0xEF, 0xBB, 0xBF, .. bytes];
        }

        return new GeneratedFile(bytes, rows.Select(r => r.ToList()).ToList(), lines, header, target, int.MaxValue);
    }
}

internal static class TextChunkExtensions
{
    public static long End(this TextChunk chunk) => chunk.Offset + chunk.Length;
}
