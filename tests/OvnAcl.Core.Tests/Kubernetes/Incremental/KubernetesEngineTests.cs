using System.Globalization;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Kubernetes.Incremental;
using OvnAcl.Kubernetes.Input;
using OvnAcl.Kubernetes.Model;
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

    /// <summary>
    /// The CNI creates a pod's logical switch port before the kubelet reports its IP: the pod must be in its port groups
    /// (isolated) from that moment, and joins peer address sets only once it has an IP.
    /// </summary>
    [Fact]
    public void A_pod_without_an_IP_is_a_subject_at_once_and_a_peer_once_it_has_one()
    {
        var (desired, engine) = Seeded();
        var pending = K8s.Pod("shop", "web-1", "app=web", "10.0.0.21");
        pending.Status = new V1PodStatus { Phase = "Pending" };
        engine.UpsertPod(pending);
        var snapshot = desired.Snapshot();
        var webPeers = snapshot.AddressSets.Single(a => a.ExternalIds.Get("owner") == "namespace=shop;pods=app In (web)" && a.Name.EndsWith("_ip4", StringComparison.Ordinal));
        Assert.Contains("shop_web-1", snapshot.PolicyGroup("shop/web").Ports);
        Assert.Contains("shop_web-1", snapshot.DenyGroup("shop", "Ingress").Ports);
        Assert.Equal(["10.0.0.20"], webPeers.Addresses);
        Assert.Equal(new[] { snapshot.DenyGroup("shop", "Ingress").Name, snapshot.PolicyGroup("shop/web").Name }.Order(StringComparer.Ordinal), desired.PortGroupsOf("shop_web-1"));

        // A status update that still has no IP reads the same and changes nothing.
        desired.DrainChanges();
        var stillPending = K8s.Pod("shop", "web-1", "app=web", "10.0.0.21");
        stillPending.Status = new V1PodStatus { Phase = "Pending" };
        engine.UpsertPod(stillPending);
        Assert.Empty(desired.DrainChanges());

        engine.UpsertPod(K8s.Pod("shop", "web-1", "app=web", "10.0.0.21"));
        snapshot = desired.Snapshot();
        Assert.Contains("shop_web-1", snapshot.PolicyGroup("shop/web").Ports);
        Assert.Equal(["10.0.0.20", "10.0.0.21"], snapshot.AddressSets.Single(a => a.Name == webPeers.Name).Addresses);
    }

    [Theory]
    [InlineData("10.0.0.300", null, "status.podIP")]
    [InlineData(null, "not-an-ip", "status.podIPs[0].ip")]
    public void A_pod_IP_that_is_not_an_IP_is_an_error_naming_the_field_and_changes_nothing(string? podIp, string? podIps, string field)
    {
        var (desired, engine) = Seeded();
        var before = desired.Snapshot();
        var pod = K8s.Pod("shop", "db-0", "app=db", "10.0.0.10");
        pod.Status.PodIP = podIp;
        pod.Status.PodIPs = podIps is null ? null : [new V1PodIP { Ip = podIps }];
        var error = Assert.Throws<AclCompileException>(() => engine.UpsertPod(pod));
        var diagnostic = Assert.Single(error.Diagnostics, d => d.IsError);
        Assert.Equal(CompileDiagnosticCodes.InvalidPodIp, diagnostic.Code);
        Assert.Equal("Pod shop/db-0", diagnostic.Location.Object);
        Assert.Equal(field, diagnostic.Location.Field);
        Assert.Equal(before, desired.Snapshot());
    }

    [Fact]
    public void An_engine_declares_its_kinds_and_the_state_is_listed_once_each_is_marked()
    {
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        Assert.False(desired.IsListed);
        Assert.Equal(["Namespace", "NetworkPolicy", "Node", "Pod"], desired.UnlistedInputs);
        var listed = desired.WaitUntilListedAsync();
        engine.MarkListed(KubernetesInputKind.Pod);
        engine.MarkListed(KubernetesInputKind.Namespace);
        Assert.False(listed.IsCompleted);
        Assert.Equal(["NetworkPolicy", "Node"], desired.UnlistedInputs);
        engine.MarkListed(KubernetesInputKind.Node);
        Assert.Equal(["NetworkPolicy"], desired.UnlistedInputs);
        engine.MarkListed(KubernetesInputKind.NetworkPolicy);
        Assert.True(listed.IsCompletedSuccessfully);
        Assert.True(desired.IsListed);

        var loaded = new DesiredState("ovnacl");
        new KubernetesEngine(loaded).Load(K8s.Input(Policies, [], []));
        Assert.True(loaded.IsListed);
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
        Assert.Equal("NetworkPolicy shop/bad", diagnostic.Location.Object);
        Assert.Equal("spec.ingress[0].from[0].ipBlock.cidr", diagnostic.Location.Field);
        Assert.Equal(before, desired.Snapshot());
        Assert.False(desired.HasPendingChanges);
    }

    /// <summary>
    /// The engine keeps the model of a pod it holds or recently removed and reuses it when the pod reads the same: a
    /// pod added back (or updated) with anything different must land in the rows of what it is now, never of the kept model.
    /// </summary>
    [Theory]
    [InlineData("as it was", true)]
    [InlineData("as it was", false)]
    [InlineData("relabelled", true)]
    [InlineData("relabelled", false)]
    [InlineData("a label added", true)]
    [InlineData("another address", true)]
    [InlineData("another address", false)]
    [InlineData("dual-stack", true)]
    [InlineData("address written with a leading zero", true)]
    [InlineData("named port renumbered", true)]
    [InlineData("named port renumbered", false)]
    [InlineData("named port gone", true)]
    [InlineData("finished", true)]
    [InlineData("host network", false)]
    [InlineData("moved to another namespace's name", true)]
    public void A_pod_added_back_or_updated_lands_only_in_the_rows_of_what_it_is_now(string change, bool deletedFirst)
    {
        const string policies = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
                ports: [{port: http}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: web}}}]
            """;
        V1Pod Web(string labels = "app=web", string ip = "10.0.0.20", string port = "http:8080") => K8s.Pod("shop", "web-0", labels, ip, port);
        var pods = new Dictionary<string, V1Pod>
        {
            ["shop/api-0"] = K8s.Pod("shop", "api-0", "app=api", "10.0.0.30", "http:8080"),
            ["shop/db-0"] = K8s.Pod("shop", "db-0", "app=db", "10.0.0.10"),
            ["shop/web-0"] = Web(),
            ["shop/web-1"] = K8s.Pod("shop", "web-1", "app=api", "10.0.0.21", "http:8080"),
        };
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        engine.Load(K8s.Input(policies, pods.Values));
        var (key, now) = change switch
        {
            "as it was" => ("shop/web-0", Web()),
            "relabelled" => ("shop/web-0", Web(labels: "app=db")),
            "a label added" => ("shop/web-0", Web(labels: "app=web,tier=1")),
            "another address" => ("shop/web-0", Web(ip: "10.0.0.29")),
            "dual-stack" => ("shop/web-0", K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080")),
            "address written with a leading zero" => ("shop/web-0", Web(ip: "10.0.0.020")),
            "named port renumbered" => ("shop/web-1", K8s.Pod("shop", "web-1", "app=api", "10.0.0.21", "http:8081")),
            "named port gone" => ("shop/web-1", K8s.Pod("shop", "web-1", "app=api", "10.0.0.21")),
            "finished" => ("shop/web-0", Finished(Web())),
            "host network" => ("shop/web-0", HostNetwork(Web())),
            "moved to another namespace's name" => ("edge/web-0", K8s.Pod("edge", "web-0", "app=web", "10.0.0.20", "http:8080")),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        if (deletedFirst)
        {
            var (ns, name) = (key.Split('/')[0], key.Split('/')[1]);
            var existed = pods.Remove(key);
            engine.DeletePod(ns, name);
            if (!existed)
            {
                // Not in the cluster: delete its namesake so the removal kept is of another namespace's pod.
                pods.Remove("shop/" + name);
                engine.DeletePod("shop", name);
            }
        }

        pods[key] = now;
        engine.UpsertPod(now);

        var input = K8s.Input(policies, pods.Values, [K8s.Namespace("shop"), K8s.Namespace("edge")]);
        EngineModelProperties.AssertSameRows(KubernetesCompiler.Compile(input).GetRowsOrThrow(), desired.Snapshot(), change);

        // Put back as at first, which the engine may again take from what it kept: still exactly the compile's rows.
        engine.DeletePod("shop", "web-0");
        engine.DeletePod("shop", "web-1");
        engine.UpsertPod(Web());
        engine.UpsertPod(K8s.Pod("shop", "web-1", "app=api", "10.0.0.21", "http:8080"));
        pods["shop/web-0"] = Web();
        pods["shop/web-1"] = K8s.Pod("shop", "web-1", "app=api", "10.0.0.21", "http:8080");
        input = K8s.Input(policies, pods.Values, [K8s.Namespace("shop"), K8s.Namespace("edge")]);
        EngineModelProperties.AssertSameRows(KubernetesCompiler.Compile(input).GetRowsOrThrow(), desired.Snapshot(), change + ", then back");

        static V1Pod Finished(V1Pod pod)
        {
            pod.Status.Phase = "Succeeded";
            return pod;
        }

        static V1Pod HostNetwork(V1Pod pod)
        {
            pod.Spec.HostNetwork = true;
            return pod;
        }
    }

    [Fact]
    public void A_pod_with_any_difference_from_a_kept_model_does_not_read_as_it()
    {
        var options = KubernetesCompileOptions.Default;
        var model = PolicyReader.ReadPod(K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"), options).Pod!;
        Assert.True(PolicyReader.ReadsAs(K8s.Pod("shop", "web-0", "app=web", ["fd00::20", "10.0.0.20"], "http:8080", "dns:53/UDP"), model));
        Assert.True(PolicyReader.ReadsAs(K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20", "10.0.0.20"], "http:8080", "dns:53/UDP", "http:9090"), model));

        V1Pod[] different =
        [
            K8s.Pod("shop", "web-1", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("edge", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=db", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=web,tier=1", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::21"], "http:8080", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00:0::20"], "http:8080", "dns:53/UDP"), // read in full, not reused
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20", "bogus"], "http:8080", "dns:53/UDP"), // a warning to report
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8081", "dns:53/UDP"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/TCP"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "dns:53/UDP", "http:8080"),
            K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP", "metrics:9090"),
        ];
        foreach (var pod in different)
        {
            Assert.False(PolicyReader.ReadsAs(pod, model), $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} {string.Join(',', pod.Metadata.Labels)} {string.Join(',', pod.Status.PodIPs.Select(p => p.Ip))}");
        }

        var noNamespace = K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP");
        noNamespace.Metadata.NamespaceProperty = null;
        Assert.False(PolicyReader.ReadsAs(noNamespace, model));
        var pending = K8s.Pod("shop", "web-0", "app=web", ["10.0.0.20", "fd00::20"], "http:8080", "dns:53/UDP");
        pending.Status = new V1PodStatus { Phase = "Pending" };
        Assert.False(PolicyReader.ReadsAs(pending, model));
    }

    [Fact]
    public void The_engine_keeps_the_models_of_the_last_256_removed_pods_only()
    {
        var options = KubernetesCompileOptions.Default;
        var engine = new PolicyEngine(new DesiredState("ovnacl"), options);
        PodModel Model(int i, string labels = "app=web") =>
            PolicyReader.ReadPod(K8s.Pod("shop", "pod-" + i.ToString(CultureInfo.InvariantCulture), labels, "10.0.1." + (i % 250).ToString(CultureInfo.InvariantCulture)), options).Pod!;
        var first = Model(0);
        engine.SetPod("shop", "pod-0", first);
        engine.SetPod("shop", "pod-0", null);
        Assert.Same(first, engine.HeldOrRemoved("shop", "pod-0"));

        // Removed again with other labels: the newer model is the one kept, and its removal the one that counts.
        var relabelled = Model(0, "app=db");
        engine.SetPod("shop", "pod-0", relabelled);
        Assert.Same(relabelled, engine.HeldOrRemoved("shop", "pod-0"));
        engine.SetPod("shop", "pod-0", null);
        Assert.Same(relabelled, engine.HeldOrRemoved("shop", "pod-0"));

        for (var i = 1; i <= 255; i++)
        {
            engine.SetPod("shop", "pod-" + i.ToString(CultureInfo.InvariantCulture), Model(i));
            engine.SetPod("shop", "pod-" + i.ToString(CultureInfo.InvariantCulture), null);
        }

        Assert.Same(relabelled, engine.HeldOrRemoved("shop", "pod-0"));
        engine.SetPod("shop", "pod-256", Model(256));
        engine.SetPod("shop", "pod-256", null);
        Assert.Null(engine.HeldOrRemoved("shop", "pod-0"));
        Assert.NotNull(engine.HeldOrRemoved("shop", "pod-1"));
        Assert.NotNull(engine.HeldOrRemoved("shop", "pod-256"));
        Assert.Equal(0, engine.PodCount);
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
