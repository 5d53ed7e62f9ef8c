using k8s.Models;
using OvnAcl.Kubernetes;
using static OvnAcl.Core.Tests.Kubernetes.K8s;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// networking.k8s.io/v1 semantics, checked on the compiled rows: who may reach whom (the ACLs evaluated as OVN does,
/// see <see cref="Network"/>) and the rows themselves (members, matches, priorities).
/// </summary>
public sealed class KubernetesSemanticsTests
{
    // Namespace a (team=x), b (team=y), c (no labels).
    private static readonly V1Namespace[] Namespaces = [Namespace("a", Labels("team=x")), Namespace("b", Labels("team=y")), Namespace("c")];

    private static readonly V1Pod[] Pods =
    [
        Pod("a", "web", "app=web", "10.0.1.1", "http:80"),
        Pod("a", "db", "app=db,tier=data", "10.0.1.2", "pg:5432"),
        Pod("b", "client", "app=client", "10.0.2.1"),
        Pod("b", "web", "app=web", "10.0.2.2", "http:8080"),
        Pod("c", "other", "app=other,tier=x", "10.0.3.1"),
    ];

    private static Network Net(string yaml, IEnumerable<V1Pod>? pods = null) => new(Compile(yaml, pods ?? Pods, Namespaces));

    private static bool From(Network net, string from, string to, string protocol = "tcp", int port = 80)
    {
        var all = Pods.ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", p => p.Status.PodIP);
        string Lsp(string p) => p.Contains('/') ? p.Replace('/', '_') : Network.Outside;
        string Ip(string p) => p.Contains('/') ? all[p] : p;
        return net.Allows(Lsp(from), Ip(from), Lsp(to), Ip(to), protocol, port);
    }

