using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// The tiered target (OVN 23.06+: ACL <c>tier</c> and <c>pass</c>, <see cref="KubernetesCompileOptions.AclTiers"/>),
/// which no OVN installable here can run: the decision engine, which evaluates tiers and pass as ovn-northd lays them
/// out, gives every pair and probe the same verdict over the tiered rows as over the flattened ones (which
/// <see cref="AdminPolicyOvnTests"/> hold equal to ovn-trace) and as the reference model.
/// </summary>
public sealed class TieredClusterPolicyTests
{
    private static readonly KubernetesCompileOptions Tiered = KubernetesCompileOptions.Default with { AclTiers = true };

    [Fact]
    public void Tiered_and_flattened_rows_give_the_same_verdicts_as_the_reference_model()
    {
        var compared = 0;
        var passes = 0;
        var flattened = 0;
        for (var seed = 500; seed < 540; seed++)
        {
            var gen = new RandomAdminPolicyGen(seed);
            var (cluster, policies, clusterPolicies) = gen.Next();
            var input = KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes)
                .WithClusterPolicies(clusterPolicies.Select(ClusterPolicyObject.Parse));
            // The flattened form refuses a Pass overlapping a lower rule (OVNK0409); the tiered one alone is compared then.
            var flatResult = KubernetesCompiler.Compile(input);
            Assert.True(flatResult.Succeeded || flatResult.Diagnostics.Where(d => d.IsError).All(d => d.Code == CompileDiagnosticCodes.AdminPassNeedsTiers),
                string.Join("\n", flatResult.Diagnostics));
            var flat = flatResult.Rows is { } flatRows ? Engine(flatRows, cluster) : null;
            flattened += flat is null ? 0 : 1;
            var tieredRows = KubernetesCompiler.Compile(input, Tiered).GetRowsOrThrow();
            var tiered = Engine(tieredRows, cluster);
            passes += tieredRows.PortGroups.SelectMany(g => g.Acls).Count(a => a.Action == "pass");
            Assert.All(tieredRows.PortGroups.SelectMany(g => g.Acls), a => Assert.InRange(a.Tier, 1, 3));
            var model = new AdminReferenceModel(clusterPolicies, new PolicyReferenceModel(policies, cluster.Namespaces), cluster.Namespaces);
            foreach (var (src, dst) in OvnPodNetwork.AllPairs(cluster))
            {
                foreach (var probe in RandomPolicyGen.Probes)
                {
                    var expected = model.Allows(src, dst, probe.Protocol, probe.Port, probe.Ipv6);
                    var t = tiered.Allows(src, dst, probe);
                    var f = flat?.Allows(src, dst, probe) ?? t;
                    Assert.True(expected == f && f == t,
                        $"seed {seed}: {PodCluster.Key(src)} -> {PodCluster.Key(dst)} {probe}: reference {expected}, flattened {f}, tiered {t}\n" + string.Join("\n", clusterPolicies));
                    compared++;
                }
            }
        }

        Assert.True(passes > 0, "no pass ACL in any tiered set: the test would not show pass");
        Assert.InRange(flattened, 5, 39); // some sets compile flattened too, some are refused
        Assert.True(compared > 10_000, compared.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Tiered_rows_put_each_tier_where_ovn_kubernetes_does_and_pass_is_an_acl()
    {
        var guardrails = KubernetesInputLoader.LoadText(File.ReadAllText(Path.Combine(OvnAcl.Testing.Repository.Root, "samples", "admin-policy", "guardrails.yaml")), "g.yaml")
            .Concat(KubernetesInputLoader.LoadText(File.ReadAllText(Path.Combine(OvnAcl.Testing.Repository.Root, "samples", "admin-policy", "tenant-policies.yaml")), "t.yaml"));
        var rows = KubernetesCompiler.Compile(guardrails, Tiered).GetRowsOrThrow();
        var byOwner = rows.PortGroups.SelectMany(g => g.Acls).ToLookup(a => a.ExternalIds.Get("owner-type"));
        Assert.All(byOwner["AdminNetworkPolicy"], a => Assert.Equal(1, a.Tier));
        Assert.All(byOwner["BaselineAdminNetworkPolicy"], a => Assert.Equal(3, a.Tier));
        Assert.All(byOwner["NetworkPolicy"].Concat(byOwner["Namespace"]), a => Assert.Equal(2, a.Tier));
        Assert.Equal(4, byOwner["AdminNetworkPolicy"].Count(a => a.Action == "pass"));
        Assert.DoesNotContain(rows.PortGroups.SelectMany(g => g.Acls), a => a.Match.Contains('!', StringComparison.Ordinal));
    }

    private sealed class Decider(AclDecisionEngine engine, AclPolicyView view)
    {
        public bool Allows(V1Pod src, V1Pod dst, Probe probe)
        {
            var (from, to) = (PodCluster.Lsp(src), PodCluster.Lsp(dst));
            return engine.Decide(from, to, AclPacketFactory.Create(view, from, to, AclPacketFactory.ParseProtocol(probe.Protocol), (ushort)probe.Port, probe.Ipv6)).Verdict == AclVerdict.Allow;
        }
    }

    private static Decider Engine(NorthboundRows rows, PodCluster cluster)
    {
        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, [OvnPodNetwork.SwitchRow(cluster)]));
        Assert.Empty(view.Diagnostics);
        return new Decider(new AclDecisionEngine(view), view);
    }
}
