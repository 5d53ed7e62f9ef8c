using System.Text.Json;
using OvnAcl.Acl;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;
using OvnAcl.Core.Tests.Kubernetes;

namespace OvnAcl.Core.Tests.Explain;

/// <summary><c>ovnacl explain INPUT...</c>: the samples compiled onto the offline topology and asked about.</summary>
public sealed class OfflineExplainTests
{
    internal static string Sample(string kind)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", kind, "three-tier");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"samples/{kind}/three-tier not found above {AppContext.BaseDirectory}");
    }

    internal static Task<OfflineTopology> KubernetesAsync() => OfflineTopology.LoadAsync([Sample("kubernetes")]);

    internal static Task<OfflineTopology> NeutronAsync() => OfflineTopology.LoadAsync([Sample("neutron")]);

    [Fact]
    public async Task Kubernetes_web_to_db_is_dropped_by_the_namespace_default_deny()
    {
        var topology = await KubernetesAsync();
        var answer = topology.Explain("three-tier/web-1", "three-tier/db-1", AclProtocol.Tcp, 5432);

        Assert.Equal(AclVerdict.Deny, answer.Decision.Verdict);
        var (stage, acl, rule) = Assert.Single(answer.DecidedBy);
        Assert.Equal(AclStage.ToLport, stage);
        Assert.Equal("three-tier:ingress:deny", acl.Row.Name);
        Assert.Equal(AclRuleOrigin.Kubernetes, rule.Origin);
        Assert.Equal("Namespace", rule.OwnerType);
        Assert.Equal("three-tier", rule.Owner);
        Assert.Equal("defaultDeny", rule.Type);
        Assert.Equal("three-tier_web-1", answer.Decision.FromPort);
        Assert.Equal("10.244.0.11", answer.Decision.Packet.IpSrc!.ToString());
    }

    [Fact]
    public async Task Kubernetes_business_logic_reaches_db_on_5432_through_policy_db_rule_0()
    {
        var topology = await KubernetesAsync();
        var answer = topology.Explain("three-tier/bl-1", "three-tier/db-1", AclProtocol.Tcp, 5432);

        Assert.Equal(AclVerdict.Allow, answer.Decision.Verdict);
        var rule = Assert.Single(answer.DecidedBy).Rule;
        Assert.Equal(("NetworkPolicy", "three-tier/db", "Ingress", 0, 0), (rule.OwnerType, rule.Owner, rule.PolicyDirection, rule.RuleIndex, rule.PortIndex));
        Assert.Equal("NetworkPolicy three-tier/db, ingress rule 0, ports entry 0", rule.Summary);

        // The same pair on another port is dropped: the rule is scoped to 5432.
        Assert.Equal(AclVerdict.Deny, topology.Explain("three-tier/bl-1", "three-tier/db-1", AclProtocol.Tcp, 5433).Decision.Verdict);
    }

    [Theory]
    [InlineData("three-tier/web-1")]
    [InlineData("three-tier/bl-1")]
    [InlineData("three-tier/db-1")]
    [InlineData("203.0.113.9")]
    public async Task Kubernetes_anything_reaches_web_on_80(string from)
    {
        var topology = await KubernetesAsync();
        var answer = topology.Explain(from, "three-tier/web-2", AclProtocol.Tcp, 80);

        Assert.Equal(AclVerdict.Allow, answer.Decision.Verdict);
        var rule = Assert.Single(answer.DecidedBy).Rule;
        Assert.Equal("three-tier/web", rule.Owner);
    }

    [Fact]
    public async Task Kubernetes_text_and_json_name_the_policy_and_rule()
    {
        var topology = await KubernetesAsync();
        var answer = topology.Explain("bl-1", "10.244.0.31", AclProtocol.Tcp, 5432);

        var text = ExplainReport.ToText(answer);
        Assert.StartsWith("allow: tcp 10.244.0.21:40000 -> 10.244.0.31:5432 from three-tier_bl-1 to three-tier_db-1 on switch ovnacl-pods", text, StringComparison.Ordinal);
        Assert.Contains("allowed by: NetworkPolicy three-tier/db, ingress rule 0, ports entry 0 [to-lport, ACL \"three-tier/db:ingress:0:0\"]", text, StringComparison.Ordinal);
        Assert.Contains("three-tier_db-1: pod three-tier/db-1, 10.244.0.31 fd00:10:244::31", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(ExplainReport.ToJson(answer, topology.Kind));
        var root = json.RootElement;
        Assert.Equal("allow", root.GetProperty("verdict").GetString());
        Assert.Equal("kubernetes", root.GetProperty("input").GetString());
        var toLport = root.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "to-lport");
        Assert.Equal("three-tier/db", toLport.GetProperty("rule").GetProperty("owner").GetString());
        Assert.Equal(0, toLport.GetProperty("rule").GetProperty("rule_index").GetInt32());
        var decided = Assert.Single(root.GetProperty("decided_by").EnumerateArray().ToList());
        Assert.Equal("to-lport", decided.GetProperty("stage").GetString());
        Assert.Equal("three-tier/db:ingress:0:0", decided.GetProperty("acl").GetString());
        Assert.Equal("three-tier/bl-1", root.GetProperty("endpoints").GetProperty("from").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stages")[0].GetProperty("rule").ValueKind);
    }

    [Fact]
    public async Task Neutron_db_is_reachable_only_from_the_business_logic()
    {
        var topology = await NeutronAsync();
        var fromBa = topology.Explain("ba000e00-0000-4000-8000-000000000001", "db000e00-0000-4000-8000-000000000001", AclProtocol.Tcp, 5432);
        Assert.Equal(AclVerdict.Allow, fromBa.Decision.Verdict);
        var toLport = fromBa.DecidedBy.Single(d => d.Stage == AclStage.ToLport).Rule;
        Assert.Equal(AclRuleOrigin.Neutron, toLport.Origin);
        Assert.Equal("db000001-0000-4000-8000-000000000001", toLport.SecurityGroupRuleId);
        Assert.Equal("db000000-0000-4000-8000-000000000003", toLport.SecurityGroupId);
        Assert.Equal("DB", toLport.SecurityGroupName);
        Assert.Equal("ba000001-0000-4000-8000-000000000002", fromBa.DecidedBy.Single(d => d.Stage == AclStage.FromLport).Rule.SecurityGroupRuleId);

        foreach (var from in new[] { "web-1", "10.0.1.12", "0e0e0e00-0000-4000-8000-000000000001", "198.51.100.7" })
        {
            var answer = topology.Explain(from, "db-1", AclProtocol.Tcp, 5432);
            Assert.Equal(AclVerdict.Deny, answer.Decision.Verdict);
            var (_, acl, rule) = Assert.Single(answer.DecidedBy);
            Assert.Equal("neutron_pg_drop", acl.Owner.Name);
            Assert.StartsWith("Neutron's neutron_pg_drop", rule.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Neutron_port_resolves_by_id_name_or_ip_and_uses_that_ip()
    {
        var topology = await NeutronAsync();
        var byIp = topology.Explain("10.0.1.100", "web-1", AclProtocol.Tcp, 443);

        // 10.0.1.100 is no fixed IP (an allowed address pair), so it is outside: the router port sends it.
        Assert.Equal(OfflineEndpointKind.External, byIp.From.Kind);
        Assert.Equal(OfflineTopology.ExternalPortName, byIp.Decision.FromPort);
        Assert.Equal("router", byIp.View.GetPort(OfflineTopology.ExternalPortName).Type);
        Assert.Equal(AclVerdict.Allow, byIp.Decision.Verdict);

        var fixedIp = topology.Explain("10.0.1.21", "web-1", AclProtocol.Tcp, 443);
        Assert.Equal("ba000e00-0000-4000-8000-000000000001", fixedIp.Decision.FromPort);
    }

    [Fact]
    public async Task External_traffic_out_of_a_pod_and_into_one()
    {
        var topology = await KubernetesAsync();
        var outbound = topology.Explain("three-tier/db-1", "8.8.8.8", AclProtocol.Udp, 53);
        Assert.Equal(AclVerdict.Allow, outbound.Decision.Verdict);
        Assert.Equal("8.8.8.8", outbound.Decision.Packet.IpDst!.ToString());
        Assert.Equal(OfflineTopology.ExternalPortName, outbound.Decision.ToPort);

        var inbound = topology.Explain("2001:db8::1", "three-tier/db-1", AclProtocol.Tcp, 5432);
        Assert.Equal(AclVerdict.Deny, inbound.Decision.Verdict);
        Assert.Equal("fd00:10:244::31", inbound.Decision.Packet.IpDst!.ToString());
        Assert.Equal("defaultDeny", Assert.Single(inbound.DecidedBy).Rule.Type);

        var ex = Assert.Throws<OvnAclException>(() => topology.Explain("1.1.1.1", "2.2.2.2", AclProtocol.Icmp, null));
        Assert.Contains("at least one end must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_pod_and_pod_without_ip_are_clear_errors()
    {
        var topology = await KubernetesAsync();
        var unknown = Assert.Throws<OvnAclException>(() => topology.Explain("three-tier/nope", "three-tier/db-1", AclProtocol.Tcp, 80));
        Assert.Contains("no pod 'three-tier/nope' in the input", unknown.Message, StringComparison.Ordinal);

        var pending = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: Pod
            metadata: {name: pending, namespace: ns}
            status: {phase: Pending}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: running, namespace: ns}
            status: {phase: Running, podIP: 10.0.0.5}
            """, "pods.yaml");
        var withPending = OfflineTopology.FromKubernetes(pending);
        var noIp = Assert.Throws<OvnAclException>(() => withPending.Explain("ns/pending", "ns/running", AclProtocol.Tcp, 80));
        Assert.Equal("pod 'ns/pending' has no logical switch port: it has no IP (status.podIPs and status.podIP are empty), so no logical switch port address", noIp.Message);
        Assert.Contains("ns/pending", ReachabilityMatrix.Compute(withPending, AclProtocol.Tcp, 80).ToText(), StringComparison.Ordinal);

        var family = Assert.Throws<OvnAclException>(() => withPending.Explain("ns/running", "fd00::1", AclProtocol.Tcp, 80));
        Assert.Equal("pod ns/running has no IPv6 address", family.Message);
    }

    [Fact]
    public void A_pods_own_node_is_always_allowed_and_another_node_is_decided_by_the_policies()
    {
        var topology = OfflineTopology.FromKubernetes(KubernetesInputLoader.LoadText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            ---
            apiVersion: v1
            kind: NodeList
            items:
            - metadata: {name: worker-1}
              status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
            - metadata: {name: worker-2}
              status: {addresses: [{type: InternalIP, address: 172.18.0.4}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop}
            spec: {nodeName: worker-1}
            status: {podIP: 10.244.1.5}
            """, "nodes.yaml").Concat(KubernetesInput.FromObjects([], [], [K8s.Namespace("shop")])));

        var probe = topology.Explain("node/worker-1", "shop/web", AclProtocol.Tcp, 8080);
        Assert.Equal(AclVerdict.Allow, probe.Decision.Verdict);
        Assert.Contains("allowed by: resident node worker-1, always allowed", ExplainReport.ToText(probe), StringComparison.Ordinal);
        Assert.Contains("router port standing for node worker-1's address 172.18.0.3", ExplainReport.ToText(probe), StringComparison.Ordinal);
        Assert.Equal("worker-1", probe.From.Node);
        Assert.Equal(AclVerdict.Allow, topology.Explain("shop/web", "node/worker-1", AclProtocol.Tcp, 10250).Decision.Verdict);
        Assert.Equal(AclVerdict.Allow, topology.Explain("172.18.0.3", "shop/web", AclProtocol.Tcp, 8080).Decision.Verdict);

        var other = topology.Explain("node/worker-2", "shop/web", AclProtocol.Tcp, 8080);
        Assert.Equal(AclVerdict.Deny, other.Decision.Verdict);
        Assert.Contains("dropped by: namespace shop's ingress default deny", ExplainReport.ToText(other), StringComparison.Ordinal);
        var unknown = Assert.Throws<OvnAclException>(() => topology.Explain("node/nope", "shop/web", AclProtocol.Tcp, 80));
        Assert.Equal("no node 'nope' in the input (nodes: worker-1, worker-2)", unknown.Message);
    }

    [Fact]
    public void A_short_pod_name_in_two_namespaces_says_which_have_it()
    {
        var topology = OfflineTopology.FromKubernetes(KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: a}
            status: {podIP: 10.0.0.1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: b}
            status: {podIP: 10.0.0.2}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: db, namespace: b}
            status: {podIP: 10.0.0.3}
            """, "pods.yaml"));
        var ambiguous = Assert.Throws<OvnAclException>(() => topology.Explain("web", "db", AclProtocol.Tcp, 80));
        Assert.Equal("pod name 'web' is ambiguous: namespaces a, b have it; use one of a/web, b/web", ambiguous.Message);
        Assert.Equal("b/web", topology.Explain("b/web", "db", AclProtocol.Tcp, 80).From.Id);
    }

    [Fact]
    public async Task Input_with_errors_is_refused_with_its_diagnostics()
    {
        var broken = KubernetesInputLoader.LoadText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad, namespace: ns}
            spec:
              podSelector: {}
              ingress:
              - ports: [{protocol: GRE, port: 1}]
            """, "bad.yaml");
        var ex = Assert.Throws<OfflineTopologyException>(() => OfflineTopology.FromKubernetes(broken));
        Assert.NotEmpty(ex.Diagnostics);
        Assert.Contains("bad.yaml", ex.Diagnostics[0].ToString(), StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(true, false, 1, false, true, true, "not both")]
    [InlineData(false, false, 0, false, true, true, "nothing to explain")]
    [InlineData(true, false, 0, true, false, false, "--matrix needs INPUT")]
    [InlineData(false, false, 1, true, true, false, "leave out --from and --to")]
    [InlineData(false, false, 1, false, true, false, "explain needs --to")]
    public void Explain_forms_that_make_no_sense_are_refused(bool db, bool env, int inputs, bool matrix, bool from, bool to, string message)
    {
        var ex = Assert.Throws<OvnAclException>(() => ExplainArguments.Choose(db, env, inputs, matrix, from, to));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, 0, false, ExplainForm.Live)]
    [InlineData(false, true, 0, false, ExplainForm.Live)]
    [InlineData(false, true, 2, false, ExplainForm.Offline)]
    [InlineData(false, false, 1, true, ExplainForm.Matrix)]
    public void Explain_forms(bool db, bool env, int inputs, bool matrix, ExplainForm expected) =>
        Assert.Equal(expected, ExplainArguments.Choose(db, env, inputs, matrix, !matrix, !matrix));
}
