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
}
