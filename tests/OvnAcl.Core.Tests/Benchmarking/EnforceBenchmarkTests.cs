using System.Text.Json;
using OvnAcl.Benchmarking;

namespace OvnAcl.Core.Tests.Benchmarking;

/// <summary>
/// <c>ovnacl bench enforce</c>: the peer formulation's rows and the member changes of an event (no processes), and one
/// small run end to end on two simulated chassis, for sanity, not for figures.
/// </summary>
public sealed class EnforceBenchmarkTests
{
    [Fact]
    public void The_ovn_kubernetes_formulation_writes_an_ipblock_with_excepts_as_a_negated_set()
    {
        var rows = EnforceBenchmark.Rows(new EnforceWorkload(EnforceShape.IpBlockExcept, 4), EnforceFormulation.OvnKubernetes);

        var policy = Assert.Single(rows.PortGroups, p => p.Name == "ns_0_policy_0");
        Assert.Equal(["ns-0_pod-0", "ns-0_pod-2"], policy.Ports);
        var allow = Assert.Single(policy.Acls);
        Assert.Equal(("to-lport", 1001, "allow-related"), (allow.Direction, allow.Priority, allow.Action));
        Assert.Equal("ip4.src == 10.0.0.0/8 && ip4.src != {10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16} && outport == @ns_0_policy_0", allow.Match);
        var deny = Assert.Single(rows.PortGroups, p => p.Name == "ns_0_ingressDefaultDeny");
        Assert.Equal(policy.Ports, deny.Ports);
        Assert.Equal(
            [(1000, "outport == @ns_0_ingressDefaultDeny", "drop"), (1001, "outport == @ns_0_ingressDefaultDeny && (arp || nd)", "allow")],
            deny.Acls.Select(a => (a.Priority, a.Match, a.Action)));
        Assert.Equal(["ns_0_v4", "ns_1_v4"], rows.AddressSets.Select(a => a.Name)); // its per-namespace sets, which no ACL here uses

        // OvnAcl's compiler writes the same block as disjoint prefixes, with no negation for ovn-controller to expand.
        var ovnacl = EnforceBenchmark.Rows(new EnforceWorkload(EnforceShape.IpBlockExcept, 4), EnforceFormulation.OvnAcl);
        Assert.DoesNotContain(ovnacl.PortGroups.SelectMany(p => p.Acls), a => a.Match.Contains("!=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_ovn_kubernetes_formulation_puts_selector_peers_in_address_sets_and_ports_in_the_l4_match()
    {
        var rows = EnforceBenchmark.Rows(new EnforceWorkload(EnforceShape.PodChurn, 4), EnforceFormulation.OvnKubernetes);

        var allow = Assert.Single(Assert.Single(rows.PortGroups, p => p.Name == "ns_0_policy_0").Acls);
        Assert.Equal("ip4.src == {$ns_0_policy_0_ingress_0_0_v4} && tcp && tcp.dst==8080 && outport == @ns_0_policy_0", allow.Match);
        var peers = Assert.Single(rows.AddressSets, a => a.Name == "ns_0_policy_0_ingress_0_0_v4");
        Assert.Equal([EnforceWorkload.Address(1), EnforceWorkload.Address(3)], peers.Addresses);
    }

    [Theory]
    [InlineData("ovnacl")]
    [InlineData("ovn-kubernetes")]
    public void A_pod_event_changes_only_members_and_the_next_puts_them_back(string formulationName)
    {
        var formulation = Assert.Single(EnforceBenchmarkOptions.ParseFormulations(formulationName));
        var workload = new EnforceWorkload(EnforceShape.PodChurn, 6);
        var before = EnforceBenchmark.Rows(workload, formulation);

        workload.Apply(0);
        var away = EnforceBenchmark.Rows(workload, formulation);
        var removal = EnforceBenchmark.RowChanges(before, away, membersOnly: true);
        workload.Apply(1);
        var back = EnforceBenchmark.RowChanges(away, EnforceBenchmark.Rows(workload, formulation), membersOnly: true);

        Assert.Contains("pg-set-ports", removal);
        Assert.DoesNotContain(removal, c => c.Contains(workload.PortName(0), StringComparison.Ordinal));
        Assert.Contains(removal, c => c.StartsWith("addresses=", StringComparison.Ordinal) && !c.Contains(EnforceWorkload.Address(0), StringComparison.Ordinal));
        Assert.Contains(workload.PortName(0), back);
        Assert.Equal(before, EnforceBenchmark.Rows(workload, formulation));
    }

    [Fact]
    public void Refuses_an_event_that_changes_acls()
    {
        var rows = EnforceBenchmark.Rows(new EnforceWorkload(EnforceShape.PodChurn, 4), EnforceFormulation.OvnKubernetes);
        var other = EnforceBenchmark.Rows(new EnforceWorkload(EnforceShape.IpBlockExcept, 4), EnforceFormulation.OvnKubernetes);

        Assert.Throws<BenchmarkException>(() => EnforceBenchmark.RowChanges(rows, other, membersOnly: true));
    }

    [Theory]
    [InlineData("ovnacl")]
    [InlineData("ovn-kubernetes")]
    public void A_policy_is_added_updated_and_deleted_with_its_acls(string formulationName)
    {
        var formulation = Assert.Single(EnforceBenchmarkOptions.ParseFormulations(formulationName));
        var workload = new EnforceWorkload(EnforceShape.PolicyChurn, 6);
        var initial = EnforceBenchmark.Rows(workload, formulation);
        Assert.False(workload.ChangesMembersOnly);

        workload.Apply(0);
        var added = EnforceBenchmark.Rows(workload, formulation);
        var add = EnforceBenchmark.RowChanges(initial, added, membersOnly: false);
        workload.Apply(1);
        var updated = EnforceBenchmark.Rows(workload, formulation);
        var update = EnforceBenchmark.RowChanges(added, updated, membersOnly: false);
        workload.Apply(2);
        var delete = EnforceBenchmark.RowChanges(updated, EnforceBenchmark.Rows(workload, formulation), membersOnly: false);

        var group = Assert.Single(added.PortGroups, p => p.Name.Contains("policy_churn", StringComparison.Ordinal)).Name;
        Assert.Contains("pg-add", add);
        Assert.Contains(add, c => c.StartsWith("match=", StringComparison.Ordinal) && c.Contains("9090", StringComparison.Ordinal));
        Assert.Contains("acl-del", update);
        Assert.Contains(update, c => c.Contains("9090", StringComparison.Ordinal));
        Assert.Contains(update, c => c.StartsWith("match=", StringComparison.Ordinal) && c.Contains("9091", StringComparison.Ordinal));
        Assert.DoesNotContain("pg-add", update);
        Assert.Equal(["--", "pg-del", group], delete.Take(3));
        Assert.Equal(initial, EnforceBenchmark.Rows(workload, formulation));
        Assert.Throws<BenchmarkException>(() => EnforceBenchmark.RowChanges(initial, added, membersOnly: true));
    }

    [Fact]
    public void A_named_port_resolves_for_ovnacl_and_admits_the_whole_protocol_for_ovn_kubernetes()
    {
        var workload = new EnforceWorkload(EnforceShape.NamedPort, 4);

        var peer = Assert.Single(Assert.Single(EnforceBenchmark.Rows(workload, EnforceFormulation.OvnKubernetes).PortGroups, p => p.Name == "ns_0_policy_0").Acls);
        Assert.Equal("ip4.src == {$ns_0_policy_0_ingress_0_0_v4} && tcp && outport == @ns_0_policy_0", peer.Match);
        var ovnacl = EnforceBenchmark.Rows(workload, EnforceFormulation.OvnAcl).PortGroups.SelectMany(p => p.Acls).Where(a => a.Name == "ns-0/policy-0:ingress:0:0:8080").ToList();
        Assert.Equal(2, ovnacl.Count); // one per address family
        Assert.All(ovnacl, a => Assert.EndsWith("tcp && tcp.dst == 8080", a.Match, StringComparison.Ordinal));
    }

    [Fact]
    public void A_namespace_selector_peer_is_the_namespace_address_set_for_ovn_kubernetes()
    {
        var workload = new EnforceWorkload(EnforceShape.NamespaceSelector, 4);
        var rows = EnforceBenchmark.Rows(workload, EnforceFormulation.OvnKubernetes);

        var allow = Assert.Single(Assert.Single(rows.PortGroups, p => p.Name == "ns_0_policy_0").Acls);
        Assert.Equal("ip4.src == {$ns_1_v4} && tcp && tcp.dst==8080 && outport == @ns_0_policy_0", allow.Match);
        Assert.Equal([EnforceWorkload.Address(1), EnforceWorkload.Address(3)], Assert.Single(rows.AddressSets, a => a.Name == "ns_1_v4").Addresses);

        // A pod deleted leaves its namespace's set in both formulations.
        workload.Apply(0);
        Assert.DoesNotContain(EnforceWorkload.Address(0), EnforceBenchmark.Rows(workload, EnforceFormulation.OvnKubernetes).AddressSets.Single(a => a.Name == "ns_0_v4").Addresses);
        Assert.Contains(EnforceBenchmark.RowChanges(rows, EnforceBenchmark.Rows(workload, EnforceFormulation.OvnKubernetes), membersOnly: true), c => c == "ns_0_v4");
    }

    /// <summary>
    /// The cluster-policy shape: the deny between tenants above the NetworkPolicies with one way out per tenant (its Pass,
    /// compiled away), all in selector-fed sets; a pod event moves members only; ovn-kubernetes has no 23.03 formulation.
    /// </summary>
    [Fact]
    public void The_cluster_policy_shape_compiles_its_passes_away_and_a_pod_event_changes_only_members()
    {
        var workload = new EnforceWorkload(EnforceShape.ClusterPolicy, 6);
        var rows = EnforceBenchmark.Rows(workload, EnforceFormulation.OvnAcl);
        var acls = rows.PortGroups.SelectMany(p => p.Acls).ToList();

        var denies = acls.Where(a => a.Action == "drop" && a.Priority > 1001).ToList();
        Assert.NotEmpty(denies);
        Assert.All(denies, a => Assert.DoesNotContain("!", a.Match, StringComparison.Ordinal)); // no negation for ovn-controller to expand
        // Per family: the deny for a subject outside every tenant's Pass, and one per tenant for a peer outside its own.
        Assert.True(workload.Policies + 1 == denies.Count(a => a.Match.Contains("ip4", StringComparison.Ordinal)), string.Join("\n", denies.Select(a => $"{a.Priority} {a.Match}")));
        Assert.DoesNotContain(acls, a => a.Action == "pass");
        Assert.Equal(3, workload.ClusterPolicyObjects().Count - 1); // three tenants, one deny

        workload.Apply(0);
        var changes = EnforceBenchmark.RowChanges(rows, EnforceBenchmark.Rows(workload, EnforceFormulation.OvnAcl), membersOnly: true);
        Assert.Contains("pg-set-ports", changes);
        Assert.Throws<BenchmarkException>(() => EnforceBenchmark.Rows(workload, EnforceFormulation.OvnKubernetes));
        Assert.False(EnforceBenchmarkOptions.Writes(EnforceFormulation.OvnKubernetes, EnforceShape.ClusterPolicy));
    }

    [Theory]
    [InlineData("pod-churn, IPBLOCK-except,pod-churn", "pod-churn,ipblock-except")]
    [InlineData("ipblock-except", "ipblock-except")]
    public void Reads_shape_lists(string text, string expected) =>
        Assert.Equal(expected, string.Join(",", EnforceBenchmarkOptions.ParseShapes(text).Select(EnforceBenchmarkOptions.Name)));

    [Theory]
    [InlineData("")]
    [InlineData("pod-churn,named-ports")]
    public void Refuses_bad_shape_lists(string text) =>
        Assert.Throws<FormatException>(() => EnforceBenchmarkOptions.ParseShapes(text));

    [Fact]
    public void Reads_formulation_lists() =>
        Assert.Equal([EnforceFormulation.OvnKubernetes, EnforceFormulation.OvnAcl], EnforceBenchmarkOptions.ParseFormulations("ovn-kubernetes,ovnacl"));

    [Fact]
    public async Task Counts_flows_and_times_every_event_on_every_chassis()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var report = await EnforceBenchmark.RunAsync(EnforceBenchmarkOptions.Default with { Chassis = 2, Pods = 6, Events = 2, Rounds = 2 }, deadline.Token);

        using var json = Json(report);
        Assert.Equal((2, 2), (json.RootElement.GetProperty("chassis").GetInt32(), json.RootElement.GetProperty("rounds").GetInt32()));
        var samples = json.RootElement.GetProperty("samples").EnumerateArray()
            .ToDictionary(s => (s.GetProperty("shape").GetString(), s.GetProperty("formulation").GetString()));
        Assert.Equal(
            [("cluster-policy", "ovnacl"), .. new[] { "ipblock-except", "named-port", "namespace-selector", "pod-churn", "policy-churn" }.SelectMany(s => new[] { (s, "ovn-kubernetes"), (s, "ovnacl") })],
            samples.Keys.Order());
        foreach (var sample in samples.Values)
        {
            var flows = sample.GetProperty("openflow_flows").GetInt32();
            var busiest = sample.GetProperty("openflow_flows_max_chassis").GetInt32();
            Assert.InRange(busiest, 1, flows);
            Assert.InRange(flows, busiest, 2 * busiest);
            var enforce = sample.GetProperty("enforce_ms");
            Assert.InRange(enforce.GetProperty("p50").GetDouble(), 0, enforce.GetProperty("p99").GetDouble());
            Assert.InRange(enforce.GetProperty("p99").GetDouble(), 0, enforce.GetProperty("max").GetDouble());
            Assert.InRange(enforce.GetProperty("max").GetDouble(), 0, 30_000);
            Assert.InRange(sample.GetProperty("northd_cpu_ms_per_change").GetDouble(), 0, 10_000);
            Assert.InRange(sample.GetProperty("controller_cpu_ms_per_change").GetDouble(), 0, 10_000);
            Assert.Equal(4, sample.GetProperty("events").GetInt32()); // two rounds of two, pooled
            var byRound = sample.GetProperty("enforce_p50_by_round").EnumerateArray().Select(p => p.GetDouble()).ToList();
            Assert.Equal(2, byRound.Count);
            Assert.InRange(enforce.GetProperty("p50").GetDouble(), byRound.Min() - 0.001, enforce.GetProperty("max").GetDouble());
            Assert.InRange(sample.GetProperty("northd_recomputes").GetInt64(), 0, 1000);
        }

        int Flows(string shape, string formulation) => samples[(shape, formulation)].GetProperty("openflow_flows").GetInt32();
        Assert.True(Flows("ipblock-except", "ovnacl") < Flows("ipblock-except", "ovn-kubernetes"),
            $"ipblock-except: ovnacl {Flows("ipblock-except", "ovnacl")} flows, ovn-kubernetes {Flows("ipblock-except", "ovn-kubernetes")}");
        foreach (var shape in new[] { "pod-churn", "named-port", "namespace-selector", "policy-churn" })
        {
            Assert.True(Flows(shape, "ovnacl") <= Flows(shape, "ovn-kubernetes"), $"{shape}: ovnacl {Flows(shape, "ovnacl")} flows, ovn-kubernetes {Flows(shape, "ovn-kubernetes")}");
        }
    }

    private static JsonDocument Json(EnforceReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            report.WriteJson(writer);
        }

        return JsonDocument.Parse(buffer.ToArray());
    }
}