    private const string DenyIngressA = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: a}
        spec:
          podSelector: {}
        """;

    [Fact]
    public void Without_policies_nothing_is_emitted_and_everything_is_allowed()
    {
        var rows = Compile("", Pods, Namespaces);
        Assert.Empty(rows.PortGroups);
        Assert.Empty(rows.AddressSets);
        Assert.True(From(new Network(rows), "b/client", "a/web"));
    }

    [Fact]
    public void Default_deny_ingress_isolates_the_selected_pods_for_ingress_only()
    {
        var rows = Compile(DenyIngressA, Pods, Namespaces);
        var net = new Network(rows);
        Assert.False(From(net, "b/client", "a/web"));
        Assert.False(From(net, "a/db", "a/web"));
        Assert.False(From(net, "192.168.1.1", "a/web"));
        Assert.True(From(net, "a/web", "b/client"), "egress is not isolated");
        Assert.True(From(net, "b/client", "b/web"), "namespace b has no policy");
        Assert.True(net.AllowsArp("b_client", "a_web"), "ARP still reaches isolated pods");

        var deny = rows.DenyGroup("a", "Ingress");
        Assert.Equal(["a_db", "a_web"], deny.Ports);
        Assert.Empty(rows.DenyGroup("a", "Egress").Ports);
        Assert.Equal(["a_db", "a_web"], rows.PolicyGroup("a/deny").Ports);
        Assert.Empty(rows.PolicyGroup("a/deny").Acls);
        Assert.Collection(deny.Acls,
            drop =>
            {
                Assert.Equal(("to-lport", 1000, "drop"), (drop.Direction, drop.Priority, drop.Action));
                Assert.Equal($"outport == @{deny.Name}", drop.Match);
                Assert.Equal("a:ingress:deny", drop.Name);
                Assert.Equal("defaultDeny", drop.ExternalIds["type"]);
            },
            arp =>
            {
                Assert.Equal(("to-lport", 1001, "allow"), (arp.Direction, arp.Priority, arp.Action));
                Assert.Equal($"outport == @{deny.Name} && (arp || nd)", arp.Match);
                Assert.False(arp.Log);
            });
    }

    [Fact]
    public void Default_deny_egress_isolates_for_egress_after_load_balancing()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a}
            spec:
              podSelector: {}
              policyTypes: [Egress]
            """);
        Assert.False(From(net, "a/web", "b/client"));
        Assert.False(From(net, "a/web", "8.8.8.8"));
        Assert.True(From(net, "b/client", "a/web"), "ingress is not isolated");
        Assert.True(net.AllowsArp("a_web", "b_client"));

        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a}
            spec:
              podSelector: {}
              policyTypes: [Egress]
            """, Pods, Namespaces);
        var drop = rows.DenyGroup("a", "Egress").Acls[0];
        Assert.Equal(("from-lport", 1000, "drop"), (drop.Direction, drop.Priority, drop.Action));
        Assert.Equal("true", drop.Options["apply-after-lb"]);
        Assert.StartsWith("inport == @", drop.Match, StringComparison.Ordinal);
        Assert.Equal(["a_db", "a_web"], rows.DenyGroup("a", "Egress").Ports);
        Assert.Empty(rows.DenyGroup("a", "Ingress").Ports);
    }

    [Fact]
    public void Default_deny_all_isolates_both_directions()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a}
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
            """);
        Assert.False(From(net, "a/web", "b/client"));
        Assert.False(From(net, "b/client", "a/web"));
        Assert.False(From(net, "a/web", "a/db"));
        Assert.True(net.AllowsArp("a_web", "a_db"));
    }

    [Theory]
    [InlineData("ingress: [{}]")]
    [InlineData("ingress: [{from: []}]")]
    [InlineData("ingress: [{from: [], ports: []}]")]
    public void A_rule_without_peers_or_ports_allows_everything(string ingress)
    {
        var rows = Compile($$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: all, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              {{{ingress}}}
            """, Pods, Namespaces);
        var net = new Network(rows);
        Assert.True(From(net, "b/client", "a/web", "udp", 53));
        Assert.True(From(net, "203.0.113.9", "a/web", "sctp", 9));
        var acl = Assert.Single(rows.PolicyGroup("a/all").Acls);
        Assert.Equal($"outport == @{rows.PolicyGroup("a/all").Name} && (ip4 || ip6)", acl.Match);
        Assert.Equal(("to-lport", 1001, "allow-related"), (acl.Direction, acl.Priority, acl.Action));
    }

    [Fact]
    public void An_empty_ingress_list_denies_all_ingress()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: none, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: []
            """);
        Assert.False(From(net, "a/db", "a/web"));
        Assert.True(From(net, "b/client", "a/db"), "a/db is not selected");
    }

    [Fact]
    public void A_pod_selector_peer_means_pods_of_the_policy_namespace()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
            """);
        Assert.True(From(net, "a/web", "a/db"));
        Assert.False(From(net, "b/web", "a/db"), "same labels, other namespace");
        Assert.False(From(net, "b/client", "a/db"));
    }

    [Fact]
    public void A_namespace_selector_peer_means_every_pod_of_the_selected_namespaces()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {matchLabels: {team: y}}}]
            """);
        Assert.True(From(net, "b/client", "a/db"));
        Assert.True(From(net, "b/web", "a/db"));
        Assert.False(From(net, "a/web", "a/db"), "own namespace is not team=y");
        Assert.False(From(net, "c/other", "a/db"));
    }

    [Fact]
    public void Namespace_and_pod_selectors_in_one_peer_intersect_in_separate_peers_unite()
    {
        var both = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]
            """);
        Assert.True(From(both, "a/web", "a/db"));
        Assert.True(From(both, "b/web", "a/db"));
        Assert.False(From(both, "b/client", "a/db"));

        var union = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {matchLabels: {team: y}}}, {podSelector: {matchLabels: {app: web}}}]
            """);
        Assert.True(From(union, "a/web", "a/db"));
        Assert.True(From(union, "b/client", "a/db"));
        Assert.False(From(union, "c/other", "a/db"));
    }

    [Theory]
    [InlineData("{key: app, operator: In, values: [web, client]}", "a/web b/client b/web")]
    [InlineData("{key: app, operator: NotIn, values: [web]}", "b/client c/other")]
    [InlineData("{key: tier, operator: Exists}", "c/other")]
    [InlineData("{key: tier, operator: DoesNotExist}", "a/web b/client b/web")]
    public void Match_expressions_select_with_each_operator(string expression, string allowed)
    {
        // Sources in every namespace; a/db is the target (and excluded from the expected sources).
        var net = Net($$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [{{{expression}}}]}}]
            """);
        var expected = allowed.Split(' ');
        foreach (var source in new[] { "a/web", "b/client", "b/web", "c/other" })
        {
            Assert.True(expected.Contains(source) == From(net, source, "a/db"), source);
        }
    }

    [Theory]
    [InlineData("{key: team, operator: In, values: [x, y]}", "a/web b/client")]
    [InlineData("{key: team, operator: NotIn, values: [x]}", "b/client c/other")]
    [InlineData("{key: team, operator: Exists}", "a/web b/client")]
    [InlineData("{key: team, operator: DoesNotExist}", "c/other")]
    [InlineData("{key: kubernetes.io/metadata.name, operator: In, values: [c]}", "c/other")]
    public void Namespace_match_expressions_select_with_each_operator(string expression, string allowed)
    {
        var net = Net($$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {matchExpressions: [{{{expression}}}]}}]
            """);
        var expected = allowed.Split(' ');
        foreach (var source in new[] { "a/web", "b/client", "c/other" })
        {
            Assert.True(expected.Contains(source) == From(net, source, "a/db"), source);
        }
    }

    [Fact]
    public void Stacked_policies_allow_the_union_and_isolate_only_their_directions()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: from-web, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: from-b, namespace: a}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{namespaceSelector: {matchLabels: {team: y}}}]
                ports: [{port: 5432}]
            """);
        Assert.True(From(net, "a/web", "a/db", port: 1));
        Assert.True(From(net, "b/client", "a/db", port: 5432));
        Assert.False(From(net, "b/client", "a/db", port: 80));
        Assert.False(From(net, "c/other", "a/db", port: 5432));
        Assert.True(From(net, "a/db", "c/other"), "no policy isolates egress");
    }

    [Fact]
    public void Policy_types_decide_isolation_whatever_the_rules_say()
    {
        // Egress rules present and no policyTypes: isolated both ways. Ingress rules under policyTypes [Egress]: ignored.
        var defaulted = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              egress: [{to: [{podSelector: {}}]}]
            """, Pods, Namespaces);
        Assert.Equal(["a_web"], defaulted.DenyGroup("a", "Ingress").Ports);
        Assert.Equal(["a_web"], defaulted.DenyGroup("a", "Egress").Ports);

        var egressOnly = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              policyTypes: [Egress]
              ingress: [{}]
            """, Pods, Namespaces);
        Assert.Empty(egressOnly.DenyGroup("a", "Ingress").Ports);
        Assert.Equal(["a_web"], egressOnly.DenyGroup("a", "Egress").Ports);
        Assert.Empty(egressOnly.PolicyGroup("a/p").Acls);

        var emptyEgress = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              egress: []
            """, Pods, Namespaces);
        Assert.Empty(emptyEgress.DenyGroup("a", "Egress").Ports);
    }

    [Fact]
    public void Ports_numbers_ranges_protocols_and_protocol_only()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - ports:
                - {port: 80}
                - {protocol: UDP, port: 1000, endPort: 1010}
                - {protocol: SCTP, port: 9}
                - {protocol: UDP}
                - {protocol: TCP, port: 443, endPort: 443}
            """, Pods, Namespaces);
        var net = new Network(rows);
        Assert.True(From(net, "b/client", "a/web", "tcp", 80));
        Assert.False(From(net, "b/client", "a/web", "tcp", 81));
        Assert.True(From(net, "b/client", "a/web", "udp", 999), "every UDP port");
        Assert.True(From(net, "b/client", "a/web", "sctp", 9));
        Assert.False(From(net, "b/client", "a/web", "sctp", 10));
        Assert.True(From(net, "b/client", "a/web", "tcp", 443));
        Assert.False(From(net, "b/client", "a/web", "tcp", 1005));

        var pg = rows.PolicyGroup("a/p").Name;
        Assert.Equal(
        [
            $"outport == @{pg} && tcp && tcp.dst == 80",
            $"outport == @{pg} && udp && 1000 <= udp.dst <= 1010",
            $"outport == @{pg} && sctp && sctp.dst == 9",
            $"outport == @{pg} && udp",
            $"outport == @{pg} && tcp && tcp.dst == 443",
        ], rows.PolicyGroup("a/p").Acls.Select(a => a.Match));
        Assert.Equal(["a/p:ingress:0:0", "a/p:ingress:0:1", "a/p:ingress:0:2", "a/p:ingress:0:3", "a/p:ingress:0:4"],
            rows.PolicyGroup("a/p").Acls.Select(a => a.Name));
    }

    [Fact]
    public void Range_boundaries_are_inclusive()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: [{ports: [{port: 1000, endPort: 1010}]}]
            """);
        Assert.False(From(net, "b/client", "a/web", "tcp", 999));
        Assert.True(From(net, "b/client", "a/web", "tcp", 1000));
        Assert.True(From(net, "b/client", "a/web", "tcp", 1010));
        Assert.False(From(net, "b/client", "a/web", "tcp", 1011));
    }

    [Fact]
    public void Named_ingress_ports_resolve_per_selected_pod_one_acl_per_distinct_number()
    {
        V1Pod[] pods =
        [
            Pod("a", "web1", "app=web", "10.0.1.1", "http:80"),
            Pod("a", "web2", "app=web", "10.0.1.3", "http:8080"),
            Pod("a", "web3", "app=web", "10.0.1.4", "http:8080"),
            Pod("a", "web4", "app=web", "10.0.1.5", "http:80/UDP"),
            Pod("b", "client", "app=client", "10.0.2.1"),
        ];
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: [{ports: [{port: http}]}]
            """, pods, Namespaces);
        var net = new Network(rows);
        Assert.True(net.Allows("b_client", "10.0.2.1", "a_web1", "10.0.1.1", "tcp", 80));
        Assert.False(net.Allows("b_client", "10.0.2.1", "a_web1", "10.0.1.1", "tcp", 8080));
        Assert.True(net.Allows("b_client", "10.0.2.1", "a_web2", "10.0.1.3", "tcp", 8080));
        Assert.False(net.Allows("b_client", "10.0.2.1", "a_web2", "10.0.1.3", "tcp", 80));
        Assert.False(net.Allows("b_client", "10.0.2.1", "a_web4", "10.0.1.5", "tcp", 80), "http is UDP on web4: the TCP name resolves nowhere there");
        Assert.False(net.Allows("b_client", "10.0.2.1", "a_web4", "10.0.1.5", "udp", 80));

        var acls = rows.PolicyGroup("a/p").Acls;
        Assert.Equal(2, acls.Count);
        Assert.Equal(["a/p:ingress:0:0:80", "a/p:ingress:0:0:8080"], acls.Select(a => a.Name));
        var group8080 = rows.PortGroups.Single(p => p.ExternalIds.TryGetValue("port", out var v) && v == "http/TCP=8080");
        Assert.Equal(["a_web2", "a_web3"], group8080.Ports);
        Assert.Equal($"outport == @{group8080.Name} && tcp && tcp.dst == 8080", acls[1].Match);
    }

    [Fact]
    public void A_named_port_that_resolves_nowhere_allows_nothing()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: [{ports: [{port: nosuch}]}]
              egress: [{ports: [{port: nosuch}]}]
              policyTypes: [Ingress, Egress]
            """, Pods, Namespaces);
        Assert.Empty(rows.PolicyGroup("a/p").Acls);
        var net = new Network(rows);
        Assert.False(From(net, "b/client", "a/web", "tcp", 80));
        Assert.False(From(net, "a/web", "a/db", "tcp", 5432));
    }

    [Fact]
    public void Named_egress_ports_resolve_on_each_destination_pod()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: b}
            spec:
              podSelector: {matchLabels: {app: client}}
              policyTypes: [Egress]
              egress:
              - to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]
                ports: [{port: http}]
            """, Pods, Namespaces);
        var net = new Network(rows);
        Assert.True(From(net, "b/client", "a/web", "tcp", 80));
        Assert.False(From(net, "b/client", "a/web", "tcp", 8080));
        Assert.True(From(net, "b/client", "b/web", "tcp", 8080));
        Assert.False(From(net, "b/client", "b/web", "tcp", 80));
        Assert.False(From(net, "b/client", "a/db", "tcp", 5432));
        Assert.Equal(["b/p:egress:0:0:80", "b/p:egress:0:0:8080"], rows.PolicyGroup("b/p").Acls.Select(a => a.Name).Distinct());
        Assert.Equal(["ip4", "ip6", "ip4", "ip6"], rows.PolicyGroup("b/p").Acls.Select(a => a.ExternalIds["ip-family"]));
    }

    [Fact]
    public void Named_egress_ports_to_any_destination_and_to_ip_blocks_reach_only_pods_with_the_name()
    {
        var net = Net("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: b}
            spec:
              podSelector: {matchLabels: {app: client}}
              policyTypes: [Egress]
              egress:
              - ports: [{port: http}]
              - to: [{ipBlock: {cidr: 10.0.1.0/24}}]
                ports: [{port: pg}]
            """);
        Assert.True(From(net, "b/client", "a/web", "tcp", 80));
        Assert.True(From(net, "b/client", "b/web", "tcp", 8080));
        Assert.False(From(net, "b/client", "198.51.100.1", "tcp", 80), "an outside address has no named ports");
        Assert.True(From(net, "b/client", "a/db", "tcp", 5432), "a/db is inside the block and names pg");
    }

    [Fact]
    public void Ip_blocks_with_except_allow_exactly_the_difference()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24, 10.0.3.1/32]}}]
            """, Pods, Namespaces);
        var net = new Network(rows);
        Assert.True(From(net, "a/db", "a/web"));
        Assert.False(From(net, "b/client", "a/web"));
        Assert.False(From(net, "c/other", "a/web"));
        Assert.True(From(net, "10.0.3.2", "a/web"));
        Assert.True(From(net, "10.0.255.255", "a/web"));
        Assert.False(From(net, "10.1.0.1", "a/web"));

        var set = Assert.Single(rows.AddressSets);
        Assert.Equal("IPBlock", set.ExternalIds["owner-type"]);
        Assert.Equal(
            new[] { "10.0.0.0/23", "10.0.3.0/32", "10.0.3.2/31", "10.0.3.4/30", "10.0.3.8/29", "10.0.3.16/28", "10.0.3.32/27", "10.0.3.64/26", "10.0.3.128/25", "10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17" }
                .Select(p => p.EndsWith("/32", StringComparison.Ordinal) ? p[..^3] : p).Order(StringComparer.Ordinal),
            set.Addresses);
        Assert.Equal($"outport == @{rows.PolicyGroup("a/p").Name} && ip4.src == ${set.Name}", rows.PolicyGroup("a/p").Acls[0].Match);
    }

    [Fact]
    public void Ipv6_blocks_with_except_and_dual_stack_pods()
    {
        V1Pod[] pods =
        [
            Pod("a", "web", "app=web", ["10.0.1.1", "fd00::1:1"]),
            Pod("a", "client", "app=client", ["10.0.1.9", "fd00::1:9"]),
        ];
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress:
              - from: [{ipBlock: {cidr: "2001:db8::/32", except: ["2001:db8:ff00::/40"]}}]
              - from: [{podSelector: {matchLabels: {app: client}}}]
                ports: [{port: 22}]
            """, pods, Namespaces);
        var net = new Network(rows);
        Assert.True(net.Allows(Network.Outside, "2001:db8:1::1", "a_web", "fd00::1:1", "tcp", 443));
        Assert.False(net.Allows(Network.Outside, "2001:db8:ff12::1", "a_web", "fd00::1:1", "tcp", 443));
        Assert.True(net.Allows("a_client", "fd00::1:9", "a_web", "fd00::1:1", "tcp", 22), "the client's IPv6 address is a peer too");
        Assert.True(net.Allows("a_client", "10.0.1.9", "a_web", "10.0.1.1", "tcp", 22));
        Assert.False(net.Allows("a_client", "fd00::1:9", "a_web", "fd00::1:1", "tcp", 23));

        var v6Block = Assert.Single(rows.AddressSets, a => a.ExternalIds["owner-type"] == "IPBlock");
        Assert.Equal(new[] { "2001:db8:0:0:0:0:0:0/33", "2001:db8:8000::/34", "2001:db8:c000::/35", "2001:db8:e000::/36", "2001:db8:f000::/37",
            "2001:db8:f800::/38", "2001:db8:fc00::/39", "2001:db8:fe00::/40" }
            .Select(a => a.Replace("0:0:0:0:0:0/", ":/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), v6Block.Addresses);
        var clientSets = rows.AddressSets.Where(a => a.ExternalIds["owner-type"] == "PodSelector").ToList();
        Assert.Equal(["10.0.1.9"], clientSets.Single(a => a.ExternalIds["ip-family"] == "ip4").Addresses);
        Assert.Equal(["fd00::1:9"], clientSets.Single(a => a.ExternalIds["ip-family"] == "ip6").Addresses);
    }

    [Fact]
    public void Pods_on_the_host_network_or_finished_are_neither_subjects_nor_peers_and_a_pod_without_an_IP_is_a_subject_only()
    {
        var hostNetwork = Pod("a", "host", "app=web", "192.168.0.5");
        hostNetwork.Spec.HostNetwork = true;
        var succeeded = Pod("a", "done", "app=web", "10.0.1.50");
        succeeded.Status.Phase = "Succeeded";
        var failed = Pod("a", "failed", "app=web", "10.0.1.51");
        failed.Status.Phase = "Failed";
        var pending = Pod("a", "pending", "app=web", []);
        var podIpOnly = Pod("a", "old", "app=web", "10.0.1.52");
        podIpOnly.Status.PodIPs = null;
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {}
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            """, [.. Pods, hostNetwork, succeeded, failed, pending, podIpOnly], Namespaces);
        // The pending pod's port exists before its IP does: it is isolated (a subject) at once, a peer once it has an IP.
        Assert.Equal(["a_db", "a_old", "a_pending", "a_web"], rows.PolicyGroup("a/p").Ports);
        Assert.Equal(["10.0.1.1", "10.0.1.52"], rows.AddressSets.Single(a => a.ExternalIds["ip-family"] == "ip4").Addresses);
    }

    [Fact]
    public void Policies_in_a_namespace_select_only_pods_of_that_namespace()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: b}
            spec:
              podSelector: {matchLabels: {app: web}}
            """, Pods, Namespaces);
        Assert.Equal(["b_web"], rows.PolicyGroup("b/p").Ports);
    }

    [Fact]
    public void Logging_annotation_logs_denies_and_allows_with_the_meter_but_not_arp()
    {
        V1Namespace[] namespaces = [Namespace("a", aclLogging: """{"deny": "alert", "allow": "notice"}"""), Namespace("b"), Namespace("c")];
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: [{ports: [{port: 80}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: b}
            spec:
              podSelector: {}
            """, Pods, namespaces);
        var deny = rows.DenyGroup("a", "Ingress").Acls;
        Assert.Equal((true, "alert", "acl-logging"), (deny[0].Log, deny[0].Severity, deny[0].Meter));
        Assert.Equal((false, null, null), (deny[1].Log, deny[1].Severity, deny[1].Meter));
        var allow = Assert.Single(rows.PolicyGroup("a/p").Acls);
        Assert.Equal((true, "notice", "acl-logging", "a/p:ingress:0:0"), (allow.Log, allow.Severity, allow.Meter, allow.Name));
        Assert.All(rows.DenyGroup("b", "Ingress").Acls, a => Assert.False(a.Log));
    }

    [Theory]
    [InlineData("""{"deny": "loud"}""")]
    [InlineData("not json")]
    [InlineData("[1]")]
    public void An_invalid_logging_annotation_is_a_warning_and_logs_nothing(string annotation)
    {
        var input = Input("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {}
            """, Pods, [Namespace("a", aclLogging: annotation), Namespace("b"), Namespace("c")]);
        var result = KubernetesCompiler.Compile(input);
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((CompileDiagnosticCodes.InvalidAclLogging, "Namespace a"), (warning.Code, warning.Location.Object));
        Assert.DoesNotContain(result.Rows!.Acls(), a => a.Log);
    }

    [Fact]
    public void Options_name_logical_switch_ports_and_the_owner()
    {
        var rows = Compile(DenyIngressA, Pods, Namespaces, KubernetesCompileOptions.Default with
        {
            ControllerName = "my-ctl",
            LogicalSwitchPortName = (ns, pod) => $"{pod}.{ns}",
        });
        Assert.Equal(["db.a", "web.a"], rows.PolicyGroup("a/deny").Ports);
        Assert.All(rows.PortGroups, p => Assert.StartsWith("my_ctl_", p.Name, StringComparison.Ordinal));
        Assert.All(rows.Acls(), a => Assert.Equal("my-ctl", a.ExternalIds["owner-controller"]));
    }

    [Fact]
    public void Policy_acls_name_their_source_direction_and_rule_in_external_ids()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: a}
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
              ingress: [{}, {ports: [{port: 1}, {port: 2}]}]
              egress: [{to: [{podSelector: {}}]}]
            """, Pods, Namespaces);
        var acls = rows.PolicyGroup("a/p").Acls;
        Assert.Equal(5, acls.Count); // the egress rule has peers: one ACL per address family
        foreach (var (egress, family) in acls.Skip(3).Zip(["ip4", "ip6"]))
        {
            Assert.Equal(("from-lport", "allow-related", "a/p:egress:0", "true", family),
                (egress.Direction, egress.Action, egress.Name, egress.Options["apply-after-lb"], egress.ExternalIds["ip-family"]));
        }

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["owner-controller"] = "ovnacl", ["owner-type"] = "NetworkPolicy", ["owner"] = "a/p", ["direction"] = "Ingress",
                ["rule-index"] = "1", ["port-index"] = "1",
            },
            acls[2].ExternalIds.ToDictionary());
        Assert.All(acls, a => Assert.True(a.Name!.Length <= 63));
    }
}
