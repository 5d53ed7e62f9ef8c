using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;
using static OvnAcl.Core.Tests.Kubernetes.K8s;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>What must not change: ACL rows when pods come, go or are relabelled; output across runs and input order.</summary>
public sealed class StabilityTests
{
    private const string Policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress, Egress]
          ingress:
          - from: [{podSelector: {matchLabels: {role: client}}}, {namespaceSelector: {matchLabels: {team: ops}}}]
            ports: [{port: 80}, {port: http}]
          egress:
          - to: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}}]
            ports: [{port: pg}]
          - to: [{ipBlock: {cidr: 10.96.0.0/12, except: [10.96.0.0/24]}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: db}}
          ingress:
          - from: [{podSelector: {matchLabels: {app: web}}}]
        """;

    private static V1Pod[] Shop(int count, Func<int, string>? labels = null) =>
    [
        .. Enumerable.Range(0, count).Select(i => Pod("shop", $"web-{i}", labels?.Invoke(i) ?? (i % 3 == 0 ? "app=web" : i % 3 == 1 ? "role=client" : "app=db"),
            [$"10.{i / 65536}.{i / 256 % 256}.{i % 256}", $"fd00::{i:x}"], i % 3 == 2 ? "pg:5432" : "http:8080")),
    ];

    [Fact]
    public void Relabelling_a_pod_changes_members_and_addresses_only()
    {
        var before = Compile(Policies, Shop(6));
        var after = Compile(Policies, Shop(6, i => i == 1 ? "app=web" : i == 0 ? "role=client" : i % 3 == 0 ? "app=web" : i % 3 == 1 ? "role=client" : "app=db"));
        Assert.NotEqual(before, after);
        Assert.Equal(before.Acls(), after.Acls());
        Assert.Equal(before.PortGroups.Select(p => p.Name), after.PortGroups.Select(p => p.Name));
        Assert.Equal(before.AddressSets.Select(p => p.Name), after.AddressSets.Select(p => p.Name));
        Assert.Contains("shop_web-1", after.PolicyGroup("shop/web").Ports);
        Assert.DoesNotContain("shop_web-1", before.PolicyGroup("shop/web").Ports);
    }

    [Fact]
    public void Relabelling_a_namespace_changes_addresses_only()
    {
        V1Pod[] pods = [.. Shop(3), Pod("ops", "tool", "x=y", "10.9.9.9")];
        var before = Compile(Policies, pods, [Namespace("shop"), Namespace("ops")]);
        var after = Compile(Policies, pods, [Namespace("shop"), Namespace("ops", Labels("team=ops"))]);
        Assert.Equal(before.PortGroups, after.PortGroups);
        Assert.NotEqual(before.AddressSets, after.AddressSets);
        Assert.Contains(after.AddressSets, a => a.Addresses.Contains("10.9.9.9"));
    }

    [Fact]
    public void The_number_of_acls_does_not_depend_on_the_number_of_pods()
    {
        var few = Compile(Policies, Shop(10));
        var many = Compile(Policies, Shop(1000));
        Assert.Equal(few.Acls(), many.Acls());
        Assert.Equal(few.PortGroups.Count, many.PortGroups.Count);
        Assert.Equal(few.AddressSets.Count, many.AddressSets.Count);
        Assert.Equal(334, many.PolicyGroup("shop/web").Ports.Count);
    }

    [Fact]
    public void Output_is_identical_across_runs_and_input_orders()
    {
        var pods = Shop(30);
        var first = NorthboundFormatter.Format(Compile(Policies, pods), NorthboundFormat.Json);
        var again = NorthboundFormatter.Format(Compile(Policies, pods), NorthboundFormat.Json);
        var policies = Policies.Split("---\n");
        var reordered = NorthboundFormatter.Format(Compile(policies[1] + "\n---\n" + policies[0], pods.Reverse()), NorthboundFormat.Json);
        Assert.Equal(first, again);
        Assert.Equal(first, reordered);
    }

    [Fact]
    public void Equal_selectors_share_one_address_set_across_rules_and_policies()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: one, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: two, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: cache}}
              ingress:
              - from: [{podSelector: {matchExpressions: [{key: app, operator: In, values: [web, web]}]}}]
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: 6379}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: other, namespace: elsewhere}
            spec:
              podSelector: {}
              ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
            """, Shop(6));
        Assert.Equal(4, rows.AddressSets.Count); // shop's web pods and elsewhere's, each ip4 + ip6
        var shared = rows.AddressSets.Single(a => a.ExternalIds["owner"] == "namespace=shop;pods=app In (web)" && a.ExternalIds["ip-family"] == "ip4");
        Assert.All(rows.PolicyGroup("shop/one").Acls.Concat(rows.PolicyGroup("shop/two").Acls).Where(a => a.ExternalIds["ip-family"] == "ip4"),
            a => Assert.Contains("$" + shared.Name, a.Match, StringComparison.Ordinal));
        Assert.DoesNotContain(rows.PolicyGroup("elsewhere/other").Acls, a => a.Match.Contains(shared.Name, StringComparison.Ordinal));
        Assert.DoesNotContain('-', string.Concat(rows.AddressSets.Select(a => a.Name)));
    }

    [Fact]
    public void Long_names_give_acl_names_of_at_most_63_characters_with_a_warning()
    {
        var ns = new string('n', 63);
        var name = "policy-" + new string('p', 200);
        var input = Input($$$"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: {{{name}}}, namespace: {{{ns}}}}
            spec:
              podSelector: {}
              ingress: [{ports: [{port: 1}, {port: 2}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: {{{name}}}x, namespace: {{{ns}}}}
            spec:
              podSelector: {}
              ingress: [{ports: [{port: 1}]}]
            """, [Pod(ns, "p", "a=b", "10.0.0.1")]);
        var result = KubernetesCompiler.Compile(input);
        Assert.True(result.Succeeded);
        var names = result.Rows!.Acls().Select(a => a.Name!).ToList();
        Assert.All(names, n => Assert.InRange(n.Length, 1, 63));
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names, KubernetesCompiler.Compile(input).Rows!.Acls().Select(a => a.Name!));
        var warnings = result.Diagnostics.Where(d => d.Code == CompileDiagnosticCodes.AclNameTruncated).ToList();
        Assert.Equal(2 + 1, warnings.Count); // the two policies, and the namespace's default-deny names
        Assert.All(result.Rows!.PortGroups, p => Assert.True(p.Name.Length < 80, p.Name));
    }

    [Fact]
    public void Egress_to_named_ports_leaves_no_unused_address_set()
    {
        var rows = Compile("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: shop}
            spec:
              podSelector: {}
              policyTypes: [Egress]
              egress: [{to: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: pg}]}]
            """, Shop(6));
        var referenced = rows.Acls().SelectMany(a => System.Text.RegularExpressions.Regex.Matches(a.Match, @"\$(\w+)").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.Equal(rows.AddressSets.Select(a => a.Name).Order(), referenced.Order());
        Assert.All(rows.AddressSets, a => Assert.Equal("NamedPort", a.ExternalIds["owner-type"]));
    }
}
