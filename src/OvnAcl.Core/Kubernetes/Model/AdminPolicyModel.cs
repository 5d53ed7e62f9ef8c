using OvnAcl.Collections;

namespace OvnAcl.Kubernetes.Model;

/// <summary>Where a cluster-scoped policy is evaluated: before NetworkPolicy (Admin) or after it (Baseline).</summary>
internal enum AdminTier
{
    Admin,
    Baseline,
}

/// <summary>A cluster policy rule's action: Allow (v1alpha2 Accept), Deny, or Pass (Admin tier only: NetworkPolicy decides).</summary>
internal enum AdminAction
{
    Allow,
    Deny,
    Pass,
}

/// <summary>The nodes a <c>nodes</c> egress peer selects: their addresses (from <c>status.addresses</c>).</summary>
internal sealed record NodePeer(LabelSelectorModel Selector) : PeerModel
{
    public override string Key => "nodes=" + Selector.Canonical;
}

/// <summary>
/// One rule of a cluster policy. <see cref="Peers"/> holds at least one peer: <see cref="PodPeer"/> (namespaces or
/// pods, with <see cref="PodPeer.Namespace"/> null), <see cref="IpBlockPeer"/> (networks, without except) or
/// <see cref="NodePeer"/>. <see cref="Ports"/> empty means all traffic (every protocol, ICMP included).
/// </summary>
internal sealed record AdminRuleModel(int Index, string? Name, AdminAction Action, EquatableArray<PeerModel> Peers, EquatableArray<PortModel> Ports)
{
    /// <summary>How explain and ACL names call the rule: its name, else its index.</summary>
    public string Label => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A validated AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy: one model for all three.
/// <see cref="Subject"/> is the pods it applies to (namespace selector with a pod selector, which is
/// <see cref="LabelSelectorModel.All"/> for a <c>namespaces</c> subject). <see cref="Priority"/> is 0 for a BANP.
/// </summary>
internal sealed record AdminPolicyModel(
    string Kind,
    string Name,
    AdminTier Tier,
    int Priority,
    PodPeer Subject,
    EquatableArray<AdminRuleModel> IngressRules,
    EquatableArray<AdminRuleModel> EgressRules,
    ObjectSource? Source = null)
{
    /// <summary><c>AdminNetworkPolicy/sre</c>: cluster-scoped, so kind and name identify it.</summary>
    public string Key => Kind + "/" + Name;

    /// <summary>Short kind for names and explain: ANP, BANP, CNP.</summary>
    public string ShortKind => Kind switch
    {
        "AdminNetworkPolicy" => "ANP",
        "BaselineAdminNetworkPolicy" => "BANP",
        _ => "CNP",
    };

    public EquatableArray<AdminRuleModel> Rules(PolicyDirection direction) =>
        direction == PolicyDirection.Ingress ? IngressRules : EgressRules;

    /// <summary>
    /// The order in which policies of one tier are evaluated: priority, then (the API leaves same-priority overlap
    /// undefined) kind (ClusterNetworkPolicy, then AdminNetworkPolicy, BaselineAdminNetworkPolicy last), then name.
    /// </summary>
    public static int CompareEvaluationOrder(AdminPolicyModel a, AdminPolicyModel b)
    {
        var byTier = a.Tier.CompareTo(b.Tier);
        if (byTier != 0)
        {
            return byTier;
        }

        var byPriority = a.Priority.CompareTo(b.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byKind = KindOrder(a.Kind).CompareTo(KindOrder(b.Kind));
        return byKind != 0 ? byKind : string.CompareOrdinal(a.Name, b.Name);

        static int KindOrder(string kind) => kind switch
        {
            "ClusterNetworkPolicy" => 0,
            "AdminNetworkPolicy" => 1,
            _ => 2,
        };
    }
}
