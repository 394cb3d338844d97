namespace Tributary.Orchestrations.Processing.Compression;

/// <summary>The input cannot be processed as a whole file; <see cref="Exception.Message"/> is the reason users see.</summary>
public sealed class UnreadableInputException : Exception
{
    public UnreadableInputException(string reason)
        : base(reason)
    {
    }

    public UnreadableInputException(string reason, Exception inner)
        : base(reason, inner)
    {
    }

    public UnreadableInputException()
    {
    }
}
