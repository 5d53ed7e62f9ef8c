namespace OvnAcl.Testing;

/// <summary>
/// The test infrastructure could not get a real server into the state a test needs (did not start, did not
/// become ready, lost its cluster). The message carries what was probed and the tail of the server's log.
/// </summary>
public sealed class FixtureException : Exception
{
    public FixtureException(string message) : base(message) { }
    public FixtureException(string message, Exception? innerException) : base(message, innerException) { }
}
