using System.Globalization;
using System.Text;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// Cluster-scoped policy flattened for OVN 23.03 (no ACL tiers, no pass), on real OVN: the x/y/z × a/b/c cluster on one
/// switch, AdminNetworkPolicies, the BaselineAdminNetworkPolicy and ClusterNetworkPolicies compiled with the
/// NetworkPolicies they sit around, written to a real NB, every pair traced by ovn-trace over ovn-northd's flows, and
/// compared with <see cref="AdminReferenceModel"/> (written from the API documentation, sharing nothing with the
/// compiler) and with the decision engine over the same rows.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class AdminPolicyOvnTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Probe Tcp80 = new("TCP", 80);
    private static readonly Probe Tcp81 = new("TCP", 81);
    private static readonly Probe Udp80 = new("UDP", 80);

    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("admin-policy-ovn");
    private readonly List<string> _mismatches = [];
    private OvnPodNetwork _network = null!;

    public Task InitializeAsync()
    {
        _network = new OvnPodNetwork(fixture.Sandbox, _scratch.Path);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _scratch.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    /// <summary>The hand-written cases, also sent as real packets by <c>DatapathReachabilityTests</c>.</summary>
    internal static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        ["ANP deny overrides a NetworkPolicy allow"] = new(
            NetworkPolicy("x", "allow-all", "podSelector: {}\n  ingress: [{}]"),
            Anp("deny-y-to-x", 5, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}
                """), [Tcp80]),
        ["ANP allow overrides a NetworkPolicy default deny"] = new(
            NetworkPolicy("x", "deny", "podSelector: {}\n  policyTypes: [Ingress, Egress]"),
            Anp("allow-y-to-x", 5, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}}]}
                  egress:
                  - {action: Allow, to: [{namespaces: {matchLabels: {ns: z}}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
                """), [Tcp80, Tcp81]),
        ["Pass hands the traffic to NetworkPolicy"] = new(
            NetworkPolicy("x", "from-y-a", "podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]"),
            Anp("pass-y", 1, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Pass, from: [{namespaces: {matchLabels: {ns: y}}}]}
                """) + Anp("deny-all-to-x", 2, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {}}]}
                """), [Tcp80]),
        ["Passes whose subjects exclude each other, over one deny"] = new(
            NetworkPolicy("x", "from-x-a", "podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchLabels: {pod: a}}}]"),
            Anp("own-x", 1, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Pass, from: [{namespaces: {matchLabels: {ns: x}}}]}
                """) + Anp("own-y", 2, """
                subject: {namespaces: {matchLabels: {ns: y}}}
                  ingress:
                  - {action: Pass, from: [{namespaces: {matchLabels: {ns: y}}}]}
                """) + Anp("deny-across", 3, """
                subject: {namespaces: {}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {}}]}
                """), [Tcp80]),
        ["Pass to the baseline where no NetworkPolicy decides, and overlapping subjects"] = new(
            "",
            Anp("pass-pod-a", 1, """
                subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: a}}}}
                  ingress:
                  - {action: Pass, from: [{namespaces: {matchLabels: {ns: z}}}], ports: [{portRange: {protocol: TCP, start: 80, end: 81}}]}
                """) + Anp("deny-z", 2, """
                subject: {namespaces: {matchExpressions: [{key: ns, operator: In, values: [x, y]}]}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {matchLabels: {ns: z}}}]}
                """) + Banp("""
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {ns: z}}, podSelector: {matchLabels: {pod: c}}}}]}
                  - {action: Deny, from: [{namespaces: {matchLabels: {ns: z}}}]}
                """), [Tcp80, Udp80]),
        ["Baseline decides only pods no NetworkPolicy isolates"] = new(
            NetworkPolicy("x", "from-z", "podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {ns: z}}}]"),
            Banp("""
                subject: {namespaces: {}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {}}]}
                """), [Tcp80]),
        ["Egress to networks and port ranges"] = new(
            "",
            Anp("deny-high-ips", 3, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  egress:
                  - {action: Deny, to: [{networks: [10.244.0.16/29]}], ports: [{portRange: {protocol: TCP, start: 79, end: 80}}]}
                  - {action: Allow, to: [{networks: [10.244.0.0/24]}]}
                """) + Banp("""
                subject: {namespaces: {}}
                  egress:
                  - {action: Deny, to: [{namespaces: {matchLabels: {ns: x}}}]}
                """), [Tcp80, Tcp81]),
        ["Named ports resolve per pod, never widened"] = new(
            "",
            Anp("web-only", 4, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Allow, from: [{namespaces: {}}], ports: [{namedPort: web}]}
                  - {action: Deny, from: [{namespaces: {}}]}
                  egress:
                  - {action: Pass, to: [{namespaces: {matchLabels: {ns: y}}}], ports: [{namedPort: web}]}
                  - {action: Deny, to: [{namespaces: {matchLabels: {ns: y}}}]}
                """), [Tcp80, Tcp81], Refused: true),
        ["ClusterNetworkPolicy tiers and protocols"] = new(
            NetworkPolicy("y", "deny-y", "podSelector: {matchLabels: {pod: b}}\n  policyTypes: [Ingress]"),
            Cnp("admin-udp", "Admin", 7, """
                subject: {namespaces: {matchLabels: {ns: y}}}
                  ingress:
                  - action: Accept
                    from: [{namespaces: {matchLabels: {ns: x}}}]
                    protocols: [{udp: {destinationPort: {number: 80}}}, {destinationNamedPort: web}]
                """) + Cnp("baseline-deny", "Baseline", 1, """
                subject: {namespaces: {matchLabels: {ns: y}}}
                  ingress:
                  - action: Deny
                    from: [{namespaces: {}}]
                    protocols: [{tcp: {}}]
                """), [Tcp80, Tcp81, Udp80]),
        ["Same priority: the documented order decides"] = new(
            "",
            Anp("a-deny", 5, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Deny, from: [{namespaces: {matchLabels: {ns: y}}}]}
                """) + Anp("b-allow", 5, """
                subject: {namespaces: {matchLabels: {ns: x}}}
                  ingress:
                  - {action: Allow, from: [{namespaces: {}}]}
                  - {action: Deny, from: [{namespaces: {}}]}
                """), [Tcp80]),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Traced_matrix_equals_the_reference_model(string name)
    {
        var test = Cases[name];
        var cluster = PodCluster.Xyz();
        var loaded = KubernetesInputLoader.LoadText(test.NetworkPolicies + test.ClusterPolicies, "case.yaml");
        Assert.Empty(loaded.LoadDiagnostics);
        var policies = loaded.Policies.Select(p => p.Object).ToList();
        var clusterPolicies = loaded.ClusterPolicies.Select(p => p.Object.ToString()).ToList();
        if (Compile(cluster, policies, clusterPolicies, test.Probes) is not { } rows)
        {
            Assert.True(test.Refused, $"{name}: refused flattened (OVNK0409)");
            output.WriteLine($"{name}: refused flattened (OVNK0409); the tiered rows give the reference model's verdicts");
            return;
        }

        Assert.False(test.Refused, $"{name}: compiled flattened, though the case expects OVNK0409");
        await _network.CreatePortsAsync(cluster);
        await _network.ApplyAsync(rows);
        var model = new AdminReferenceModel(clusterPolicies, new PolicyReferenceModel(policies, cluster.Namespaces), cluster.Namespaces);
        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, [OvnPodNetwork.SwitchRow(cluster)]));
        Assert.Empty(view.Diagnostics);
        var engine = new AclDecisionEngine(view);
        var cells = 0;
        foreach (var probe in test.Probes)
        {
            var pairs = OvnPodNetwork.AllPairs(cluster).ToList();
            var traced = await _network.TraceAllAsync(pairs, probe);
            foreach (var (src, dst) in pairs)
            {
                cells++;
                var expected = model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6);
                var actual = traced[(PodCluster.Key(src), PodCluster.Key(dst))];
                if (expected != actual)
                {
                    await _network.SyncAsync();
                    (actual, _) = await _network.TraceAsync(src, dst, probe);
                }

                var engineAllows = Decide(engine, view, src, dst, probe);
                if (expected != actual || engineAllows != actual)
                {
                    var (_, trace) = await _network.TraceAsync(src, dst, probe, detailed: true);
                    _mismatches.Add($"{name}: {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}: reference {Verdict(expected)}, ovn-trace {Verdict(actual)}, engine {Verdict(engineAllows)}\n"
                        + NorthboundFormatter.Format(rows, NorthboundFormat.Table) + "\n" + trace);
                }
            }

            output.WriteLine($"{name} {probe}:\n{OvnPodNetwork.Matrix(cluster, traced)}");
        }

        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count} of {cells} cells differ:\n{string.Join("\n", _mismatches.Take(2))}");
    }

    /// <summary>
    /// Differential property: seeded random cluster policy sets (Allow/Accept, Deny, Pass; ANP, CNP in both tiers,
    /// BANP; pods, namespaces and networks peers; numbers, ranges, named ports; overlapping subjects, same
    /// priorities) with random NetworkPolicies; the reference model, ovn-trace and the decision engine agree on
    /// random pairs and probes. <c>OVNACL_ADMIN_DIFF_SEED</c> explores other seeds.
    /// </summary>
    [Fact]
    public async Task Reference_ovn_trace_and_engine_agree_on_random_cluster_policies()
    {
        const int Clusters = 24;
        const int PairsPerCluster = 30;
        var baseSeed = int.TryParse(Environment.GetEnvironmentVariable("OVNACL_ADMIN_DIFF_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 1717;
        var started = System.Diagnostics.Stopwatch.StartNew();
        int compared = 0, allowed = 0, refused = 0;
        for (var c = 0; c < Clusters; c++)
        {
            var gen = new RandomAdminPolicyGen(baseSeed + c);
            var (cluster, policies, clusterPolicies) = gen.Next();
            if (Compile(cluster, policies, clusterPolicies, RandomPolicyGen.Probes) is not { } rows)
            {
                refused++;
                continue;
            }

            await _network.CreatePortsAsync(cluster);
            await _network.ApplyAsync(rows);
            var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, [OvnPodNetwork.SwitchRow(cluster)]));
            Assert.Empty(view.Diagnostics);
            var engine = new AclDecisionEngine(view);
            var model = new AdminReferenceModel(clusterPolicies, new PolicyReferenceModel(policies, cluster.Namespaces), cluster.Namespaces);
            for (var i = 0; i < PairsPerCluster; i++)
            {
                var (src, dst, probe) = gen.Pair(cluster);
                var expected = model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6);
                var (ovnAllows, _) = await _network.TraceAsync(src, dst, probe);
                var engineAllows = Decide(engine, view, src, dst, probe);
                compared++;
                allowed += ovnAllows ? 1 : 0;
                if (expected != ovnAllows || engineAllows != ovnAllows)
                {
                    var (_, trace) = await _network.TraceAsync(src, dst, probe, detailed: true);
                    _mismatches.Add($"seed {baseSeed + c}: {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}: reference {Verdict(expected)}, ovn-trace {Verdict(ovnAllows)}, engine {Verdict(engineAllows)}\n"
                        + "cluster policies:\n" + string.Join("\n", clusterPolicies) + "\nnetwork policies:\n" + string.Join("\n", policies.Select(k8s.KubernetesYaml.Serialize))
                        + "\n" + NorthboundFormatter.Format(rows, NorthboundFormat.Table) + "\n" + trace);
                }
            }
        }

        output.WriteLine($"{Clusters} random cluster policy sets ({refused} refused flattened for overlapping Passes, their tiered rows checked against the model), {compared} pairs compared ({allowed} allowed), {_mismatches.Count} disagreement(s), {started.Elapsed.TotalSeconds:0.0} s");
        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count} disagreement(s):\n{string.Join("\n", _mismatches.Take(2))}");
        Assert.InRange(allowed, 1, compared - 1);
    }

    /// <summary>
    /// The flattened rows, or null when the only errors are Passes overlapping a lower rule (OVNK0409: refused, as
    /// negating them would cost OpenFlow exponential in the pods); then the tiered rows must give the reference
    /// model's verdicts on every pair and probe, which is checked here before returning null.
    /// </summary>
    private static NorthboundRows? Compile(PodCluster cluster, List<V1NetworkPolicy> policies, IReadOnlyList<string> clusterPolicies, IEnumerable<Probe> probes)
    {
        var input = KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes).WithClusterPolicies(clusterPolicies.Select(ClusterPolicyObject.Parse));
        var result = KubernetesCompiler.Compile(input);
        if (result.Succeeded)
        {
            return result.Rows!;
        }

        Assert.All(result.Diagnostics.Where(d => d.IsError), d => Assert.Equal(CompileDiagnosticCodes.AdminPassNeedsTiers, d.Code));
        var tiered = KubernetesCompiler.Compile(input, KubernetesCompileOptions.Default with { AclTiers = true }).GetRowsOrThrow();
        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(tiered, [OvnPodNetwork.SwitchRow(cluster)]));
        var engine = new AclDecisionEngine(view);
        var model = new AdminReferenceModel(clusterPolicies, new PolicyReferenceModel(policies, cluster.Namespaces), cluster.Namespaces);
        foreach (var probe in probes)
        {
            foreach (var (src, dst) in OvnPodNetwork.AllPairs(cluster))
            {
                Assert.True(model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6) == Decide(engine, view, src, dst, probe),
                    $"tiered rows: {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}");
            }
        }

        return null;
    }

    private static bool Decide(AclDecisionEngine engine, AclPolicyView view, V1Pod src, V1Pod dst, Probe probe)
    {
        var (from, to) = (PodCluster.Lsp(src), PodCluster.Lsp(dst));
        var decision = engine.Decide(from, to, AclPacketFactory.Create(view, from, to, AclPacketFactory.ParseProtocol(probe.Protocol), (ushort)probe.Port, probe.Ipv6));
        return decision.Verdict == AclVerdict.Allow;
    }

    private static string Verdict(bool allows) => allows ? "allow" : "deny";

    private static string NetworkPolicy(string ns, string name, string spec) =>
        $"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  {spec.TrimEnd()}\n";

    private static string Anp(string name, int priority, string spec) =>
        $"---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: {name}\nspec:\n  priority: {priority}\n  {spec.TrimEnd()}\n";

    private static string Banp(string spec) =>
        $"---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n  {spec.TrimEnd()}\n";

    private static string Cnp(string name, string tier, int priority, string spec) =>
        $"---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: {name}\nspec:\n  tier: {tier}\n  priority: {priority}\n  {spec.TrimEnd()}\n";

    /// <param name="Refused">The flattened form refuses the case (a Pass overlapping a lower rule, OVNK0409).</param>
    internal sealed record Case(string NetworkPolicies, string ClusterPolicies, Probe[] Probes, bool Refused = false);
}
