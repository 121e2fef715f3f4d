using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace RealtimeSeg.App;

/// <summary>
/// A command line that does not parse becomes one line on stderr that names the problem and where the help is,
/// with exit code 2 like every other user error; never the whole help with the error at the end.
/// </summary>
internal static partial class UsageErrors
{
    public static string Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        string path = command is RootCommand ? "realtimeseg" : $"realtimeseg {command.Name}";
        string where = command is RootCommand ? "" : $" for '{command.Name}'";
        // An unknown word explains the rest ("segmnet" also leaves the command missing): name it first.
        var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
        string message = error.Message.Trim().TrimEnd('.');
        string problem = message switch
        {
            _ when Unrecognized().Match(message) is { Success: true } m => m.Groups[1].Value.StartsWith('-')
                ? $"unknown option '{m.Groups[1].Value}'{where}"
                : command is RootCommand ? $"unknown command '{m.Groups[1].Value}'" : $"unexpected argument '{m.Groups[1].Value}'{where}",
            _ when Required().Match(message) is { Success: true } m => $"missing option {m.Groups[1].Value}{where}",
            _ when message.StartsWith("Required command was not provided", StringComparison.Ordinal) => "no command given",
            _ => $"{char.ToLowerInvariant(message[0])}{message[1..]}{where}",
        };
        return $"error: {problem}; see {path} --help";
    }

    [GeneratedRegex("^Unrecognized command or argument '(.+)'$")]
    private static partial Regex Unrecognized();

    [GeneratedRegex("^Option '(.+)' is required$")]
    private static partial Regex Required();
}
