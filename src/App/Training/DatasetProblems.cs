using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Training;

/// <summary>
/// Every problem found while reading and checking a dataset, each one line naming the file, the shape and the fix.
/// Readers collect them all instead of stopping at the first, so a user fixes a dataset in one pass.
/// </summary>
internal sealed class DatasetProblems
{
    private readonly List<string> _lines = [];

    public int Count => _lines.Count;

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>One line, whatever the dataset's names hold: control characters (a newline in a file name) are shown escaped.</summary>
    public void Add(string line) => _lines.Add(line.Any(char.IsControl)
        ? string.Concat(line.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))
        : line);

    /// <summary>Throws when there is any problem: nothing may be written from a dataset that has one.</summary>
    public void ThrowIfAny()
    {
        if (_lines.Count > 0)
        {
            throw new DatasetProblemsException(_lines);
        }
    }
}

/// <summary>A dataset that failed its checks; <see cref="Problems"/> are the lines to print.</summary>
internal sealed class DatasetProblemsException(IReadOnlyList<string> problems)
    : RealtimeSegException($"the dataset has {problems.Count} problem(s): {problems[0]}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
