using RealtimeSeg.Runtime;

namespace RealtimeSeg.App.Commands;

/// <summary>Runs a command body so that a user sees one line per error, never a stack dump.</summary>
internal static class CommandRunner
{
    public const int UserError = 2;
    public const int InternalError = 70;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (RealtimeSegException e)
        {
            Console.Error.WriteLine($"error: {CliWording.ForCommandLine(e.Message)}");
            return UserError;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserError;
        }
#pragma warning disable CA1031 // the last line of defence: report, don't crash with a trace
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("REALTIMESEG_DEBUG") == "1")
            {
                Console.Error.WriteLine(e);
            }
            else
            {
                Console.Error.WriteLine("(set REALTIMESEG_DEBUG=1 to print the stack trace, and please report it)");
            }
            return InternalError;
        }
#pragma warning restore CA1031
    }
}
