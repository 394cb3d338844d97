using System.Text;
using System.Text.Json;

namespace Tributary.Orchestrations.Tables.Delta;

/// <summary>Newline-delimited JSON of a commit file: one action per line, each a single-line document.</summary>
public static class DeltaLogFile
{
    public static BinaryData Write(IEnumerable<DeltaAction> actions)
    {
        var text = new StringBuilder();
        foreach (var action in actions)
        {
            if (action.IsEmpty)
            {
                throw new ArgumentException("An action must carry exactly one of commitInfo, protocol, metaData, txn, remove, add.", nameof(actions));
            }

            text.Append(JsonSerializer.Serialize(action, DeltaJson.Options)).Append('\n');
        }

        return BinaryData.FromString(text.ToString());
    }

    /// <summary>Reads every known action; unknown actions and unknown fields are ignored (forward compatibility).</summary>
    public static IReadOnlyList<DeltaAction> Read(BinaryData content)
    {
        var actions = new List<DeltaAction>();
        foreach (var line in content.ToString().Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var action = JsonSerializer.Deserialize<DeltaAction>(line, DeltaJson.Options);
            if (action is not null && !action.IsEmpty)
            {
                actions.Add(Normalized(action));
            }
        }

        return actions;
    }

    internal static DeltaAction Normalized(DeltaAction action) => action with
    {
        Add = action.Add?.Normalized(),
        MetaData = action.MetaData?.Normalized(),
    };
}
