using System.Globalization;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;

namespace OvnAcl.Core.Tests.Kubernetes.Datapath;

/// <summary>What one packet's fate was, by every judge: the datapath, ovn-trace, the decision engine, the reference model.</summary>
internal sealed record PairVerdict(V1Pod Src, V1Pod Dst, Probe Probe, DatapathPacket Packet, bool SameChassis)
{
    public bool Datapath { get; set; }

    public bool? OvnTrace { get; init; }

    public bool Engine { get; init; }

    public bool? Model { get; init; }

    public string Pair => $"{PodCluster.Key(Src)} -> {PodCluster.Key(Dst)} {Probe} ({(SameChassis ? "same chassis" : "cross chassis")})";
}

/// <summary>
/// The pods of <see cref="PodCluster.Xyz"/> on the <see cref="PodCluster.Switch"/> switch of an
/// <see cref="OvnChassisSandbox"/>, spread over its three chassis so that some pairs share a chassis and others cross
/// geneve, within and across namespaces: each namespace's <c>a</c> and <c>b</c> on the namespace's chassis (x: hv1, y:
/// hv2, z: hv3), its <c>c</c> on the next one; every pod dual-stack. Real packets decide each pair.
/// </summary>
internal sealed class DatapathPodNetwork
{
    private const int TraceParallelism = 3;

    private readonly OvnChassisSandbox _sandbox;
    private readonly string _scratchDirectory;
    private int _nextSourcePort = 20000;
    private int _scripts;

    public DatapathPodNetwork(OvnChassisSandbox sandbox, string scratchDirectory)
    {
        _sandbox = sandbox;
        _scratchDirectory = scratchDirectory;
    }

    /// <summary>Dual-stack, so that IPv6 probes have addresses; IPv4 verdicts do not change with it.</summary>
    public PodCluster Cluster { get; } = PodCluster.Xyz(dualStack: true);

    public static string ChassisOf(V1Pod pod)
    {
        var ns = Array.IndexOf(PodCluster.NamespaceNames, pod.Metadata.NamespaceProperty);
        var chassis = (ns + (pod.Metadata.Name == "c" ? 1 : 0)) % PodCluster.NamespaceNames.Length;
        return OvnAcl.Testing.OvnChassisFixture.ChassisNames[chassis];
    }

    /// <summary>Creates the switch and the pods' ports once per fixture and binds each to its chassis.</summary>
    public async Task EnsurePortsAsync()
    {
        if (Cluster.Pods.All(p => _sandbox.Chassis.Any(c => c.Vifs.ContainsKey(PodCluster.Lsp(p)))))
        {
            return;
        }

        var args = new List<string> { "--may-exist", "ls-add", PodCluster.Switch };
        foreach (var pod in Cluster.Pods)
        {
            var lsp = PodCluster.Lsp(pod);
            var addresses = PodCluster.Addresses(pod);
            args.AddRange(["--", "--may-exist", "lsp-add", PodCluster.Switch, lsp, "--", "lsp-set-addresses", lsp, addresses, "--", "lsp-set-port-security", lsp, addresses]);
        }

        await _sandbox.Central.RunNbctlAsync(args);
        await _sandbox.BindPortsAsync(Cluster.Pods.Select(p => (PodCluster.Lsp(p), ChassisOf(p))));
    }

    /// <summary>
    /// Replaces every port group (their ACLs go with them) and address set in the NB by the rows' ones, written with the
    /// nbctl script the CLI prints, waits until every chassis has installed them, and forgets all cached datapath flows
    /// (decided by the old rows until the revalidators run) and connections.
    /// </summary>
    public async Task ApplyAsync(NorthboundRows rows)
    {
        await OvsdbTool.TransactAsync(_sandbox.Central.NbRemote,
            """["OVN_Northbound",{"op":"delete","table":"Port_Group","where":[]},{"op":"delete","table":"Address_Set","where":[]}]""");
        if (rows.PortGroups.Count > 0 || rows.AddressSets.Count > 0)
        {
            var script = Path.Combine(_scratchDirectory, $"rows-{_scripts++}.sh");
            await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
            await OvsdbTool.RunAsync("sh", [script, "--db=" + _sandbox.Central.NbRemote]);
        }

        await _sandbox.WaitForChassisSyncAsync();
        await _sandbox.PurgeDatapathFlowsAsync();
        await _sandbox.FlushConntrackAsync();
    }

    public Task FlushConntrackAsync() => _sandbox.FlushConntrackAsync();

    public Task<IReadOnlyDictionary<string, int>> CountFlowsAsync() => _sandbox.CountFlowsAsync();

