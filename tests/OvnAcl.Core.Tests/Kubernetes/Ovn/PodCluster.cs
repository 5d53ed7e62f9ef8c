using System.Globalization;
using k8s.Models;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// The upstream netpol e2e cluster: namespaces x, y, z (label <c>ns=&lt;name&gt;</c>) with pods a, b, c each (label
/// <c>pod=&lt;name&gt;</c>), every pod serving 80 and 81 on TCP, UDP and SCTP (ports named <c>serve-80-tcp</c> and so on),
/// plus a second container whose port <c>web</c> is 80/TCP on a, 81/TCP on b and absent on c. Immutable: relabelling
/// returns a new cluster.
/// </summary>
internal sealed record PodCluster(IReadOnlyList<V1Namespace> Namespaces, IReadOnlyList<V1Pod> Pods)
{
    public const string Switch = "ls_pods";
    public static readonly string[] NamespaceNames = ["x", "y", "z"];
    public static readonly string[] PodNames = ["a", "b", "c"];

    public static PodCluster Xyz(bool dualStack = false)
    {
        var namespaces = NamespaceNames.Select(ns => Namespace(ns, new Dictionary<string, string> { ["ns"] = ns })).ToList();
        var pods = new List<V1Pod>();
        for (var n = 0; n < NamespaceNames.Length; n++)
        {
            for (var p = 0; p < PodNames.Length; p++)
            {
                var index = (n * PodNames.Length) + p + 1;
                var web = PodNames[p] switch { "a" => 80, "b" => 81, _ => 0 };
                pods.Add(Pod(NamespaceNames[n], PodNames[p], new Dictionary<string, string> { ["pod"] = PodNames[p] }, index, dualStack, web));
            }
        }

        return new(namespaces, pods);
    }

    /// <summary>Each namespace's pods run on a node of its own (<c>node-x</c>, …), as the upstream suite's pods spread over nodes.</summary>
    public static string NodeOf(string ns) => "node-" + ns;

    /// <summary>
    /// The nodes the pods run on, with InternalIPs outside the pod network (<c>172.18.0.N</c>, <c>fc00:f853::N</c>): their
    /// rows must leave every pod-to-pod verdict unchanged.
    /// </summary>
    public static IReadOnlyList<V1Node> Nodes { get; } = [.. NamespaceNames.Select((ns, i) => new V1Node
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = NodeOf(ns) },
        Status = new V1NodeStatus
        {
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = $"172.18.0.{i + 2}" },
                new V1NodeAddress { Type = "InternalIP", Address = $"fc00:f853::{i + 2}" },
            ],
        },
    })];

    public static string Key(V1Pod pod) => pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;

    public static string Lsp(V1Pod pod) => pod.Metadata.NamespaceProperty + "_" + pod.Metadata.Name;

    public static string Mac(int index) => $"0a:58:0a:f4:00:{index:x2}";

    public static string Ip4(int index) => $"10.244.0.{index + 10}";

    public static string Ip6(int index) => $"fd00:10:244::{index + 10:x}";

    public static int IndexOf(V1Pod pod) => int.Parse(pod.Metadata.Annotations["test/index"], CultureInfo.InvariantCulture);

    /// <summary>The LSP <c>addresses</c> (and <c>port_security</c>) entry: MAC, IPv4, IPv6 when the pod has one.</summary>
    public static string Addresses(V1Pod pod) => string.Join(' ', [Mac(IndexOf(pod)), .. pod.Status.PodIPs.Select(i => i.Ip)]);

    public V1Pod Pod(string key) => Pods.Single(p => Key(p) == key);

    public PodCluster WithPodLabels(string key, IDictionary<string, string> labels) => this with
    {
        Pods = [.. Pods.Select(p => Key(p) != key ? p : Pod(p.Metadata.NamespaceProperty, p.Metadata.Name, labels, IndexOf(p), p.Status.PodIPs.Count > 1, WebPort(p)))],
    };

    public PodCluster WithNamespaceLabels(string name, IDictionary<string, string> labels) => this with
    {
        Namespaces = [.. Namespaces.Select(n => n.Metadata.Name != name ? n : Namespace(name, labels))],
    };

    private static int WebPort(V1Pod pod) => pod.Spec.Containers.Skip(1).SelectMany(c => c.Ports).Select(p => p.ContainerPort).FirstOrDefault();

    public static V1Namespace Namespace(string name, IDictionary<string, string> labels) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string>(labels) },
    };

    public static V1Pod Pod(string ns, string name, IDictionary<string, string> labels, int index, bool dualStack, int webPort)
    {
        List<V1ContainerPort> serve = [];
        foreach (var protocol in new[] { "TCP", "UDP", "SCTP" })
        {
            foreach (var port in new[] { 80, 81 })
            {
                serve.Add(new V1ContainerPort { Name = $"serve-{port}-{protocol.ToLowerInvariant()}", ContainerPort = port, Protocol = protocol });
            }
        }

        List<V1Container> containers = [new V1Container { Name = "serve", Ports = serve }];
        if (webPort != 0)
        {
            containers.Add(new V1Container { Name = "side", Ports = [new V1ContainerPort { Name = "web", ContainerPort = webPort }] });
        }

        List<string> ips = dualStack ? [Ip4(index), Ip6(index)] : [Ip4(index)];
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(labels),
                Annotations = new Dictionary<string, string> { ["test/index"] = index.ToString(CultureInfo.InvariantCulture) },
            },
            Spec = new V1PodSpec { Containers = containers, NodeName = NodeOf(ns) },
            Status = new V1PodStatus { Phase = "Running", PodIP = ips[0], PodIPs = [.. ips.Select(ip => new V1PodIP { Ip = ip })] },
        };
    }
}
