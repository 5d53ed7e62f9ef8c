namespace OvnAcl.Testing;

/// <summary>The scripted fake peer did not see what a test expects of the client (no connection, no complete message).</summary>
public sealed class FixtureException : Exception
{
    public FixtureException(string message) : base(message) { }
    public FixtureException(string message, Exception? innerException) : base(message, innerException) { }
}
