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
}

/// <summary>
/// The cluster of one <see cref="EnforceShape"/>: <c>P</c> pods in <c>K = min(10, P/2)</c> namespaces <c>ns-i</c> (so that
/// every group has two pods or more), pod <c>j</c> in <c>ns-(j mod K)</c> with label <c>group=g-(j mod K)</c>, and the shape's policies. A change event removes a pod from
/// (or puts it back into) everything that selects it: its policy's port group and the peer address set it is in.
/// </summary>
internal sealed class EnforceWorkload
{
    public const string SwitchName = "enforce_ls";
    public const int MaxPolicies = 10;

    public static readonly string[] IpBlockExcepts = ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"];

    private readonly HashSet<int> _absent = [];

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
    /// Event <paramref name="k"/>: pod <c>(k/2) mod P</c> leaves on even events and comes back on the next, so that one pod
    /// at most is away and no group is ever emptied (which would change ACLs, not only members).
    /// </summary>
    public (int Pod, bool Add) Event(long k) => ((int)(k / 2 % Pods), k % 2 == 1);

    /// <summary>Applies event <paramref name="k"/> to the cluster the next <see cref="Policy"/> and <see cref="PodObjects"/> describe.</summary>
    public void Apply(long k)
    {
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
        Metadata = new V1ObjectMeta { Name = Namespace(i), Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace(i) } },
    })];

    /// <summary>
    /// The pods present now. A removed pod keeps its logical switch port (bound on its chassis) but loses its labels,
    /// so that it leaves every port group and address set without the topology changing.
    /// </summary>
    public IReadOnlyList<V1Pod> PodObjects() => [.. Enumerable.Range(0, Pods).Select(j =>
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
                Labels = _absent.Contains(j) ? new Dictionary<string, string> { ["group"] = "away" } : new Dictionary<string, string> { ["group"] = Group(j % Policies) },
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main" }] },
            Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] },
        };
    })];

    public IReadOnlyList<V1NetworkPolicy> PolicyObjects() => [.. Enumerable.Range(0, Policies).Select(Policy)];

    public KubernetesInput Input() => KubernetesInput.FromObjects(PolicyObjects(), PodObjects(), NamespaceObjects());

    private V1NetworkPolicy Policy(int i) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = "policy-" + i.ToString(CultureInfo.InvariantCulture), NamespaceProperty = Namespace(i) },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = Group(i) } },
            PolicyTypes = ["Ingress"],
            Ingress = [Shape switch
            {
                EnforceShape.PodChurn => new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector(),
                            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = Group((i + 1) % Policies) } },
                        },
                    ],
                    Ports = [new V1NetworkPolicyPort { Port = (IntOrString)8080, Protocol = "TCP" }],
                },
                _ => new V1NetworkPolicyIngressRule
                {
                    FromProperty = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "10.0.0.0/8", Except = [.. IpBlockExcepts] } }],
                },
            }],
        },
    };

    private static string Group(int i) => "g-" + i.ToString(CultureInfo.InvariantCulture);
}
