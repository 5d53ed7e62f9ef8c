namespace OvnAcl.Kubernetes;

/// <summary>How <see cref="KubernetesCompiler"/> names and prioritizes what it emits.</summary>
public sealed record KubernetesCompileOptions
{
    /// <summary>Controller <c>ovnacl</c> and the compiler's defaults.</summary>
    public static KubernetesCompileOptions Default { get; } = new();

    /// <summary>
    /// Written to every row's <c>external_ids:owner-controller</c> and, with characters other than letters, digits and
    /// <c>_</c> replaced by <c>_</c>, the prefix of every port-group and address-set name.
    /// </summary>
    public string ControllerName { get; init; } = "ovnacl";

    /// <summary>
    /// The logical switch port of a pod from its namespace and name; ovn-kubernetes' <c>namespace_name</c> by default.
    /// Must depend on nothing else: <see cref="KubernetesEngine"/> keeps the name with a pod's model and reuses it.
    /// </summary>
    public Func<string, string, string> LogicalSwitchPortName { get; init; } = static (ns, pod) => ns + "_" + pod;

    /// <summary>The <c>Meter</c> logged ACLs name (ovn-kubernetes creates <c>acl-logging</c>).</summary>
    public string LoggingMeter { get; init; } = "acl-logging";

    /// <summary>Default-deny ACLs of isolated pods.</summary>
    public int DefaultDenyPriority { get; init; } = 1000;

    /// <summary>Policy allows and the ARP/ND allowance; must be above <see cref="DefaultDenyPriority"/>.</summary>
    public int AllowPriority { get; init; } = 1001;

    /// <summary>
    /// The allowance of traffic between a pod and its own node (kubelet probes, node-local agents); must be above
    /// <see cref="DefaultDenyPriority"/>. Kubernetes allows it whatever the policies say.
    /// </summary>
    public int NodeAllowPriority { get; init; } = 1001;

    /// <summary>
    /// Where a node's source addresses come from when it has no <c>ovnacl.io/node-source-addresses</c> annotation
    /// (which always wins).
    /// </summary>
    public NodeAddressSource NodeAddressSource { get; init; } = NodeAddressSource.InternalIP;

    /// <summary>
    /// Write ACL tiers (OVN 23.06 and later, NB schema 7.0.3+): cluster policies' Admin tier in tier 1 with Pass as the
    /// <c>pass</c> action, NetworkPolicy and node rows in tier 2, the Baseline tier in tier 3. False (the default) is the
    /// form every OVN takes, 23.03 included: the tiers flattened into priorities, a Pass taken out of the rules below it (OVNK0409 where it cannot be)
    /// (docs/admin-policy.md). A database without the <c>tier</c> column refuses tiered rows rather than ignoring
    /// the tier.
    /// </summary>
    public bool AclTiers { get; init; }

    /// <summary>Allows below the default deny would never allow: refused before anything is compiled.</summary>
    internal void Validate()
    {
        if (AllowPriority <= DefaultDenyPriority)
        {
            throw new ArgumentException("AllowPriority must be above DefaultDenyPriority", "options");
        }

        if (NodeAllowPriority <= DefaultDenyPriority)
        {
            throw new ArgumentException("NodeAllowPriority must be above DefaultDenyPriority: a node's probes would be dropped", "options");
        }
    }
}

/// <summary>The addresses a node's traffic to its own pods comes from, as the CNI routes it.</summary>
public enum NodeAddressSource
{
    /// <summary><c>status.addresses</c> of type <c>InternalIP</c>: a CNI that lets the node reach pods from its own IP.</summary>
    InternalIP,

    /// <summary>
    /// ovn-kubernetes' management port: the second address of each subnet in the node's <c>k8s.ovn.org/node-subnets</c>
    /// annotation (<c>10.244.1.2</c> for <c>10.244.1.0/24</c>), the address the node's traffic to its pods leaves
    /// <c>ovn-k8s-mp0</c> with.
    /// </summary>
    OvnKubernetesManagementPort,
}
