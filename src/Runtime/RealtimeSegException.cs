namespace RealtimeSeg.Runtime;

/// <summary>
/// Base of every error RealtimeSeg reports to a user. The message is one line that names what was found,
/// what was expected and, where there is one, the fix; the CLI prints it as is, without a stack trace.
/// </summary>
public class RealtimeSegException : Exception
{
    public RealtimeSegException(string message) : base(message) { }

    public RealtimeSegException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A model file that cannot serve as a detector: missing, unreadable, or of the wrong shape.</summary>
public sealed class ModelLoadException : RealtimeSegException
{
    public ModelLoadException(string message) : base(message) { }

    public ModelLoadException(string message, Exception inner) : base(message, inner) { }
}
