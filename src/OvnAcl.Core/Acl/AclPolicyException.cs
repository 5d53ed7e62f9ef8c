namespace OvnAcl.Acl;

/// <summary>A question the policy view cannot answer: an unknown port, a port without addresses, ports on different switches.</summary>
public sealed class AclPolicyException : OvnAclException
{
    public AclPolicyException(string message) : base(message) { }
}
