using System.Text.Json;
using OvnAcl.Acl;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Explain;

/// <summary>
/// Services in offline explain: Service and EndpointSlice read by the loader, a connection to a ClusterIP (or
/// <c>service/NS/NAME</c>) decided for each backend after load balancing.
/// </summary>
public sealed class ServiceExplainTests
{
    private static readonly string KubeDns = Path.Combine(Repository.Root, "samples", "kubernetes", "kube-dns");

    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: shop, labels: {app: client}}
        status: {phase: Running, podIP: 10.244.0.9}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop, labels: {app: web, tier: a}}
        spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
        status: {phase: Running, podIP: 10.244.0.11}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-2, namespace: shop, labels: {app: web, tier: a}}
        spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
        status: {phase: Running, podIP: 10.244.0.12}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-3, namespace: shop, labels: {app: web, tier: b}}
        spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
        status: {phase: Running, podIP: 10.244.0.13}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: client-out, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: client}}
          policyTypes: [Egress]
          egress: [{to: [{podSelector: {matchLabels: {tier: a}}}], ports: [{port: 8080}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          clusterIP: 10.96.1.1
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: gone, namespace: shop}
        spec:
          clusterIP: 10.96.1.2
          selector: {app: nothing}
          ports: [{port: 80}]

        """;

    private static OfflineTopology Topology(string yaml) => OfflineTopology.FromKubernetes(KubernetesInputLoader.LoadText(yaml, "svc.yaml"));

    [Fact]
    public async Task Kube_dns_under_default_deny_egress_is_allowed_to_every_backend_by_the_dns_rule()
    {
        var topology = await OfflineTopology.LoadAsync([KubeDns]);
        foreach (var to in new[] { "10.96.0.10", "service/kube-system/kube-dns", "service/kube-dns" })
        {
            var answer = topology.Explain("default/foo", to, AclProtocol.Udp, 53);
            var lb = Assert.IsType<OfflineLoadBalancing>(answer.LoadBalancing);
            Assert.Equal("kube-system/kube-dns", lb.Service);
            Assert.Equal(AclVerdict.Allow, answer.Decision.Verdict);
            Assert.Equal(["kube-system/coredns-a", "kube-system/coredns-b"], lb.Backends.Select(b => b.Endpoint.Id));
            Assert.All(lb.Backends, b =>
            {
                Assert.Equal(AclVerdict.Allow, b.Decision.Verdict);
                Assert.Equal((ushort)53, b.Backend.Port); // the named targetPort "dns", resolved on each pod
                var decided = Assert.Single(ExplainReport.DecidingAcls(b.Decision));
                Assert.Equal(AclStage.FromLportAfterLb, decided.Stage);
                Assert.Equal("default/allow-dns:egress:0:0", decided.Acl!.Row.Name);
                Assert.Equal("10.96.0.10", b.Decision.Packet.IpDst!.ToString()); // the from-lport stage sees the VIP
                Assert.Equal(b.Backend.Address, b.Decision.LoadBalancedPacket!.IpDst); // after-lb sees the backend
            });

            var text = ExplainReport.ToText(answer);
            Assert.StartsWith("allow: udp 10.96.0.10:53 is Service kube-system/kube-dns (load balancer Service_kube-system/kube-dns_UDP_cluster): allowed to all 2 backends", text, StringComparison.Ordinal);
            Assert.Contains("backend 10.244.0.2:53 (pod kube-system/coredns-a, 10.244.0.2): allow, NetworkPolicy default/allow-dns, egress rule 0, ports entry 0", text, StringComparison.Ordinal);
        }

        // Metrics are not DNS: the default deny drops them at every backend.
        var metrics = topology.Explain("default/foo", "service/kube-system/kube-dns", AclProtocol.Tcp, 9153);
        Assert.Equal(AclVerdict.Deny, metrics.Decision.Verdict);
        Assert.All(metrics.LoadBalancing!.Backends, b => Assert.Equal("default:egress:deny", Assert.Single(ExplainReport.DecidingAcls(b.Decision)).Acl!.Row.Name));

        // The backend asked directly, without the Service, is decided the same way.
        Assert.Equal(AclVerdict.Allow, topology.Explain("default/foo", "kube-system/coredns-b", AclProtocol.Udp, 53).Decision.Verdict);
    }

    [Fact]
    public void Allowed_to_two_of_three_backends_says_which_in_text_and_json()
    {
        var topology = Topology(Cluster);
        var answer = topology.Explain("shop/client", "10.96.1.1", AclProtocol.Tcp, 80);

        Assert.Equal(AclVerdict.Deny, answer.Decision.Verdict); // one connection in three fails
        Assert.Equal("shop/web-3", answer.To.Id); // the full decision shown is the denied backend's
        var lb = answer.LoadBalancing!;
        Assert.Equal([AclVerdict.Allow, AclVerdict.Allow, AclVerdict.Deny], lb.Backends.Select(b => b.Decision.Verdict));
        Assert.All(lb.Backends, b => Assert.Equal((ushort)8080, b.Backend.Port));
        var text = ExplainReport.ToText(answer);
        Assert.Contains("allowed to 2 of 3 backends", text, StringComparison.Ordinal);
        Assert.Contains("backend 10.244.0.13:8080 (pod shop/web-3, 10.244.0.13): deny, namespace shop's egress default deny", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(ExplainReport.ToJson(answer, PolicyInputKind.Kubernetes));
        var root = json.RootElement;
        Assert.Equal("deny", root.GetProperty("verdict").GetString());
        var balancer = root.GetProperty("load_balancer");
        Assert.Equal(("Service_shop/web_TCP_cluster", "shop/web", "10.96.1.1", 80, 2), (balancer.GetProperty("name").GetString(), balancer.GetProperty("service").GetString(),
            balancer.GetProperty("vip").GetString(), balancer.GetProperty("vip_port").GetInt32(), balancer.GetProperty("allowed_backends").GetInt32()));
        Assert.Equal(["allow", "allow", "deny"], balancer.GetProperty("backends").EnumerateArray().Select(b => b.GetProperty("verdict").GetString()));
        Assert.Equal("shop/client-out:egress:0:0", balancer.GetProperty("backends")[0].GetProperty("decided_by")[0].GetProperty("acl").GetString());
        Assert.Equal("shop/web-1", balancer.GetProperty("backends")[0].GetProperty("endpoint").GetProperty("id").GetString());
        Assert.Equal("10.244.0.13", root.GetProperty("after_lb").GetProperty("ip_dst").GetString());
    }

    [Fact]
    public void A_vip_without_backends_is_dropped_by_the_load_balancer_and_says_so()
    {
        var answer = Topology(Cluster).Explain("shop/client", "service/shop/gone", AclProtocol.Tcp, 80);

        Assert.Equal(AclVerdict.Deny, answer.Decision.Verdict);
        Assert.Empty(answer.LoadBalancing!.Backends);
        Assert.Equal(OfflineEndpointKind.ServiceVip, answer.To.Kind);
        Assert.Equal(AclStageOutcome.NoBackends, answer.Decision.GetStage(AclStage.FromLportAfterLb).Outcome);
        Assert.False(answer.Decision.GetStage(AclStage.ToLport).Reached);
        Assert.StartsWith("deny: tcp 10.96.1.2:80 is Service shop/gone (load balancer Service_shop/gone_TCP_cluster), which has no backends: OVN rejects the connection",
            ExplainReport.ToText(answer), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(ExplainReport.ToJson(answer, PolicyInputKind.Kubernetes));
        Assert.Equal("no-backends", json.RootElement.GetProperty("stages")[1].GetProperty("outcome").GetString());
        Assert.True(json.RootElement.GetProperty("load_balancer").GetProperty("rejects_without_backends").GetBoolean());
    }

    [Fact]
    public void Endpoint_slices_name_the_backends_and_not_ready_endpoints_are_none()
    {
        var answer = Topology(Cluster + """
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            - addresses: [10.244.0.11]
              conditions: {ready: true}
            - addresses: [10.244.0.13]
              conditions: {ready: false}
            - addresses: [10.244.0.12]
            """).Explain("shop/client", "10.96.1.1", AclProtocol.Tcp, 80);

        Assert.Equal(["10.244.0.11:8080", "10.244.0.12:8080"], answer.LoadBalancing!.Backends.Select(b => b.Backend.ToString()));
        Assert.Equal(AclVerdict.Allow, answer.Decision.Verdict);
    }

    [Fact]
    public void Services_are_read_strictly_where_the_api_server_is_and_leniently_where_newer_clusters_differ()
    {
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: shop}
            spec: {clusterIP: 10.96.0.1, ports: [{port: 80}], futureServiceField: x}
            status: {loadBalancer: {ingress: [{ip: 1.2.3.4, futureStatusField: y}]}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b, namespace: shop}
            spec: {ports: 80}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: c, namespace: shop}
            spec: {selector: {app: true}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: e, namespace: shop}
            spec: {clusterIP: 10.96.0.2, ports: [{port: 80, targetPort: "8080"}]}
            ---
            apiVersion: discovery.k8s.io/v1beta1
            kind: EndpointSlice
            metadata: {name: d, namespace: shop}
            """, "svc.yaml");

        Assert.Equal(
        [
            ("OVNK0002", "svc.yaml#2", "Service shop/b", "spec.ports"),
            ("OVNK0011", "svc.yaml#3", "Service shop/c", "spec.selector.app"),
            ("OVNK0110", "svc.yaml#4", "Service shop/e", "spec.ports[0].targetPort"),
            ("OVNK0003", "svc.yaml#5", "EndpointSlice shop/d", "apiVersion"),
            ("OVNK0010", "svc.yaml#1", "Service shop/a", "spec.futureServiceField"),
        ], input.LoadDiagnostics.Select(d => (d.Code, d.Location.Source!.ToString(), d.Location.Object, d.Location.Field)));
        Assert.Equal(DiagnosticSeverity.Warning, input.LoadDiagnostics[4].Severity);
        Assert.Equal("a", Assert.Single(input.Services).Object.Metadata.Name);
    }

    [Fact]
    public void Headless_and_external_name_services_have_no_vip_and_bad_cluster_ips_are_errors()
    {
        var topology = Topology(Cluster + """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: headless, namespace: shop}
            spec: {clusterIP: None, selector: {app: web}, ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: alias, namespace: shop}
            spec: {type: ExternalName, externalName: example.com}
            """);
        Assert.Equal(2, topology.Diagnostics.Count(d => d.Code == CompileDiagnosticCodes.ServiceWithoutVip));
        var headless = Assert.Throws<OvnAclException>(() => topology.Explain("shop/client", "service/shop/headless", AclProtocol.Tcp, 80));
        Assert.Contains("headless (clusterIP: None)", headless.Message, StringComparison.Ordinal);
        Assert.Contains("type ExternalName", Assert.Throws<OvnAclException>(() => topology.Explain("shop/client", "service/shop/alias", AclProtocol.Tcp, 80)).Message, StringComparison.Ordinal);
        Assert.Contains("no tcp port 81 (ports: tcp/80)", Assert.Throws<OvnAclException>(() => topology.Explain("shop/client", "10.96.1.1", AclProtocol.Tcp, 81)).Message, StringComparison.Ordinal);
        Assert.Contains("no Service 'shop/nope'", Assert.Throws<OvnAclException>(() => topology.Explain("shop/client", "service/shop/nope", AclProtocol.Tcp, 80)).Message, StringComparison.Ordinal);

        var bad = Assert.Throws<OfflineTopologyException>(() => Topology(Cluster.Replace("clusterIP: 10.96.1.1", "clusterIP: 10.96.1.x", StringComparison.Ordinal)));
        var error = Assert.Single(bad.Diagnostics, d => d.IsError);
        Assert.Equal((CompileDiagnosticCodes.InvalidServiceAddress, "Service shop/web", "spec.clusterIP"), (error.Code, error.Location.Object, error.Location.Field));
    }
}
