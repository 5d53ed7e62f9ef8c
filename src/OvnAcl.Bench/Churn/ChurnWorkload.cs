using System.Globalization;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Benchmarking;

/// <summary>
/// The synthetic cluster of <c>ovnacl bench churn</c> and its stream of pod events. <c>P</c> namespaces <c>ns-i</c>
/// each hold one policy <c>policy-i</c> whose subjects are the pods labelled <c>group=g-i</c> (all in <c>ns-i</c>) and
/// whose one ingress peer is the pods labelled <c>group=g-(i+1)</c> in any namespace: every pod is the subject of one
/// policy and the peer of one other. Pod <c>j</c> is in group <c>j mod P</c>.
/// </summary>
/// <remarks>
/// Event <c>k</c> concerns pod <c>k mod N</c>: a first pass over the pods deletes them one by one, the next re-adds
/// them, and so on, so that a pod's delete and re-add are <c>N</c> events apart and never meet in one batch. The
/// peers' rows have the shape of the table: <see cref="PeerRowSets"/> port groups and address sets, pod
/// <c>j</c>'s port in <c>churn_pg_(j mod S)</c> and its IP in <c>churn_as_(j mod S)</c>.
/// </remarks>
internal sealed class ChurnWorkload
{
    public const string SwitchName = "churn_ls";

    public ChurnWorkload(int pods, int policies, int peerRowSets)
    {
        if (pods < 2)
        {
            throw new ArgumentException($"must be 2 or more, not {pods}", nameof(ChurnBenchmarkOptions.Pods));
        }

        if (policies < 1 || policies > pods)
        {
            throw new ArgumentException($"must be between 1 and the number of pods ({pods}), not {policies}", nameof(ChurnBenchmarkOptions.Policies));
        }

        Pods = pods;
        Policies = policies;
        PeerRowSets = peerRowSets;
    }

    public int Pods { get; }

    public int Policies { get; }

    public int PeerRowSets { get; }

    public static string Namespace(int policy) => SyntheticPods.Namespace(policy);

    public string PodNamespace(int pod) => Namespace(pod % Policies);

    public static string PodName(int pod) => SyntheticPods.PodName(pod);

    public string PortName(int pod) => SyntheticPods.PortName(PodNamespace(pod), pod);

    public static string Address(int pod) => SyntheticPods.Address(pod);

    public string PeerPortGroup(int pod) => "churn_pg_" + (pod % PeerRowSets).ToString(CultureInfo.InvariantCulture);

    public string PeerAddressSet(int pod) => "churn_as_" + (pod % PeerRowSets).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Port-group and address-set members one pod event changes in OvnAcl's rows (at least 1): pod 0 is deleted, the
    /// members its removal touches are counted, and it is put back (that change is left pending in <paramref name="desired"/>).
    /// </summary>
    public int MembersPerEvent(KubernetesEngine engine, DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(desired);
        engine.DeletePod(PodNamespace(0), PodName(0));
        var changes = desired.DrainChanges().Sum(c => c.TouchedMembers.Count);
        engine.UpsertPod(Pod(0));
        return Math.Max(1, changes);
    }

    /// <summary>Which pod event <paramref name="k"/> is about, and whether it adds the pod (else deletes it).</summary>
    public (int Pod, bool Add) Event(long k) => ((int)(k % Pods), (k / Pods) % 2 == 1);

    public V1Pod Pod(int pod)
    {
        var ip = Address(pod);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodName(pod),
                NamespaceProperty = PodNamespace(pod),
                Labels = new Dictionary<string, string> { ["group"] = Group(pod % Policies) },
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main" }] },
            Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] },
        };
    }

    public KubernetesInput Input()
    {
        var namespaces = Enumerable.Range(0, Policies).Select(i => new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta { Name = Namespace(i), Labels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Namespace(i) } },
        }).ToList();
        var policies = Enumerable.Range(0, Policies).Select(i => new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = "policy-" + i.ToString(CultureInfo.InvariantCulture), NamespaceProperty = Namespace(i) },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["group"] = Group(i) } },
                PolicyTypes = ["Ingress"],
                Ingress =
                [
                    new V1NetworkPolicyIngressRule
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
                ],
            },
        }).ToList();
        return KubernetesInput.FromObjects(policies, Enumerable.Range(0, Pods).Select(Pod).ToList(), namespaces);
    }

    private static string Group(int i) => "g-" + i.ToString(CultureInfo.InvariantCulture);
}
