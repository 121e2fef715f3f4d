using System.Text.Json;

namespace RealtimeSeg.Runtime.Structures;

/// <summary>Class names by model label id; index 0 is the background.</summary>
public sealed class LabelMap
{
    private readonly string[] _names;

    /// <summary>Names by class id (background first) and where they came from, for messages.</summary>
    public LabelMap(IReadOnlyList<string> names, string source)
    {
        ArgumentNullException.ThrowIfNull(names);
        _names = [.. names];
        Source = source;
    }

    /// <summary>Number of classes, background included.</summary>
    public int Count => _names.Length;

    /// <summary>Where the names came from (a file path, "model metadata", or "none").</summary>
    public string Source { get; }

    /// <summary>Names by class id, background first.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The name of <paramref name="classId"/>, or "class N" when the map has no names.</summary>
    public string Name(int classId) =>
        (uint)classId < (uint)_names.Length ? _names[classId] : $"class {classId}";

    /// <summary>Whether <paramref name="classId"/> has a name (always true when there are no labels at all).</summary>
    public bool IsKnown(int classId) => _names.Length == 0 || (uint)classId < (uint)_names.Length;

    /// <summary>Reads a labels file: one name per line, the first line is the background.</summary>
    public static LabelMap FromFile(string path)
    {
        var names = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (names.Count > 0 && names[^1].Length == 0)
        {
            names.RemoveAt(names.Count - 1);
        }
        if (names.Count < 2)
        {
            throw new ModelLoadException($"labels file {path} has {names.Count} line(s); expected the background on line 1 and one class name per line after it");
        }
        return new LabelMap(names, path);
    }

    /// <summary>Reads a JSON array of names from model metadata.</summary>
    public static LabelMap FromJson(string json, string source)
    {
        // Read with JsonDocument, not the reflection serializer: the library also ships NativeAOT-compiled (librealtimeseg).
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Null)
            {
                return new LabelMap([], source);
            }
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ModelLoadException($"{source} holds labels that are not a JSON list of names (a {doc.RootElement.ValueKind})");
            }
            var names = new List<string>();
            foreach (var name in doc.RootElement.EnumerateArray())
            {
                names.Add(name.ValueKind == JsonValueKind.String ? name.GetString()!
                    : throw new ModelLoadException($"{source} holds labels that are not a JSON list of names (a {name.ValueKind} in it)"));
            }
            return new LabelMap(names, source);
        }
        catch (JsonException e)
        {
            // The parser's message quotes the offending text, which may span lines: its position says where.
            throw new ModelLoadException($"{source} holds labels that are not a JSON list of names (invalid JSON at byte {e.BytePositionInLine + 1} of line {e.LineNumber + 1})");
        }
    }

    /// <summary>No names: classes are shown as "class N".</summary>
    public static LabelMap None { get; } = new([], "none");
}
