using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>Nodes: read from files and events, and the per-node allowance of traffic between a pod and its own node.</summary>
public sealed class NodeTests
{
    private const string DenyAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        """;

    private static V1Pod On(V1Pod pod, string node)
    {
        pod.Spec.NodeName = node;
        return pod;
    }

    private static V1Node Node(string name, params string[] internalIps) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name },
        Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "Hostname", Address = name }, .. internalIps.Select(ip => new V1NodeAddress { Type = "InternalIP", Address = ip })],
        },
    };

    [Fact]
    public void Nodes_are_read_from_files_with_their_internal_ips()
    {
        var loaded = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: NodeList
            items:
            - metadata: {name: worker-1}
              status: {addresses: [{type: InternalIP, address: 172.18.0.2}, {type: InternalIP, address: "fc00::2"}, {type: Hostname, address: worker-1}]}
            """, "nodes.yaml");
        Assert.Empty(loaded.LoadDiagnostics);
        var node = Assert.Single(loaded.Nodes);
        var rows = KubernetesCompiler.CompileOrThrow(loaded);
        Assert.Equal(["172.18.0.2"], rows.AddressSets.Single(a => a.ExternalIds["owner"] == "worker-1" && a.ExternalIds["ip-family"] == "ip4").Addresses);
        Assert.Equal(["fc00::2"], rows.AddressSets.Single(a => a.ExternalIds["owner"] == "worker-1" && a.ExternalIds["ip-family"] == "ip6").Addresses);
        Assert.Equal("worker-1", node.Object.Metadata.Name);
    }

    [Fact]
    public void A_node_address_that_is_not_an_ip_is_an_error_naming_the_node_and_field()
    {
        var node = Node("worker-1");
        node.Metadata.Annotations = new Dictionary<string, string> { ["ovnacl.io/node-source-addresses"] = "10.0.0.2, nope" };
        var result = KubernetesCompiler.Compile(KubernetesInput.FromObjects([], [], [], [node]));
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(CompileDiagnosticCodes.InvalidNodeAddress, error.Code);
        Assert.Equal("Node worker-1", error.Location.Object);
        Assert.Equal("metadata.annotations[ovnacl.io/node-source-addresses]", error.Location.Field);
    }

    [Fact]
    public void A_node_without_addresses_is_warned_about_and_its_sets_match_nothing()
    {
        var result = KubernetesCompiler.Compile(KubernetesInput.FromObjects([], [], [], [Node("worker-1")]));
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(CompileDiagnosticCodes.NodeWithoutAddresses, warning.Code);
        Assert.All(result.Rows!.AddressSets, a => Assert.Empty(a.Addresses));
        Assert.All(result.Rows.Acls(), a => Assert.Contains("$", a.Match, StringComparison.Ordinal));
    }

    [Fact]
    public void A_duplicate_node_and_a_bad_node_name_are_errors()
    {
        var result = KubernetesCompiler.Compile(KubernetesInput.FromObjects([], [], [], [Node("w1", "10.0.0.2"), Node("w1", "10.0.0.3"), Node("Bad_Name", "10.0.0.4")]));
        Assert.Equal([CompileDiagnosticCodes.DuplicateObject, CompileDiagnosticCodes.InvalidName], result.Diagnostics.Select(d => d.Code).Order().ToArray());
    }

    [Fact]
    public void The_ovn_kubernetes_management_port_is_the_second_address_of_each_node_subnet()
    {
        var node = Node("worker-1", "172.18.0.2");
        node.Metadata.Annotations = new Dictionary<string, string> { ["k8s.ovn.org/node-subnets"] = """{"default":["10.244.1.0/24","fd00:10:244:2::/64"]}""" };
        var rows = KubernetesCompiler.CompileOrThrow(KubernetesInput.FromObjects([], [], [], [node]),
            KubernetesCompileOptions.Default with { NodeAddressSource = NodeAddressSource.OvnKubernetesManagementPort });
        Assert.Equal(["10.244.1.2", "fd00:10:244:2::2"], rows.AddressSets.SelectMany(a => a.Addresses).Order().ToArray());
    }

    [Fact]
    public void Pods_of_a_node_are_members_of_its_group_with_allows_above_the_default_deny()
    {
        var input = K8s.Input(DenyAll, [On(K8s.Pod("shop", "web", "app=web", "10.244.1.5"), "worker-1"), On(K8s.Pod("shop", "db", "app=db", "10.244.2.5"), "worker-2")])
            .Concat(KubernetesInput.FromObjects([], [], [], [Node("worker-1", "172.18.0.2"), Node("worker-2", "172.18.0.3")]));
        var rows = KubernetesCompiler.CompileOrThrow(input);
        var group = rows.PortGroupOf("Node", "worker-1");
        Assert.Equal(["shop_web"], group.Ports);
        Assert.StartsWith("ovnacl_node_worker_1_", group.Name, StringComparison.Ordinal);
        // One ACL per direction and family, no disjunction (ovn-controller makes conjunctive flows only without one).
        var ingress = group.Acls.Where(a => a.Direction == "to-lport").ToList();
        var egress = group.Acls.Where(a => a.Direction == "from-lport").ToList();
        Assert.Equal(4, group.Acls.Count());
        Assert.All(group.Acls, a => Assert.Equal("allow-related", a.Action));
        Assert.All(group.Acls, a => Assert.DoesNotContain("||", a.Match, StringComparison.Ordinal));
        Assert.All(group.Acls, a => Assert.True(a.Priority > rows.Acls().Where(d => d.Action == "drop").Max(d => d.Priority)));
        Assert.Equal(["ip4.src == $ovnacl_an_", "ip6.src == $ovnacl_an_"], ingress.Select(a => Family(a.Match, "src")).Order());
        Assert.Equal(["ip4.dst == $ovnacl_an_", "ip6.dst == $ovnacl_an_"], egress.Select(a => Family(a.Match, "dst")).Order());
        Assert.All(egress, a => Assert.Equal("true", a.Options["apply-after-lb"]));
        Assert.All(group.Acls, a => Assert.Equal(a.Match.Contains("ip6.", StringComparison.Ordinal) ? "ip6" : "ip4", a.ExternalIds["ip-family"]));
        Assert.Equal(["shop_db"], rows.PortGroupOf("Node", "worker-2").Ports);
    }

    private static string Family(string match, string end) =>
        new[] { "ip4", "ip6" }.Select(f => $"{f}.{end} == $ovnacl_an_").First(match.Contains);

    [Fact]
    public void A_pod_event_moves_a_node_member_and_a_node_address_change_moves_an_address_only()
    {
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        engine.Load(K8s.Input(DenyAll, [On(K8s.Pod("shop", "web", "app=web", "10.244.1.5"), "worker-1")])
            .Concat(KubernetesInput.FromObjects([], [], [], [Node("worker-1", "172.18.0.2"), Node("worker-2", "172.18.0.3")])));
        desired.DrainChanges();

        engine.UpsertPod(On(K8s.Pod("shop", "api", "app=api", "10.244.2.6"), "worker-2"));
        var changes = desired.DrainChanges();
        Assert.DoesNotContain(changes, c => c.Shape);
        var nodeGroup = desired.Snapshot().PortGroupOf("Node", "worker-2").Name;
        Assert.Contains(changes, c => c.Name == nodeGroup && c.TouchedMembers.Contains("shop_api"));

        engine.UpsertPod(On(K8s.Pod("shop", "api", "app=api", "10.244.2.6"), "worker-1"));
        changes = desired.DrainChanges();
        Assert.DoesNotContain(changes, c => c.Shape);
        Assert.Equal(["shop_api", "shop_web"], desired.Snapshot().PortGroupOf("Node", "worker-1").Ports);
        Assert.Empty(desired.Snapshot().PortGroupOf("Node", "worker-2").Ports);

        engine.UpsertNode(Node("worker-1", "172.18.0.9"));
        changes = desired.DrainChanges();
        var change = Assert.Single(changes);
        Assert.Equal(DesiredRowKind.AddressSet, change.Kind);
        Assert.False(change.Shape);
        Assert.Equal(["172.18.0.2", "172.18.0.9"], change.TouchedMembers.Order().ToArray());

        engine.DeleteNode("worker-2");
        Assert.DoesNotContain(desired.Snapshot().PortGroups, p => p.ExternalIds["owner"] == "worker-2");
        Assert.DoesNotContain(desired.Snapshot().AddressSets, a => a.ExternalIds["owner"] == "worker-2");
    }

    [Fact]
    public void A_node_allowance_below_the_default_deny_is_refused_by_compiler_and_engine()
    {
        var options = KubernetesCompileOptions.Default with { NodeAllowPriority = KubernetesCompileOptions.Default.DefaultDenyPriority };
        var compile = Assert.Throws<ArgumentException>(() => KubernetesCompiler.Compile(KubernetesInput.Empty, options));
        Assert.Contains("NodeAllowPriority must be above DefaultDenyPriority", compile.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new KubernetesEngine(new DesiredState(options.ControllerName), options));
    }
}
