namespace OvnAcl;

/// <summary>Base of every error OvnAcl.Core raises about the policies, matches and ACLs it handles.</summary>
public class OvnAclException : Exception
{
    /// <summary>An error with <paramref name="message"/>, for a failure no subtype describes.</summary>
    public OvnAclException(string message) : base(message) { }
    /// <summary>An error with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public OvnAclException(string message, Exception? innerException) : base(message, innerException) { }
}
