namespace OvnAcl.Acl;

/// <summary>A question the policy view cannot answer: an unknown port, a port without addresses, ports on different switches.</summary>
public sealed class AclPolicyException : OvnAclException
{
    /// <summary>The question or the rows cannot be answered as <paramref name="message"/> says.</summary>
    public AclPolicyException(string message) : base(message) { }
}
