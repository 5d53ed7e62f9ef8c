using System.Globalization;
using k8s.Models;
using OvnAcl.Kubernetes;

namespace OvnAcl.Benchmarking;

/// <summary>The policy shapes of <c>ovnacl bench enforce</c>.</summary>
internal enum EnforceShape
{
    /// <summary>Pods under 10 policies (one per namespace), each admitting TCP 8080 from the next namespace's group.</summary>
    PodChurn,

    /// <summary>One policy per namespace admitting an ipBlock 10.0.0.0/8 with 3 excepts (10.1-3.0.0/16).</summary>
    IpBlockExcept,

    /// <summary>As <see cref="PodChurn"/>, to the named port <c>http</c> (container port 8080 on every pod).</summary>
    NamedPort,

    /// <summary>One policy per namespace admitting TCP 8080 from every pod of the next namespace (a <c>namespaceSelector</c> alone).</summary>
    NamespaceSelector,

    /// <summary>
    /// The 10 policies of <see cref="PodChurn"/>, and events that add, update (its port) and delete an eleventh:
    /// ACLs change, not only members.
    /// </summary>
    PolicyChurn,

    /// <summary>
    /// The policies of <see cref="PodChurn"/> under cluster guardrails: every namespace a tenant whose
    /// AdminNetworkPolicy passes traffic from its own tenant on to the NetworkPolicies, and one below them denying the
    /// rest between tenants, in the one priority order OVN 23.03 takes (the Pass compiled away: one way out of the deny per
    /// tenant, docs/admin-policy.md); pod events. ovn-kubernetes writes cluster policies in ACL tiers, which 23.03 lacks,
    /// so it has no formulation of this shape here.
    /// </summary>
    ClusterPolicy,
}

/// <summary>
/// The cluster of one <see cref="EnforceShape"/>: <c>P</c> pods in <c>K = min(10, P/2)</c> namespaces <c>ns-i</c> (so that
/// every group has two pods or more), pod <c>j</c> in <c>ns-(j mod K)</c> with label <c>group=g-(j mod K)</c>, and the shape's policies. A change event
/// deletes a pod (or creates it again): it leaves (or rejoins) everything that selects it, its policy's port group and the peer
/// address set it is in; or, for <see cref="EnforceShape.PolicyChurn"/>, adds, updates or deletes a policy.
/// </summary>
internal sealed class EnforceWorkload
{
    public const string SwitchName = "enforce_ls";
    public const int MaxPolicies = 10;
    public const string ChurnPolicyName = "policy-churn";
    public const int NamedPortNumber = 8080;

    public static readonly string[] IpBlockExcepts = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"];

    private readonly HashSet<int> _absent = [];

    // PolicyChurn: the namespace of the eleventh policy and its port, while it exists.
    private (int Namespace, int Port)? _churned;

    public EnforceWorkload(EnforceShape shape, int pods)
    {
        if (pods < 2)
        {
            throw new ArgumentException($"must be 2 or more, not {pods}", nameof(EnforceBenchmarkOptions.Pods));
        }

        Shape = shape;
        Pods = pods;
        Policies = Math.Min(MaxPolicies, pods / 2);
    }

    public EnforceShape Shape { get; }

    public int Pods { get; }

    public int Policies { get; }

    public static string Namespace(int i) => SyntheticPods.Namespace(i);

    public string PodNamespace(int pod) => Namespace(pod % Policies);

    public static string PodName(int pod) => SyntheticPods.PodName(pod);

    public string PortName(int pod) => SyntheticPods.PortName(PodNamespace(pod), pod);

    /// <summary>Pod addresses are inside 10.0.0.0/8 and outside the excepts, so the ipBlock admits them all.</summary>
    public static string Address(int pod) => SyntheticPods.Address(pod);

    public static string Mac(int pod) => SyntheticPods.Mac(pod);

    /// <summary>
    /// Event <paramref name="k"/>: pod <c>(k/2) mod P</c> is deleted on even events and created again on the next, so that
    /// one pod at most is away and no group is ever emptied (which would change ACLs, not only members).
    /// </summary>
    public (int Pod, bool Add) Event(long k) => ((int)(k / 2 % Pods), k % 2 == 1);

    /// <summary>Whether the shape's events change members only (pod events) or ACLs too (policy events).</summary>
    public bool ChangesMembersOnly => Shape != EnforceShape.PolicyChurn;

    /// <summary>Applies event <paramref name="k"/> to the cluster the next <see cref="PolicyObjects"/> and <see cref="PodObjects"/> describe.</summary>
    public void Apply(long k)
    {
        if (Shape == EnforceShape.PolicyChurn)
        {
            // Add in namespace i (TCP 9090), update it (TCP 9091), delete it; then the next namespace.
            var ns = (int)(k / 3 % Policies);
            _churned = (k % 3) switch
            {
                0 => (ns, 9090),
                1 => (ns, 9091),
                _ => null,
            };
            return;
        }

        var (pod, add) = Event(k);
        if (add)
        {
            _absent.Remove(pod);
        }
        else
        {
            _absent.Add(pod);
        }
    }

