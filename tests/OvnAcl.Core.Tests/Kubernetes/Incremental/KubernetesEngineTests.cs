using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Kubernetes.Incremental;

public sealed class KubernetesEngineTests
{
    private const string Policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: db}}
          ingress:
          - from: [{podSelector: {matchLabels: {app: web}}}]
            ports: [{port: 5432}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from: [{namespaceSelector: {matchLabels: {team: edge}}}]
        """;

    private static (DesiredState Desired, KubernetesEngine Engine) Seeded()
    {
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        engine.Load(K8s.Input(Policies,
            [K8s.Pod("shop", "db-0", "app=db", "10.0.0.10"), K8s.Pod("shop", "web-0", "app=web", "10.0.0.20")],
            [K8s.Namespace("shop"), K8s.Namespace("edge", new Dictionary<string, string> { ["team"] = "edge" })]));
        desired.DrainChanges();
        return (desired, engine);
    }

    [Fact]
    public void A_pod_add_touches_only_the_members_of_the_rows_that_select_it_and_no_ACL()
    {
        var (desired, engine) = Seeded();
        var before = desired.Snapshot();

        engine.UpsertPod(K8s.Pod("shop", "web-1", "app=web", "10.0.0.21"));

        var changes = desired.DrainChanges();
        Assert.All(changes, c => Assert.False(c.Shape, $"{c.Kind} {c.Name} changed shape"));
        var touched = changes.Select(c => (c.Kind, c.Name, string.Join(',', c.TouchedMembers))).Order().ToList();
        var after = desired.Snapshot();
        var webGroup = after.PolicyGroup("shop/web").Name;
        var ingressDeny = after.DenyGroup("shop", "Ingress").Name;
        var webPeers = after.AddressSets.Single(a => a.ExternalIds.Get("owner") == "namespace=shop;pods=app In (web)" && a.Name.EndsWith("_ip4", StringComparison.Ordinal)).Name;
        Assert.Equal(
            new[] { (DesiredRowKind.PortGroup, ingressDeny, "shop_web-1"), (DesiredRowKind.PortGroup, webGroup, "shop_web-1"), (DesiredRowKind.AddressSet, webPeers, "10.0.0.21") }.Order(),
            touched);
        Assert.Equal(before.PortGroups.SelectMany(p => p.Acls), after.PortGroups.SelectMany(p => p.Acls));
    }

    [Fact]
    public void Relabelling_a_namespace_moves_its_pods_in_and_out_of_namespace_selector_peers()
    {
        var (desired, engine) = Seeded();
        engine.UpsertPod(K8s.Pod("edge", "lb-0", "app=lb", "10.0.1.5"));
        var edgeSet = desired.Snapshot().AddressSets.Single(a => a.ExternalIds.Get("owner") == "namespaces=team In (edge);pods=" && a.Name.EndsWith("_ip4", StringComparison.Ordinal));
        Assert.Equal(["10.0.1.5"], edgeSet.Addresses);

        engine.UpsertNamespace(K8s.Namespace("edge", new Dictionary<string, string> { ["team"] = "other" }));
        Assert.Empty(desired.Snapshot().AddressSets.Single(a => a.Name == edgeSet.Name).Addresses);

        engine.DeleteNamespace("edge");
        engine.UpsertNamespace(K8s.Namespace("edge", new Dictionary<string, string> { ["team"] = "edge" }));
        Assert.Equal(["10.0.1.5"], desired.Snapshot().AddressSets.Single(a => a.Name == edgeSet.Name).Addresses);
    }

    [Fact]
    public void A_pod_without_an_IP_takes_no_part_until_it_gets_one()
    {
        var (desired, engine) = Seeded();
        var pending = K8s.Pod("shop", "db-1", "app=db", "10.0.0.11");
        pending.Status = new V1PodStatus { Phase = "Pending" };
        engine.UpsertPod(pending);
        Assert.DoesNotContain("shop_db-1", desired.Snapshot().PolicyGroup("shop/db").Ports);

        engine.UpsertPod(K8s.Pod("shop", "db-1", "app=db", "10.0.0.11"));
        Assert.Contains("shop_db-1", desired.Snapshot().PolicyGroup("shop/db").Ports);
    }

    [Fact]
    public void An_invalid_policy_is_refused_with_its_field_and_changes_nothing()
    {
        var (desired, engine) = Seeded();
        var before = desired.Snapshot();
        var policy = new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = "bad", NamespaceProperty = "shop" },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector(),
                Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "10.0.0.0/33" } }] }],
            },
        };

        var error = Assert.Throws<AclCompileException>(() => engine.UpsertPolicy(policy));
        var diagnostic = Assert.Single(error.Diagnostics, d => d.IsError);
        Assert.Equal("NetworkPolicy shop/bad", diagnostic.Object);
        Assert.Equal("spec.ingress[0].from[0].ipBlock.cidr", diagnostic.Field);
        Assert.Equal(before, desired.Snapshot());
        Assert.False(desired.HasPendingChanges);
    }

    [Fact]
    public void Deleting_every_policy_leaves_no_row_and_no_member()
    {
        var (desired, engine) = Seeded();
        engine.DeletePolicy("shop", "db");
        engine.DeletePolicy("shop", "web");
        Assert.Empty(desired.Snapshot().PortGroups);
        Assert.Empty(desired.Snapshot().AddressSets);
        engine.DeletePod("shop", "db-0");
        engine.DeletePod("shop", "web-0");
        Assert.Equal(0, engine.PodCount);
    }
}
