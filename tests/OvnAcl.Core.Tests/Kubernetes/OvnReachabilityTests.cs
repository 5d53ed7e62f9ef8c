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
/// The compiler on real OVN, in the shape of the upstream netpol e2e suite: the x/y/z × a/b/c cluster on one logical
/// switch (each namespace's pods on a node of its own, the Node objects compiled too), each case's policies compiled and written to a real NB, ovn-northd's flows traced by ovn-trace for every
/// ordered pair of pods, and the matrix compared with <see cref="PolicyReferenceModel"/> (written from the API
/// reference, sharing nothing with the compiler).
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class OvnReachabilityTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly Probe Tcp80 = new("TCP", 80);
    private static readonly Probe Tcp81 = new("TCP", 81);
    private static readonly Probe Udp80 = new("UDP", 80);
    private static readonly Probe Udp81 = new("UDP", 81);
    private static readonly Probe Sctp80 = new("SCTP", 80);

    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("ovn-reachability");
    private readonly List<string> _mismatches = [];
    private OvnPodNetwork _network = null!;
    private int _probes;

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

    /// <summary>Each case: a cluster (maybe relabelled), policies, probes; several steps for updates.</summary>
    private static readonly Dictionary<string, Step[]> Cases = new(StringComparer.Ordinal)
    {
        ["default deny ingress"] = [new(Xyz, Policy("x", "deny-ingress", "podSelector: {}\n  policyTypes: [Ingress]"), [Tcp80])],
        ["default deny egress"] = [new(Xyz, Policy("x", "deny-egress", "podSelector: {}\n  policyTypes: [Egress]"), [Tcp80])],
        ["deny all"] = [new(Xyz, Policy("x", "deny-all", "podSelector: {}\n  policyTypes: [Ingress, Egress]"), [Udp81])],
        ["allow all after deny all"] =
        [
            new(Xyz, Policy("x", "deny-all", "podSelector: {}\n  policyTypes: [Ingress, Egress]")
                     + Policy("x", "allow-all", "podSelector: {}\n  ingress: [{}]\n  egress: [{}]"), [Tcp80]),
        ],
        ["pod selector match expressions"] =
        [
            new(() => Xyz().WithPodLabels("y/b", Labels("pod=b,team=blue")).WithPodLabels("z/c", Labels("pod=c,team=red")),
                Policy("x", "exprs", """
                    podSelector:
                        matchExpressions: [{key: pod, operator: In, values: [a, b]}, {key: team, operator: DoesNotExist}]
                      ingress:
                      - from:
                        - namespaceSelector: {}
                          podSelector:
                            matchExpressions: [{key: pod, operator: NotIn, values: [a]}, {key: team, operator: Exists}]
                        - podSelector:
                            matchExpressions: [{key: team, operator: NotIn, values: [red]}, {key: pod, operator: NotIn, values: [b]}]
                    """), [Tcp80]),
        ],
        ["namespace selector"] =
        [
            new(Xyz, Policy("x", "from-y", """
                podSelector: {}
                  ingress:
                  - from:
                    - namespaceSelector:
                        matchExpressions: [{key: ns, operator: In, values: [y]}]
                """), [Tcp80]),
        ],
        ["combined pod and namespace selector"] =
        [
            new(Xyz, Policy("x", "combined", """
                podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {ns: y}}
                      podSelector: {matchLabels: {pod: b}}
                    - podSelector: {matchLabels: {pod: c}}
                """), [Tcp80]),
        ],
        ["stacked policies"] =
        [
            new(Xyz, Policy("x", "a-from-y", """
                podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """) + Policy("x", "a-from-z-81", """
                podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: z}}}]
                    ports: [{port: 81}]
                """) + Policy("x", "all-egress-to-x", """
                podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to: [{podSelector: {}}]
                """), [Tcp80, Tcp81]),
        ],
        ["port and end port range"] =
        [
            new(Xyz, Policy("x", "range", """
                podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {}}]
                    ports: [{port: 81, endPort: 90, protocol: TCP}]
                """) + Policy("y", "egress-range", """
                podSelector: {matchLabels: {pod: b}}
                  policyTypes: [Egress]
                  egress:
                  - ports: [{port: 70, endPort: 80}]
                """), [Tcp80, Tcp81]),
        ],
        ["named ports"] =
        [
            new(Xyz, Policy("x", "web", """
                podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {}}]
                    ports: [{port: web}]
                """) + Policy("y", "egress-named", """
                podSelector: {}
                  egress:
                  - ports: [{port: serve-81-udp, protocol: UDP}, {port: web}]
                """), [Tcp80, Tcp81, Udp81]),
        ],
        ["ip block with except"] =
        [
            new(Xyz, Policy("x", "block", """
                podSelector: {}
                  ingress:
                  - from: [{ipBlock: {cidr: 10.244.0.0/24, except: [10.244.0.16/30]}}]
                """) + Policy("y", "egress-block", """
                podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{ipBlock: {cidr: 10.244.0.8/29, except: [10.244.0.12/31]}}]
                """), [Tcp80]),
        ],
        ["sctp and udp"] =
        [
            new(Xyz, Policy("x", "sctp", """
                podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                    ports: [{protocol: SCTP, port: 80}]
                """) + Policy("x", "udp", """
                podSelector: {matchLabels: {pod: b}}
                  ingress:
                  - ports: [{protocol: UDP}]
                """), [Sctp80, Udp80]),
        ],
        ["ipv6"] =
        [
            new(() => PodCluster.Xyz(dualStack: true), Policy("x", "v6", """
                podSelector: {}
                  ingress:
                  - from:
                    - ipBlock: {cidr: "fd00:10:244::/120", except: ["fd00:10:244::10/124"]}
                    - namespaceSelector: {matchLabels: {ns: z}}
                      podSelector: {matchLabels: {pod: c}}
                """), [new("TCP", 80, Ipv6: true), Tcp80]),
        ],
        ["policy update and deletion"] =
        [
            new(Xyz, Policy("x", "p", """
                podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
                """), [Tcp80]),
            new(Xyz, Policy("x", "p", """
                podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: z}}}]
                    ports: [{port: 80}]
                """), [Tcp80]),
            new(Xyz, "", [Tcp80]),
        ],
        ["pod relabelling"] =
        [
            new(Xyz, Policy("x", "from-b", """
                podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
                  ingress:
                  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]
                """), [Tcp80]),
            new(() => Xyz().WithPodLabels("y/c", Labels("pod=b")).WithPodLabels("x/b", Labels("pod=q")), Policy("x", "from-b", """
                podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
                  ingress:
                  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]
                """), [Tcp80]),
        ],
        ["namespace relabelling"] =
        [
            new(Xyz, Policy("x", "from-blue", """
                podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {team: blue}}}]
                """), [Tcp80]),
            new(() => Xyz().WithNamespaceLabels("z", Labels("ns=z,team=blue")), Policy("x", "from-blue", """
                podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {team: blue}}}]
                """), [Tcp80]),
        ],
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Traced_matrix_equals_the_reference_model(string name)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var steps = Cases[name];
        await _network.CreatePortsAsync(steps[0].Cluster());
        for (var i = 0; i < steps.Length; i++)
        {
            await CheckStepAsync($"{name} (step {i + 1})", steps[i]);
        }

        output.WriteLine($"{name}: {steps.Length} step(s), {_probes} probe(s), {_network.Traces} pairs traced, {_mismatches.Count} disagreement(s), {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var mismatch in _mismatches.Take(4))
        {
            output.WriteLine(mismatch);
        }

        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count} pair(s) differ from the reference model:\n{string.Join("\n", _mismatches.Take(4))}");
    }

    /// <summary>
    /// Differential property: on seeded random clusters and policies, the decision engine over the compiled rows,
    /// ovn-trace over the same rows in a real NB and the reference model give the same verdict for random pairs and
    /// probes. <c>OVNACL_K8S_DIFF_SEED</c> explores other seeds.
    /// </summary>
    [Fact]
    public async Task Engine_ovn_trace_and_reference_model_agree_on_random_policies()
    {
        const int Clusters = 10;
        const int PairsPerCluster = 30;
        var baseSeed = int.TryParse(Environment.GetEnvironmentVariable("OVNACL_K8S_DIFF_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 4242;
        var started = System.Diagnostics.Stopwatch.StartNew();
        int compared = 0, allowed = 0, ambiguous = 0;
        for (var c = 0; c < Clusters; c++)
        {
            var gen = new RandomPolicyGen(baseSeed + c);
            var (cluster, policies) = gen.Next();
            var result = KubernetesCompiler.Compile(KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes));
            Assert.True(result.Succeeded, $"seed {baseSeed + c}: " + string.Join("\n", result.Diagnostics));
            var rows = result.Rows!;
            await _network.CreatePortsAsync(cluster);
            await _network.ApplyAsync(rows);
            var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, [OvnPodNetwork.SwitchRow(cluster)]));
            Assert.Empty(view.Diagnostics);
            var engine = new AclDecisionEngine(view);
            var model = new PolicyReferenceModel(policies, cluster.Namespaces);
            for (var i = 0; i < PairsPerCluster; i++)
            {
                var (src, dst, probe) = gen.Pair(cluster);
                var (from, to) = (PodCluster.Lsp(src), PodCluster.Lsp(dst));
                var decision = engine.Decide(from, to, AclPacketFactory.Create(view, from, to, AclPacketFactory.ParseProtocol(probe.Protocol), (ushort)probe.Port, probe.Ipv6));
                ambiguous += decision.IsAmbiguous ? 1 : 0;
                var engineAllows = decision.Verdict == AclVerdict.Allow;
                var (ovnAllows, _) = await _network.TraceAsync(src, dst, probe);
                var expected = model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6);
                compared++;
                allowed += ovnAllows ? 1 : 0;
                if (engineAllows != ovnAllows || ovnAllows != expected)
                {
                    var (_, trace) = await _network.TraceAsync(src, dst, probe, detailed: true);
                    _mismatches.Add($"seed {baseSeed + c}, engine {(engineAllows ? "allow" : "deny")}\n" +
                                    Describe($"random cluster {c}", src, dst, probe, expected, ovnAllows, rows, trace) +
                                    "\npolicies:\n" + string.Join("\n", policies.Select(k8s.KubernetesYaml.Serialize)));
                }
            }
        }

        output.WriteLine($"{Clusters} random clusters, {compared} pairs compared ({allowed} allowed), {ambiguous} ambiguous, {_mismatches.Count} disagreement(s), {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var mismatch in _mismatches.Take(3))
        {
            output.WriteLine(mismatch);
        }

        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count} disagreement(s):\n{string.Join("\n", _mismatches.Take(2))}");
        Assert.InRange(allowed, 1, compared - 1);
    }

    /// <summary>The reference model is checked by hand on cells whose answer is plain from the policies.</summary>
    [Fact]
    public void Reference_model_gives_the_obvious_answers()
    {
        var cluster = Xyz();
        bool Allows(string yaml, string src, string dst, Probe probe)
        {
            var model = new PolicyReferenceModel(Policies(yaml), cluster.Namespaces);
            return model.Allows(cluster.Pod(src), cluster.Pod(dst), probe.Protocol, probe.Port, probe.Ipv6);
        }

        Assert.False(Allows(Cases["default deny ingress"][0].Policies, "y/a", "x/a", Tcp80));
        Assert.True(Allows(Cases["default deny ingress"][0].Policies, "x/a", "y/a", Tcp80));
        Assert.False(Allows(Cases["default deny egress"][0].Policies, "x/a", "y/a", Tcp80));
        Assert.True(Allows(Cases["allow all after deny all"][0].Policies, "x/a", "y/a", Tcp80));
        var exprs = Cases["pod selector match expressions"][0];
        var relabelled = exprs.Cluster();
        bool ExprAllows(string src, string dst) =>
            new PolicyReferenceModel(Policies(exprs.Policies), relabelled.Namespaces).Allows(relabelled.Pod(src), relabelled.Pod(dst), "TCP", 80, false);
        Assert.True(ExprAllows("x/c", "x/a"));  // team NotIn [red] holds when team is absent
        Assert.False(ExprAllows("x/b", "x/a"));
        Assert.True(ExprAllows("y/b", "x/b"));  // team Exists
        Assert.False(ExprAllows("y/a", "x/b"));
        Assert.True(ExprAllows("y/a", "x/c"));  // x/c is not selected
        Assert.True(Allows(Cases["combined pod and namespace selector"][0].Policies, "y/b", "x/a", Tcp80));
        Assert.False(Allows(Cases["combined pod and namespace selector"][0].Policies, "y/c", "x/a", Tcp80));
        Assert.True(Allows(Cases["combined pod and namespace selector"][0].Policies, "x/c", "x/a", Tcp80));
        Assert.True(Allows(Cases["named ports"][0].Policies, "z/c", "x/a", Tcp80));
        Assert.False(Allows(Cases["named ports"][0].Policies, "z/c", "x/a", Tcp81));
        Assert.True(Allows(Cases["named ports"][0].Policies, "z/c", "x/b", Tcp81));
        Assert.False(Allows(Cases["named ports"][0].Policies, "z/c", "x/c", Tcp80));
        Assert.False(Allows(Cases["ip block with except"][0].Policies, "z/a", "x/a", Tcp80));
        Assert.True(Allows(Cases["ip block with except"][0].Policies, "y/b", "x/a", Tcp80));
        Assert.False(Allows(Cases["sctp and udp"][0].Policies, "y/a", "x/a", Udp81));
        Assert.True(Allows(Cases["sctp and udp"][0].Policies, "y/a", "x/a", Sctp80));
    }

    private async Task CheckStepAsync(string label, Step step)
    {
        var cluster = step.Cluster();
        var policies = Policies(step.Policies);
        // With the cluster's Node objects, as a live cluster always has them: their allowances change no pod-to-pod cell.
        var input = KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes);
        var result = KubernetesCompiler.Compile(input);
        Assert.Contains(result.Rows!.PortGroups, g => g.Name.Contains("_node_", StringComparison.Ordinal) || policies.Count == 0);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        var rows = result.Rows!;
        await _network.ApplyAsync(rows);
        var model = new PolicyReferenceModel(policies, cluster.Namespaces);
        foreach (var probe in step.Probes)
        {
            _probes++;
            var pairs = OvnPodNetwork.AllPairs(cluster).ToList();
            var traced = await _network.TraceAllAsync(pairs, probe);
            foreach (var (src, dst) in pairs)
            {
                var expected = model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6);
                var actual = traced[(PodCluster.Key(src), PodCluster.Key(dst))];
                if (expected != actual)
                {
                    // Seen once on a loaded 2-core run: one minimal trace of many in parallel said deny while the
                    // detailed trace right after showed delivery. A semantic disagreement is deterministic, so a pair
                    // is traced once more before it counts; the retrace is reported either way.
                    await _network.SyncAsync();
                    var (again, _) = await _network.TraceAsync(src, dst, probe);
                    output.WriteLine($"{label} {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}: traced again, {(again == expected ? "now agrees" : "still disagrees")}");
                    if (again != expected)
                    {
                        var (_, trace) = await _network.TraceAsync(src, dst, probe, detailed: true);
                        _mismatches.Add(Describe(label, src, dst, probe, expected, again, rows, trace));
                    }
                }
            }

            output.WriteLine($"{label} {probe}:\n{OvnPodNetwork.Matrix(cluster, traced)}");
        }
    }

    private static string Describe(string label, V1Pod src, V1Pod dst, Probe probe, bool expected, bool actual, NorthboundRows rows, string trace) =>
        $"--- {label}: {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}: expected {(expected ? "allow" : "deny")}, ovn-trace {(actual ? "allow" : "deny")}\n" +
        $"microflow: {OvnPodNetwork.Microflow(src, dst, probe)}\n" +
        NorthboundFormatter.Format(rows, NorthboundFormat.Table) + "\n" + trace;

    private static List<V1NetworkPolicy> Policies(string yaml)
    {
        if (yaml.Length == 0)
        {
            return [];
        }

        var loaded = KubernetesInputLoader.LoadText(yaml, "case.yaml");
        Assert.Empty(loaded.LoadDiagnostics);
        return [.. loaded.Policies.Select(p => p.Object)];
    }

    private static PodCluster Xyz() => PodCluster.Xyz();

    private static Dictionary<string, string> Labels(string labels) => K8s.Labels(labels);

    /// <summary>A NetworkPolicy document; <paramref name="spec"/> is the body of <c>spec:</c>, indented by two under it.</summary>
    private static string Policy(string ns, string name, string spec) =>
        $"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  {spec.TrimEnd()}\n";

    private sealed record Step(Func<PodCluster> Cluster, string Policies, Probe[] Probes);
}
