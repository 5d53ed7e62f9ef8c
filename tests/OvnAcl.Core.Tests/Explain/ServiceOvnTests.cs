using System.Globalization;
using System.Net;
using System.Text;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Explain;

/// <summary>
/// Explain through a Service VIP against OVN itself: the offline topology's switch, ports and compiled ACLs written
/// to a real NB with a logical router as the pods' gateway and the Services' load balancers on the switch (directly
/// or through a Load_Balancer_Group), then for each backend of a VIP: the offline answer, the live answer (the NB
/// read back through <see cref="OvsdbClient"/>), and ovn-trace with <c>--lb-dst</c> choosing that backend.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class ServiceOvnTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string RouterMac = "0a:58:0a:f4:00:01";
    private const string RouterIp = "10.244.0.1";
    private const string RouterIp6 = "fd00:10:244::1";
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("svc-ovn");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Kube_dns_through_its_vip_is_allowed_by_the_dns_rule_as_ovn_trace_says()
    {
        var topology = await OfflineTopology.LoadAsync([Path.Combine(Repository.Root, "samples", "kubernetes", "kube-dns")]);
        var live = await BuildNbAsync(topology, viaGroup: false);

        var answer = topology.Explain("default/foo", "10.96.0.10", AclProtocol.Udp, 53);
        Assert.Equal(AclVerdict.Allow, answer.Decision.Verdict);
        var balanced = new AclDecisionEngine(live).TryDecideThroughLoadBalancer("default_foo", "10.96.0.10", AclProtocol.Udp, 53);
        Assert.NotNull(balanced);
        Assert.Equal("kube-system/kube-dns", balanced.LoadBalancer.Service);
        Assert.NotEqual(Guid.Empty, balanced.LoadBalancer.Row.Uuid);
        Assert.Equal(AclVerdict.Allow, balanced.Verdict);
        var wrongPort = Assert.Throws<AclPolicyException>(() => new AclDecisionEngine(live).TryDecideThroughLoadBalancer("default_foo", "10.96.0.10", AclProtocol.Udp, 54));
        Assert.StartsWith("10.96.0.10 is a VIP on switch ovnacl-pods, but not for udp port 54: ", wrongPort.Message, StringComparison.Ordinal);
        Assert.Contains("udp 10.96.0.10:53 of load balancer Service_kube-system/kube-dns_UDP_cluster (Service kube-system/kube-dns)", wrongPort.Message, StringComparison.Ordinal);
        Assert.Null(new AclDecisionEngine(live).TryDecideThroughLoadBalancer("default_foo", "kube-system_coredns-a", AclProtocol.Udp, 53));
        foreach (var backend in answer.LoadBalancing!.Backends)
        {
            var (delivered, trace) = await TraceAsync(topology, "default_foo", "10.96.0.10", "udp", 53, backend);
            Assert.True(delivered, trace);
            Assert.Equal("default/allow-dns:egress:0:0", Assert.Single(ExplainReport.DecidingAcls(backend.Decision)).Acl!.Row.Name);
        }

        // What the CLI prints, live (--db) and offline, by VIP and by service/NS/NAME (the CLI itself: tests/OvnAcl.Cli.Tests).
        await using var client = new OvsdbClient(fixture.Sandbox.NbRemote, OvsdbClientOptions.Default with { Tables = NorthboundExplainer.MonitoredTables });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var outputs = new[]
        {
            NorthboundExplainer.Explain(client.Replica, "default_foo", "10.96.0.10", AclProtocol.Udp, 53).ToJson(),
            NorthboundExplainer.Explain(client.Replica, "default_foo", "service/kube-system/kube-dns", AclProtocol.Udp, 53).ToJson(),
            ExplainReport.ToJson(topology.Explain("default/foo", "service/kube-system/kube-dns", AclProtocol.Udp, 53), topology.Kind),
        };
        foreach (var output in outputs)
        {
            using var json = System.Text.Json.JsonDocument.Parse(output);
            var lb = json.RootElement.GetProperty("load_balancer");
            Assert.Equal(("allow", "kube-system/kube-dns", 2), (json.RootElement.GetProperty("verdict").GetString(), lb.GetProperty("service").GetString(), lb.GetProperty("allowed_backends").GetInt32()));
            Assert.Equal("default/allow-dns:egress:0:0", lb.GetProperty("backends")[1].GetProperty("decided_by")[0].GetProperty("acl").GetString());
        }

        var text = NorthboundExplainer.Explain(client.Replica, "default_foo", "10.96.0.10", AclProtocol.Tcp, 9153).ToText();
        Assert.StartsWith("deny: tcp 10.96.0.10:9153 is Service kube-system/kube-dns (load balancer Service_kube-system/kube-dns_TCP_cluster): denied to all 2 backends", text, StringComparison.Ordinal);

        // Metrics on the same VIP: dropped at both backends, by OVN too.
        var metrics = topology.Explain("default/foo", "10.96.0.10", AclProtocol.Tcp, 9153);
        foreach (var backend in metrics.LoadBalancing!.Backends)
        {
            var (delivered, trace) = await TraceAsync(topology, "default_foo", "10.96.0.10", "tcp", 9153, backend);
            Assert.False(delivered, trace);
        }
    }

    /// <summary>
    /// Seeded random clusters, policies (<see cref="RandomPolicyGen"/>: odd seeds are dual-stack, with IPv6 ClusterIPs
    /// too) and Services (selectors or EndpointSlices, numeric, named and absent targetPorts, TCP and UDP, some without
    /// backends); every backend of a random VIP asked three ways.
    /// <c>OVNACL_SVC_DIFF_SEED</c> explores other seeds.
    /// </summary>
    [Fact]
    public async Task Random_services_backends_and_policies_agree_with_ovn_trace_per_backend()
    {
        const int Cases = 16;
        const int QuestionsPerCase = 6;
        var baseSeed = int.TryParse(Environment.GetEnvironmentVariable("OVNACL_SVC_DIFF_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 1400;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var disagreements = new List<string>();
        int compared = 0, allowed = 0, hairpins = 0, hairpins6 = 0, empty = 0, v6 = 0, stale = 0;
        for (var c = 0; c < Cases; c++)
        {
            var seed = baseSeed + c;
            var dualStack = seed % 2 == 1; // as RandomPolicyGen makes the pods
            var random = new Random(seed);
            var (cluster, policies) = new RandomPolicyGen(seed).Next();
            policies.AddRange(DefaultDenies(random));
            var services = RandomServices(random, dualStack);
            var slices = RandomSlices(random, cluster, services);
            var input = KubernetesInput.FromObjects(policies, cluster.Pods, cluster.Namespaces).WithServices(services, slices);
            var topology = OfflineTopology.FromKubernetes(input);
            var live = await BuildNbAsync(topology, viaGroup: c % 2 == 1);
            var engine = new AclDecisionEngine(live);
            for (var q = 0; q < QuestionsPerCase; q++)
            {
                var client = cluster.Pods[random.Next(cluster.Pods.Count)];
                var service = services[random.Next(services.Count)];
                var port = service.Spec.Ports[random.Next(service.Spec.Ports.Count)];
                var protocol = port.Protocol == "UDP" ? AclProtocol.Udp : AclProtocol.Tcp;
                var proto = port.Protocol.ToLowerInvariant();
                var key = PodCluster.Key(client);
                var lsp = PodCluster.Lsp(client);
                var ipv6 = dualStack && random.Next(2) == 0;
                var vip = service.Spec.ClusterIPs[ipv6 ? 1 : 0];
                var what = $"seed {seed}, {key} -> {service.Metadata.Name} {vip} {proto}/{port.Port}";
                var offline = topology.Explain(key, vip, protocol, (ushort)port.Port);
                var online = engine.TryDecideThroughLoadBalancer(lsp, vip, protocol, (ushort)port.Port)
                    ?? throw new InvalidOperationException($"{what}: the live view has no VIP {vip}");
                if (offline.LoadBalancing!.Backends.IsEmpty)
                {
                    empty++;
                    var (anywhere, trace) = await TraceAsync(topology, lsp, vip, proto, port.Port, null);
                    if (anywhere || online.WithoutBackends is null || offline.Decision.Verdict != AclVerdict.Deny)
                    {
                        disagreements.Add($"{what}: no backends, but delivered={anywhere}, live without-backends={online.WithoutBackends is not null}\n{trace}");
                    }

                    continue;
                }

                Assert.Equal(offline.LoadBalancing.Backends.Select(b => b.Backend), online.Backends.Select(b => b.Backend));
                foreach (var (backend, liveBackend) in offline.LoadBalancing.Backends.Zip(online.Backends))
                {
                    if (backend.Endpoint.Port == lsp && ipv6)
                    {
                        // ovn-trace's chk_lb_hairpin() answers 0 for IPv6 (it does for IPv4), so it sends the
                        // connection on through the after-lb ACLs; northd's hairpin flows are the same for both families.
                        hairpins6++;
                        continue;
                    }

                    var (delivered, trace) = await TraceAsync(topology, lsp, vip, proto, port.Port, backend);
                    var mine = backend.Decision.Verdict == AclVerdict.Allow;
                    var theirs = liveBackend.Decision?.Verdict == AclVerdict.Allow;
                    if (mine != delivered || theirs != delivered)
                    {
                        // Once in many CI runs (never reproduced) a trace disagreed: ask again after another sync, and
                        // say so, so that a stale southbound is told apart from a real disagreement, which persists.
                        await fixture.Sandbox.WaitForNorthdSyncAsync();
                        var retraced = await TraceAsync(topology, lsp, vip, proto, port.Port, backend);
                        if (retraced.Delivered != delivered)
                        {
                            output.WriteLine($"{what} backend {backend.Backend}: ovn-trace changed its answer after another sync ({delivered} then {retraced.Delivered})\n{trace}");
                            (delivered, trace) = retraced;
                            stale++;
                        }
                    }

                    compared++;
                    hairpins += backend.Endpoint.Port == lsp ? 1 : 0; // the client is its own backend: no after-lb stage
                    v6 += ipv6 ? 1 : 0;
                    allowed += delivered ? 1 : 0;
                    if (mine != delivered || theirs != delivered)
                    {
                        disagreements.Add($"{what} backend {backend.Backend} ({backend.Endpoint.Id}): ovn-trace {(delivered ? "delivers" : "drops")}, offline {backend.Decision.Verdict}, live {liveBackend.Decision?.Verdict}\n"
                            + ExplainReport.ToText(backend.Decision, topology.RuleOf) + string.Join('\n', policies.Select(k8s.KubernetesYaml.Serialize)) + "\n" + trace);
                    }
                }
            }
        }

        output.WriteLine($"{Cases} cases: {compared} backends compared ({allowed} delivered by OVN, {v6} over IPv6), {empty} VIPs without backends, {hairpins} of the backends the client itself (hairpin), {hairpins6} IPv6 hairpins skipped, {stale} traces that changed after a second sync, {disagreements.Count} disagreements, {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var disagreement in disagreements)
        {
            output.WriteLine(disagreement); // whole, in the test results: the assertion's message is cut short
        }

        Assert.True(disagreements.Count == 0, string.Join("\n\n", disagreements.Take(3)));
        Assert.True(compared >= 20, $"only {compared} backends compared");
        Assert.InRange(allowed, 1, compared - 1); // both verdicts occur: the comparison can fail either way
    }

    /// <summary>
    /// Namespace-wide default denies (ingress in about one namespace in three, egress in one in two), and beside an egress deny
    /// an allowance to some pods by selector, so that the after-lb stage's destination (backend, not VIP) decides.
    /// </summary>
    private static IEnumerable<V1NetworkPolicy> DefaultDenies(Random random)
    {
        foreach (var ns in PodCluster.NamespaceNames)
        {
            var types = new[] { random.Next(3) == 0 ? "Ingress" : null, random.Next(2) == 0 ? "Egress" : null }.OfType<string>().ToList();
            if (types.Contains("Egress") && random.Next(3) > 0)
            {
                yield return new V1NetworkPolicy
                {
                    ApiVersion = "networking.k8s.io/v1",
                    Kind = "NetworkPolicy",
                    Metadata = new V1ObjectMeta { Name = "out", NamespaceProperty = ns },
                    Spec = new V1NetworkPolicySpec
                    {
                        PodSelector = new V1LabelSelector(),
                        PolicyTypes = ["Egress"],
                        Egress =
                        [
                            new V1NetworkPolicyEgressRule
                            {
                                To = [new V1NetworkPolicyPeer
                                {
                                    NamespaceSelector = new V1LabelSelector(),
                                    PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["pod"] = PodCluster.PodNames[random.Next(3)] } },
                                }],
                                Ports = random.Next(2) == 0 ? null : [new V1NetworkPolicyPort { Port = (IntOrString)(80 + random.Next(2)) }],
                            },
                        ],
                    },
                };
            }

            if (types.Count > 0)
            {
                yield return new V1NetworkPolicy
                {
                    ApiVersion = "networking.k8s.io/v1",
                    Kind = "NetworkPolicy",
                    Metadata = new V1ObjectMeta { Name = "deny", NamespaceProperty = ns },
                    Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = types },
                };
            }
        }
    }

    /// <summary>
    /// For about half the Services an EndpointSlice instead of the selector: one to four pods of any namespace, some not
    /// ready, the port named as the Service's with its target number.
    /// </summary>
    private static List<V1EndpointSlice> RandomSlices(Random random, PodCluster cluster, List<V1Service> services)
    {
        var slices = new List<V1EndpointSlice>();
        foreach (var service in services.Where(_ => random.Next(2) == 0))
        {
            var pods = cluster.Pods.OrderBy(_ => random.Next()).Take(1 + random.Next(4)).ToList();
            var targets = service.Spec.Ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Protocol = p.Protocol, Port = 80 + random.Next(2) }).ToList();
            var ready = pods.Select(_ => random.Next(4) == 0 ? new V1EndpointConditions { Ready = false } : random.Next(2) == 0 ? new V1EndpointConditions { Ready = true } : null).ToList();
            foreach (var family in service.Spec.ClusterIPs.Count > 1 ? new[] { "IPv4", "IPv6" } : ["IPv4"])
            {
                slices.Add(new V1EndpointSlice
                {
                    ApiVersion = "discovery.k8s.io/v1",
                    Kind = "EndpointSlice",
                    Metadata = new V1ObjectMeta
                    {
                        Name = service.Metadata.Name + "-" + family.ToLowerInvariant(),
                        NamespaceProperty = service.Metadata.NamespaceProperty,
                        Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service.Metadata.Name },
                    },
                    AddressType = family,
                    Ports = targets,
                    Endpoints = [.. pods.Select((p, i) => new V1Endpoint { Addresses = [p.Status.PodIPs[family == "IPv4" ? 0 : 1].Ip], Conditions = ready[i] })],
                });
            }
        }

        return slices;
    }

    /// <summary>Two or three Services over the x/y/z cluster: random selectors, ports 80/81 on TCP or UDP, targetPort numeric, named or absent.</summary>
    private static List<V1Service> RandomServices(Random random, bool dualStack)
    {
        var services = new List<V1Service>();
        var count = 2 + random.Next(2);
        for (var i = 0; i < count; i++)
        {
            var selector = random.Next(5) switch
            {
                0 => new Dictionary<string, string> { ["pod"] = PodCluster.PodNames[random.Next(3)] },
                1 => new Dictionary<string, string> { ["app"] = random.Next(2) == 0 ? "p" : "q" },
                2 => new Dictionary<string, string> { ["pod"] = "a", ["app"] = "p" },
                3 => new Dictionary<string, string> { ["app"] = "none" }, // no backends
                _ => new Dictionary<string, string> { ["tier"] = random.Next(2).ToString(CultureInfo.InvariantCulture) },
            };
            var ports = new List<V1ServicePort>();
            foreach (var protocol in random.Next(3) == 0 ? new[] { "TCP", "UDP" } : [random.Next(2) == 0 ? "TCP" : "UDP"])
            {
                var target = 80 + random.Next(2);
                ports.Add(new V1ServicePort
                {
                    Name = protocol.ToLowerInvariant(),
                    Protocol = protocol,
                    Port = random.Next(2) == 0 ? target : 8000 + target,
                    TargetPort = random.Next(3) switch
                    {
                        0 => (IntOrString)target,
                        1 => (IntOrString)$"serve-{target}-{protocol.ToLowerInvariant()}",
                        _ => null,
                    },
                });
                if (ports[^1].TargetPort is null)
                {
                    ports[^1].Port = target;
                }
            }

            services.Add(new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = new V1ObjectMeta { Name = $"svc{i}", NamespaceProperty = PodCluster.NamespaceNames[random.Next(3)] },
                Spec = new V1ServiceSpec
                {
                    ClusterIP = $"10.96.0.{10 + i}",
                    ClusterIPs = dualStack ? [$"10.96.0.{10 + i}", $"fd00:96::{10 + i:x}"] : [$"10.96.0.{10 + i}"],
                    Selector = selector,
                    Ports = ports,
                },
            });
        }

        return services;
    }

    /// <summary>
    /// The topology's switch and ports, a router as the pods' gateway, the compiled rows, and the Services' load
    /// balancers on the switch (or in a group on it); returns the NB read back as a live view.
    /// </summary>
    private async Task<AclPolicyView> BuildNbAsync(OfflineTopology topology, bool viaGroup)
    {
        var sandbox = fixture.Sandbox;
        await sandbox.ResetAsync();
        var sw = Assert.Single(topology.Switches);
        var args = new List<string> { "ls-add", sw, "--", "lr-add", "gw", "--", "lrp-add", "gw", "gw-pods", RouterMac, RouterIp + "/24", RouterIp6 + "/64",
            "--", "lsp-add", sw, "pods-gw", "--", "lsp-set-type", "pods-gw", "router", "--", "lsp-set-addresses", "pods-gw", "router",
            "--", "lsp-set-options", "pods-gw", "router-port=gw-pods" };
        foreach (var endpoint in topology.Endpoints)
        {
            args.AddRange(["--", "lsp-add", sw, endpoint.Port, "--", "lsp-set-addresses", endpoint.Port, .. endpoint.Addresses,
                "--", "lsp-set-port-security", endpoint.Port, .. endpoint.PortSecurity]);
        }

        if (viaGroup)
        {
            args.AddRange(["--", "--id=@g", "create", "Load_Balancer_Group", "name=services", "--", "add", "Logical_Switch", sw, "load_balancer_group", "@g"]);
        }

        for (var i = 0; i < topology.LoadBalancers.Length; i++)
        {
            var lb = topology.LoadBalancers[i];
            var columns = new List<string> { "name=" + Quote(lb.Name), "protocol=" + lb.Protocol };
            columns.AddRange(lb.Vips.Select(v => $"vips:{Quote(v.Key)}={Quote(v.Value)}"));
            columns.AddRange(lb.Options.Select(o => $"options:{o.Key}={Quote(o.Value)}"));
            columns.AddRange(lb.ExternalIds.Select(e => $"external_ids:{Quote(e.Key)}={Quote(e.Value)}"));
            args.AddRange(["--", $"--id=@lb{i}", "create", "Load_Balancer", .. columns]);
            args.AddRange(viaGroup ? ["--", "add", "Load_Balancer_Group", "services", "load_balancer", $"@lb{i}"] : ["--", "add", "Logical_Switch", sw, "load_balancer", $"@lb{i}"]);
        }

        await sandbox.RunNbctlAsync(args);
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(topology.Rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.NbRemote]);
        await sandbox.WaitForNorthdSyncAsync();

        await using var client = new OvsdbClient(sandbox.NbRemote, OvsdbClientOptions.Default with { Tables = AclPolicyView.MonitoredTables });
        await client.StartAsync();
        return AclPolicyView.FromReplica(client.Replica);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// ovn-trace of the client's first packet to the VIP, sent to its gateway's MAC as a pod does; <c>--lb-dst</c> picks
    /// <paramref name="backend"/> (null: a VIP without backends, delivered when any port gets it).
    /// </summary>
    private async Task<(bool Delivered, string Trace)> TraceAsync(OfflineTopology topology, string clientLsp, string vip, string proto, int port, OfflineBackend? backend)
    {
        var client = topology.Endpoints.Single(e => e.Port == clientLsp);
        var flow = new StringBuilder();
        flow.Append(CultureInfo.InvariantCulture, $"inport == \"{clientLsp}\" && eth.src == {client.Mac} && eth.dst == {RouterMac}");
        var address = IPAddress.Parse(vip);
        var ipv6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var family = ipv6 ? "ip6" : "ip4";
        flow.Append(CultureInfo.InvariantCulture, $" && {family}.src == {client.FirstIp(ipv6)} && {family}.dst == {address} && ip.ttl == 64 && {proto} && {proto}.src == 40000 && {proto}.dst == {port}");
        string[] extra = backend is null ? [] : [$"--lb-dst={backend.Backend}"];
        var trace = await fixture.Sandbox.RunTraceAsync(topology.Switches[0], flow.ToString(),
            ["--no-friendly-names", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--minimal", .. extra]);
        // Without backends the client may get a TCP reset or ICMP unreachable back (options:reject=true): only another port counts.
        return backend is null
            ? (topology.Endpoints.Any(e => e.Port != clientLsp && trace.Contains($"output(\"{e.Port}\");", StringComparison.Ordinal)), trace)
            : (trace.Contains($"output(\"{backend.Endpoint.Port}\");", StringComparison.Ordinal), trace);
    }
}
