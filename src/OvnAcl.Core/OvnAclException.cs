namespace OvnAcl;

/// <summary>Base of every error OvnAcl.Core raises about the policies, matches and ACLs it handles.</summary>
public class OvnAclException : Exception
{
    public OvnAclException(string message) : base(message) { }
    public OvnAclException(string message, Exception? innerException) : base(message, innerException) { }
}
