using System.Globalization;
using k8s.Models;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Kubernetes.Incremental;

/// <summary>
/// Cluster policies through the incremental engine: after any sequence of cluster-policy, pod, namespace and node
/// events the desired state equals a compile of the objects held at that point, and a pod event changes members, never
/// an ACL.
/// </summary>
public sealed class ClusterPolicyEngineTests
{
    private static readonly KubernetesCompileOptions Tiered = KubernetesCompileOptions.Default with { AclTiers = true };

    [Fact]
    public void Events_in_any_order_end_where_a_compile_of_the_same_objects_does()
    {
        var flattened = 0;
        for (var seed = 300; seed < 330; seed++)
        {
            var gen = new RandomAdminPolicyGen(seed);
            var (cluster, policies, clusterPolicies) = gen.Next();
            var random = new Random(seed);
            // Flattened where the whole set compiles so (then every subset of it does too), else in ACL tiers: some
            // random sets have Passes the flattened form refuses (OVNK0409).
            var options = KubernetesCompiler.Compile(KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes)
                .WithClusterPolicies(clusterPolicies.Select(ClusterPolicyObject.Parse))).Succeeded ? KubernetesCompileOptions.Default : Tiered;
            flattened += options.AclTiers ? 0 : 1;
            var desired = new DesiredState("ovnacl");
            var engine = new KubernetesEngine(desired, options);
            engine.Load(KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces, PodCluster.Nodes));
            var held = new Dictionary<string, ClusterPolicyObject>(StringComparer.Ordinal);
            var pods = cluster.Pods.ToDictionary(PodCluster.Key);
            var steps = 0;
            foreach (var text in clusterPolicies.Concat(clusterPolicies.Take(1)))
            {
                var policy = ClusterPolicyObject.Parse(text);
                engine.UpsertClusterPolicy(policy);
                held[policy.Kind + "/" + policy.Name] = policy;
                Check($"seed {seed}, step {++steps}: upsert {policy.Kind} {policy.Name}");

                // A pod relabelled, deleted and created again: members move, ACLs stay unless a named port's numbers do.
                var key = PodCluster.Key(cluster.Pods[random.Next(cluster.Pods.Count)]);
                var relabelled = cluster.WithPodLabels(key, new Dictionary<string, string> { ["pod"] = key[^1..], ["app"] = random.Next(2) == 0 ? "p" : "q" }).Pod(key);
                pods[key] = relabelled;
                engine.UpsertPod(relabelled);
                Check($"seed {seed}, step {++steps}: relabel {key}");
                engine.DeletePod(relabelled.Metadata.NamespaceProperty, relabelled.Metadata.Name);
                pods.Remove(key);
                Check($"seed {seed}, step {++steps}: delete {key}");
                engine.UpsertPod(relabelled);
                pods[key] = relabelled;
                Check($"seed {seed}, step {++steps}: add {key}");
            }

            foreach (var (key, policy) in held.Where((_, i) => i % 2 == 0).ToList())
            {
                engine.DeleteClusterPolicy(policy.Kind!, policy.Name!);
                held.Remove(key);
                Check($"seed {seed}, step {++steps}: delete {key}");
            }

            void Check(string context)
            {
                var input = KubernetesInput.FromObjects(policies, pods.Values, cluster.Namespaces, PodCluster.Nodes).WithClusterPolicies(held.Values);
                EngineModelProperties.AssertSameRows(KubernetesCompiler.Compile(input, options).GetRowsOrThrow(), desired.Snapshot(), context);
            }
        }

        Assert.InRange(flattened, 5, 25); // both forms are exercised
    }

    [Fact]
    public void A_new_pod_under_cluster_policies_changes_members_and_no_ACL()
    {
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        var cluster = PodCluster.Xyz();
        var guardrails = KubernetesInputLoader.LoadText(File.ReadAllText(Path.Combine(OvnAcl.Testing.Repository.Root, "samples", "admin-policy", "guardrails.yaml")), "guardrails.yaml");
        engine.Load(KubernetesInput.FromObjects([], cluster.Pods, cluster.Namespaces.Select(n => Tenant(n)), PodCluster.Nodes).Concat(guardrails));
        desired.DrainChanges();
        var before = desired.Snapshot();

        var pod = PodCluster.Pod("x", "d", new Dictionary<string, string> { ["pod"] = "d" }, 30, dualStack: false, webPort: 80);
        engine.UpsertPod(pod);
        var changes = desired.DrainChanges();
        Assert.NotEmpty(changes);
        Assert.All(changes, c => Assert.False(c.Shape, $"{c.Kind} {c.Name} changed shape"));
        Assert.Equal(before.PortGroups.SelectMany(p => p.Acls), desired.Snapshot().PortGroups.SelectMany(p => p.Acls));
        Assert.Contains(desired.Snapshot().PortGroups, g => g.ExternalIds.Get("owner") == "deny-cross-tenant" && g.Ports.Contains("x_d"));
    }

    [Fact]
    public void A_reconciler_waits_for_cluster_policies_only_when_told_they_are_watched_and_errors_keep_the_old_version()
    {
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        engine.ExpectClusterPolicies();
        foreach (var kind in (KubernetesInputKind[])[KubernetesInputKind.Namespace, KubernetesInputKind.Pod, KubernetesInputKind.NetworkPolicy, KubernetesInputKind.Node])
        {
            engine.MarkListed(kind);
        }

        Assert.False(desired.IsListed);
        engine.MarkListed(KubernetesInputKind.ClusterPolicy);
        Assert.True(desired.IsListed);

        var good = ClusterPolicyObject.Parse("""{"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "a"}, "spec": {"priority": 1, "subject": {"namespaces": {}}, "ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}]}}""");
        engine.UpsertClusterPolicy(good);
        var rows = desired.Snapshot();
        var bad = ClusterPolicyObject.Parse("""{"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "a"}, "spec": {"priority": 1001, "subject": {"namespaces": {}}}}""");
        var error = Assert.Throws<AclCompileException>(() => engine.UpsertClusterPolicy(bad));
        Assert.Equal(("OVNK0402", "spec.priority"), (error.Diagnostics.Single().Code, error.Diagnostics.Single().Location.Field));
        Assert.Equal(rows, desired.Snapshot());
        Assert.Equal(1, engine.ClusterPolicyCount);
        engine.DeleteClusterPolicy("AdminNetworkPolicy", "a");
        Assert.Equal(0, engine.ClusterPolicyCount);
        Assert.DoesNotContain(desired.Snapshot().PortGroups, g => g.ExternalIds.Get("owner-type") == "AdminNetworkPolicy");
    }

    private static V1Namespace Tenant(V1Namespace ns) =>
        PodCluster.Namespace(ns.Metadata.Name, new Dictionary<string, string>(ns.Metadata.Labels) { ["tenant"] = ns.Metadata.Name == "z" ? "b" : "a" });
}
