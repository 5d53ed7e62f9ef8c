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

    /// <summary>
    /// For a connection to a load balancer VIP (a Service's ClusterIP, or <c>service/NAMESPACE/NAME</c>): every backend's
    /// decision. <see cref="Decision"/> and <see cref="To"/> are then those of the first backend denied, else of the
    /// first backend (for a VIP without backends, the VIP itself and the load balancer's drop).
    /// </summary>
    public OfflineLoadBalancing? LoadBalancing { get; init; }

    /// <summary>The rule behind each stage's deciding ACL.</summary>
    public required Func<AclView, AclRuleSource> RuleOf { get; init; }

    /// <summary>
    /// The Pass rules of cluster policies the packet went through before the rules that decided, in stage order. For
    /// tiered rows these are the decision's <c>pass</c> ACLs; the flattened rows (OVN 23.03) compile Pass away, so
    /// the topology asks the tiered rows of the same input (which give the same verdicts, docs/admin-policy.md).
    /// </summary>
    public EquatableArray<PassedRule> PassedBy { get; init; } = EquatableArray<PassedRule>.Empty;

    /// <summary>
    /// The rules that decided: for a deny, the denying stage's ACL (none when <c>default_acl_drop</c> decided); for an
    /// allow, every reached stage an ACL allowed.
    /// </summary>
    public EquatableArray<(AclStage Stage, AclView Acl, AclRuleSource Rule)> DecidedBy =>
        ExplainReport.DecidingAcls(Decision).Select(s => (s.Stage, s.Acl!, RuleOf(s.Acl!))).ToEquatableArray();
}

/// <summary>One backend of the VIP an offline explanation went through, as the topology names it.</summary>
public sealed record OfflineBackend
{
    /// <summary>The backend's address and port, as in the load balancer's <c>vips</c>.</summary>
    public required LoadBalancerAddress Backend { get; init; }

    /// <summary>The pod (or outside address) holding the backend's address.</summary>
    public required OfflineEndpoint Endpoint { get; init; }

    /// <summary>What the ACLs decide for a connection OVN sends to this backend.</summary>
    public required AclDecision Decision { get; init; }
}

/// <summary>A connection to a Service's VIP: the load balancer, and each backend with its decision.</summary>
public sealed record OfflineLoadBalancing
{
    /// <summary>The engine's answer for every backend (or for a VIP without any).</summary>
    public required LoadBalancedDecision Decision { get; init; }

    /// <summary>The backends with the endpoints holding them, in the VIP's order.</summary>
    public required EquatableArray<OfflineBackend> Backends { get; init; }

    /// <summary>The Service (<c>namespace/name</c>) the load balancer stands for, when its external_ids say.</summary>
    public string? Service => Decision.LoadBalancer.Service;
}

/// <summary>A <c>pass</c> ACL a packet went through at <paramref name="Stage"/>, and the rule it comes from.</summary>
/// <param name="Stage">The ACL stage that passed the packet on to the next tier.</param>
/// <param name="Rule">The policy rule of the <c>pass</c> ACL (an AdminNetworkPolicy's or ClusterNetworkPolicy's Pass rule).</param>
public sealed record PassedRule(AclStage Stage, AclRuleSource Rule);
