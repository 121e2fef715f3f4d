namespace RealtimeSeg.Runtime;

/// <summary>
/// Base of every error RealtimeSeg reports to a user. The message is one line that names what was found,
/// what was expected and, where there is one, the fix; the CLI prints it as is, without a stack trace.
/// </summary>
public class RealtimeSegException : Exception
{
    /// <summary>An error with a one-line message that names the problem and the fix.</summary>
    public RealtimeSegException(string message) : base(message) { }

    /// <summary>An error with a one-line message and its cause.</summary>
    public RealtimeSegException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A model file that cannot serve as a detector: missing, unreadable, or of the wrong shape.</summary>
public sealed class ModelLoadException : RealtimeSegException
{
    /// <summary>A model that cannot be served, with what was found and the fix.</summary>
    public ModelLoadException(string message) : base(message) { }

    /// <summary>A model that cannot be served, with its cause.</summary>
    public ModelLoadException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A model that loaded but returned outputs its contract does not allow on a frame (counts that disagree, a class
/// id its labels do not name, a wrong element type): the model or its labels file is at fault, not the frame.
/// </summary>
public sealed class ModelOutputException : RealtimeSegException
{
    /// <summary>Outputs the contract does not allow, with what was found.</summary>
    public ModelOutputException(string message) : base(message) { }

    /// <summary>Outputs the contract does not allow, with their cause.</summary>
    public ModelOutputException(string message, Exception inner) : base(message, inner) { }
}
