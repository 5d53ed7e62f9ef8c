using OvnAcl.Acl;
using OvnAcl.Collections;

namespace OvnAcl.Explain;

/// <summary>The answer of <see cref="OfflineTopology.Explain"/>: the engine's decision, the endpoints and the rules behind it.</summary>
public sealed record OfflineExplanation
{
    /// <summary>What the ACLs decide for the packet.</summary>
    public required AclDecision Decision { get; init; }

    /// <summary>The endpoint the packet leaves.</summary>
    public required OfflineEndpoint From { get; init; }

    /// <summary>The endpoint the packet is sent to.</summary>
    public required OfflineEndpoint To { get; init; }

    /// <summary>The view the decision was made on (the topology's, plus a router port for an external end).</summary>
    public required AclPolicyView View { get; init; }

    /// <summary>The rule behind each stage's deciding ACL.</summary>
    public required Func<AclView, AclRuleSource> RuleOf { get; init; }

    /// <summary>
    /// The rules that decided: for a deny, the denying stage's ACL (none when <c>default_acl_drop</c> decided); for an
    /// allow, every reached stage an ACL allowed.
    /// </summary>
    public EquatableArray<(AclStage Stage, AclView Acl, AclRuleSource Rule)> DecidedBy =>
        ExplainReport.DecidingAcls(Decision).Select(s => (s.Stage, s.Acl!, RuleOf(s.Acl!))).ToEquatableArray();
}
