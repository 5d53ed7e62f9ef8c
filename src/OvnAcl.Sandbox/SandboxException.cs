namespace OvnAcl.Sandbox;

/// <summary>
/// A sandbox could not get a real server or tool into the state its user needs (did not start, did not become
/// ready, lost its cluster, a tool timed out). The message carries what was probed and the tail of the server's log.
/// </summary>
public sealed class SandboxException : Exception
{
    public SandboxException(string message) : base(message) { }
    public SandboxException(string message, Exception? innerException) : base(message, innerException) { }
}