    /// <summary>A new connection's first packet from one pod to another: TCP SYN, UDP, SCTP, or ICMP echo; a fresh source port each.</summary>
    public DatapathPacket Packet(V1Pod src, V1Pod dst, Probe probe) => new()
    {
        Protocol = probe.Protocol switch
        {
            "TCP" => DatapathProtocol.Tcp,
            "UDP" => DatapathProtocol.Udp,
            "SCTP" => DatapathProtocol.Sctp,
            _ => DatapathProtocol.Icmp,
        },
        EthSrc = PodCluster.Mac(PodCluster.IndexOf(src)),
        EthDst = PodCluster.Mac(PodCluster.IndexOf(dst)),
        IpSrc = PolicyReferenceModel.PodIp(src, probe.Ipv6),
        IpDst = PolicyReferenceModel.PodIp(dst, probe.Ipv6),
        SourcePort = Interlocked.Increment(ref _nextSourcePort),
        DestinationPort = probe.Port,
    };

    /// <summary>Sends every packet (one batch) and says which arrived.</summary>
    public async Task<bool[]> SendAsync(IReadOnlyList<(V1Pod Src, V1Pod Dst, DatapathPacket Packet)> packets)
    {
        var delivered = await _sandbox.SendAsync([.. packets.Select(p => new DatapathProbe(PodCluster.Lsp(p.Src), PodCluster.Lsp(p.Dst), p.Packet))]);
        return [.. delivered];
    }

    /// <summary>ofproto/trace of the packet on its source chassis, conntrack answering <paramref name="ctState"/>.</summary>
    public Task<string> OfprotoTraceAsync(V1Pod src, DatapathPacket packet, string ctState = "trk,new")
    {
        var lsp = PodCluster.Lsp(src);
        var chassis = _sandbox.ChassisOf(lsp);
        return chassis.TraceAsync(chassis.VifOf(lsp), packet, ctState);
    }

    /// <summary>The datapath flows cached on the chassis of <paramref name="pod"/>.</summary>
    public Task<string> DatapathFlowsAsync(V1Pod pod) => _sandbox.ChassisOf(PodCluster.Lsp(pod)).DumpDatapathFlowsAsync();

    /// <summary>ovn-trace's verdict on a new connection (two <c>--ct=new</c>, one per conntrack pass), a few at a time.</summary>
    public async Task<bool[]> TraceAsync(IReadOnlyList<(V1Pod Src, V1Pod Dst, Probe Probe)> pairs)
    {
        using var gate = new SemaphoreSlim(TraceParallelism);
        var traces = pairs.Select(async pair =>
        {
            await gate.WaitAsync();
            try
            {
                var (delivered, _) = await _sandbox.Central.TraceNewConnectionAsync(PodCluster.Switch, Microflow(pair.Src, pair.Dst, pair.Probe), PodCluster.Lsp(pair.Dst));
                return delivered;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(traces);
    }

    /// <summary><see cref="OvnPodNetwork.Microflow"/>, and an echo request for ICMP.</summary>
    public static string Microflow(V1Pod src, V1Pod dst, Probe probe)
    {
        if (probe.Protocol != "ICMP")
        {
            return OvnPodNetwork.Microflow(src, dst, probe);
        }

        var (family, icmp) = probe.Ipv6 ? ("ip6", "icmp6") : ("ip4", "icmp4");
        return string.Create(CultureInfo.InvariantCulture,
            $"inport == \"{PodCluster.Lsp(src)}\" && eth.src == {PodCluster.Mac(PodCluster.IndexOf(src))} && eth.dst == {PodCluster.Mac(PodCluster.IndexOf(dst))}" +
            $" && {family}.src == {PolicyReferenceModel.PodIp(src, probe.Ipv6)} && {family}.dst == {PolicyReferenceModel.PodIp(dst, probe.Ipv6)} && ip.ttl == 64" +
            $" && {icmp} && {icmp}.type == {(probe.Ipv6 ? 128 : 8)} && {icmp}.code == 0");
    }

    /// <summary>The decision engine over the compiled rows and this switch: what <c>ovnacl explain</c> decides offline.</summary>
    public AclDecisionEngine Engine(NorthboundRows rows)
    {
        var ports = Cluster.Pods.Select(p => new LogicalSwitchPortRow(PodCluster.Lsp(p)) { Addresses = [PodCluster.Addresses(p)], PortSecurity = [PodCluster.Addresses(p)] }).ToArray();
        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, [new LogicalSwitchRow(PodCluster.Switch) { Ports = ports }]));
        if (view.Diagnostics.Any())
        {
            throw new InvalidOperationException(string.Join("\n", view.Diagnostics));
        }

        return new AclDecisionEngine(view);
    }

    public static AclDecision Decide(AclDecisionEngine engine, V1Pod src, V1Pod dst, Probe probe, AclTraffic traffic = AclTraffic.NewConnection)
    {
        var (from, to) = (PodCluster.Lsp(src), PodCluster.Lsp(dst));
        var protocol = AclPacketFactory.ParseProtocol(probe.Protocol);
        var packet = AclPacketFactory.Create(engine.View, from, to, protocol, protocol == AclProtocol.Icmp ? null : (ushort)probe.Port, probe.Ipv6);
        return traffic == AclTraffic.NewConnection
            ? engine.Decide(from, to, packet)
            : engine.Decide(to, from, AclPacketFactory.Reverse(packet), AclTraffic.Reply);
    }
}