    public IReadOnlyList<V1Namespace> NamespaceObjects() => [.. Enumerable.Range(0, Policies).Select(i => new V1Namespace
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = Namespace(i),
            Labels = Shape == EnforceShape.ClusterPolicy
                ? new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace(i), [TenantLabel] = Tenant(i) }
                : new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace(i) },
        },
    })];

    /// <summary>The label of a tenant's namespaces in <see cref="EnforceShape.ClusterPolicy"/>.</summary>
    public const string TenantLabel = "tenant";

    public static string Tenant(int i) => "t-" + Number(i);

    /// <summary>
    /// <see cref="EnforceShape.ClusterPolicy"/>'s AdminNetworkPolicies (none for the other shapes): <c>tenant-i</c> at
    /// priority 10 + i passing ingress from its own tenant, and <c>deny-cross-tenant</c> at 90 denying ingress from any
    /// tenant into any tenant.
    /// </summary>
    public IReadOnlyList<ClusterPolicyObject> ClusterPolicyObjects() => Shape != EnforceShape.ClusterPolicy
        ? []
        : [
            .. Enumerable.Range(0, Policies).Select(i => AdminPolicy("tenant-" + Number(i), 10 + i,
                $$$"""{"matchLabels": {"{{{TenantLabel}}}": "{{{Tenant(i)}}}"}}""", "from-own-tenant", "Pass")),
            AdminPolicy("deny-cross-tenant", 90, $$$"""{"matchExpressions": [{"key": "{{{TenantLabel}}}", "operator": "Exists"}]}""", "from-other-tenants", "Deny"),
        ];

    private static ClusterPolicyObject AdminPolicy(string name, int priority, string namespaces, string rule, string action) => ClusterPolicyObject.Parse($$$"""
        {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "{{{name}}}"},
         "spec": {"priority": {{{priority}}}, "subject": {"namespaces": {{{namespaces}}}},
                  "ingress": [{"name": "{{{rule}}}", "action": "{{{action}}}", "from": [{"namespaces": {{{namespaces}}}}]}]}}
        """);

    /// <summary>
    /// The pods present now. A deleted pod keeps its logical switch port (bound on its chassis): the bench changes
    /// policy rows only, never the topology.
    /// </summary>
    public IReadOnlyList<V1Pod> PodObjects() => [.. Enumerable.Range(0, Pods).Where(j => !_absent.Contains(j)).Select(j =>
    {
        var ip = Address(j);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(j),
                NamespaceProperty = PodNamespace(j),
                Labels = new Dictionary<string, string> { ["group"] = Group(j % Policies) },
            },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Ports = [new V1ContainerPort { Name = "http", ContainerPort = NamedPortNumber, Protocol = "TCP" }] }],
            },
            Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] },
        };
    })];

    public IReadOnlyList<V1NetworkPolicy> PolicyObjects() =>
        [.. Enumerable.Range(0, Policies).Select(Policy), .. _churned is { } churned ? [ChurnPolicy(churned.Namespace, churned.Port)] : Array.Empty<V1NetworkPolicy>()];

    public KubernetesInput Input() => KubernetesInput.FromObjects(PolicyObjects(), PodObjects(), NamespaceObjects()).WithClusterPolicies(ClusterPolicyObjects());

    private V1NetworkPolicy Policy(int i) => Shape switch
    {
        EnforceShape.IpBlockExcept => Ingress(i, "policy-" + Number(i),
            new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "10.0.0.0/8", Except = [.. IpBlockExcepts] } }, null),
        EnforceShape.NamedPort => Ingress(i, "policy-" + Number(i), GroupPeer((i + 1) % Policies), "http"),
        EnforceShape.NamespaceSelector => Ingress(i, "policy-" + Number(i),
            new V1NetworkPolicyPeer
            {
                NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace((i + 1) % Policies) } },
            },
            (IntOrString)8080),
        _ => Ingress(i, "policy-" + Number(i), GroupPeer((i + 1) % Policies), (IntOrString)8080),
    };

    /// <summary>The eleventh policy of <see cref="EnforceShape.PolicyChurn"/>: namespace i's group from the group two namespaces on.</summary>
    private V1NetworkPolicy ChurnPolicy(int i, int port) => Ingress(i, ChurnPolicyName, GroupPeer((i + 2) % Policies), (IntOrString)port);

    /// <summary>A policy of namespace i selecting its group, admitting <paramref name="peer"/> on TCP <paramref name="port"/> (null: every port).</summary>
    private static V1NetworkPolicy Ingress(int i, string name, V1NetworkPolicyPeer peer, IntOrString? port) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace(i) },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = Group(i) } },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty = [peer],
                    Ports = port is null ? null : [new V1NetworkPolicyPort { Port = port, Protocol = "TCP" }],
                },
            ],
        },
    };

    /// <summary>The pods of group g in any namespace.</summary>
    private static V1NetworkPolicyPeer GroupPeer(int g) => new()
    {
        NamespaceSelector = new V1LabelSelector(),
        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = Group(g) } },
    };

    private static string Number(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string Group(int i) => "g-" + i.ToString(CultureInfo.InvariantCulture);
}
