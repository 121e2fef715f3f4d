using System.Text.Json;

namespace RealtimeSeg.App.Training;

/// <summary>Typed reads of annotation JSON that answer null for a missing or mistyped field, so readers report it, never throw.</summary>
internal static class JsonFields
{
    public static JsonElement? Field(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? String(this JsonElement e, string name) =>
        e.Field(name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static double? Number(this JsonElement e, string name) =>
        e.Field(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out double d) && double.IsFinite(d) ? d : null;

    public static int? Int(this JsonElement e, string name) =>
        e.Field(name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out int i) ? i : null;

    public static JsonElement? Array(this JsonElement e, string name) =>
        e.Field(name) is { ValueKind: JsonValueKind.Array } v ? v : null;

    /// <summary>A JSON array of finite numbers, or null.</summary>
    public static double[]? Numbers(this JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var values = new double[e.GetArrayLength()];
        int i = 0;
        foreach (var v in e.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out values[i]) || !double.IsFinite(values[i]))
            {
                return null;
            }
            i++;
        }
        return values;
    }

    /// <summary>Parses a file, or null with the reason (not JSON, unreadable).</summary>
    public static JsonDocument? TryParse(string path, out string? reason)
    {
        try
        {
            reason = null;
            byte[] bytes = File.ReadAllBytes(path);
            // JSON is UTF-8; the parser checks structure, not the bytes inside strings (GetString would throw later).
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                reason = "is not UTF-8 text";
                return null;
            }
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            // The parser's message quotes the offending text, which may span lines: its position says where.
            reason = $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
        }
        catch (IOException e)
        {
            reason = $"cannot be read ({e.Message})";
        }
        catch (UnauthorizedAccessException)
        {
            reason = "cannot be read (permission denied)";
        }
        return null;
    }
}
