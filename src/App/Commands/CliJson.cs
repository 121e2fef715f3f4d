using System.Text.Encodings.Web;
using System.Text.Json;

namespace RealtimeSeg.App.Commands;

/// <summary>JSON as the commands print it: readable quotes and paths (no \u0027 escapes), indented or compact.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
