using System.Globalization;
using System.Text;
using OvnAcl.Acl;
using OvnAcl.Explain;
using OvnAcl.Neutron;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// samples/neutron/three-tier on the datapath: the switches and ports of the offline topology <c>ovnacl explain</c>
/// builds from the sample (its two tenants' networks, the router interface, the appliance without port security),
/// each port bound on one of three chassis in turn, the translated rows applied, and a real packet for every ordered
/// pair of ports on one network. What arrives equals explain's verdict over the same topology, and ovn-trace's.
/// </summary>
[Collection(FixtureCollections.OvnChassis)]
public sealed class NeutronSampleDatapathTests(OvnChassisFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("neutron-datapath");
    private int _sourcePort = 40000;

    public void Dispose() => _scratch.Dispose();

    private static readonly (string Protocol, int Port, bool Ipv6)[] Probes =
        [("tcp", 443, false), ("tcp", 8080, false), ("tcp", 5432, false), ("icmp", 0, false), ("tcp", 443, true), ("tcp", 9000, true), ("icmp", 0, true)];

    [Fact]
    public async Task Sample_packets_arrive_where_explain_and_ovn_trace_say()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        var dir = SampleDirectory();
        var topology = OfflineTopology.FromNeutron(NeutronInput.Load(new[] { "security-groups.json", "ports.json", "address-groups.json" }.Select(f => Path.Combine(dir, f))));
        var endpoints = topology.Endpoints.Where(e => e.Kind == OfflineEndpointKind.NeutronPort).ToList();
        var chassisOf = endpoints.Select((e, i) => (e.Port, Chassis: OvnChassisFixture.ChassisNames[i % OvnChassisFixture.ChassisNames.Count]))
            .ToDictionary(p => p.Port, p => p.Chassis, StringComparer.Ordinal);

        var args = new List<string>();
        foreach (var sw in endpoints.GroupBy(e => e.Switch, StringComparer.Ordinal))
        {
            args.AddRange([.. args.Count > 0 ? ["--"] : Array.Empty<string>(), "--may-exist", "ls-add", sw.Key]);
            foreach (var e in sw)
            {
                args.AddRange(["--", "--may-exist", "lsp-add", sw.Key, e.Port, "--", "lsp-set-addresses", e.Port, .. e.Addresses]);
                if (e.PortSecurity.Count > 0)
                {
                    args.AddRange(["--", "lsp-set-port-security", e.Port, .. e.PortSecurity]);
                }
            }
        }

        await sandbox.Central.RunNbctlAsync(args);
        await sandbox.BindPortsAsync(chassisOf.Select(p => (p.Key, p.Value)));
        await OvsdbTool.TransactAsync(sandbox.Central.NbRemote,
            """["OVN_Northbound",{"op":"delete","table":"Port_Group","where":[]},{"op":"delete","table":"Address_Set","where":[]}]""");
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(topology.Rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.Central.NbRemote]);
        await sandbox.WaitForChassisSyncAsync();

        var view = topology.View;
        var engine = new AclDecisionEngine(view);
        var disagreements = new List<string>();
        int sent = 0, delivered = 0, sameChassis = 0;
        foreach (var (protocol, port, ipv6) in Probes)
        {
            var pairs = (from a in endpoints
                         from b in endpoints
                         where a != b && a.Switch == b.Switch && HasFamily(view, a.Port, ipv6) && HasFamily(view, b.Port, ipv6)
                         select (From: a, To: b)).ToList();
            if (pairs.Count == 0)
            {
                continue;
            }

            var aclProtocol = AclPacketFactory.ParseProtocol(protocol);
            var checks = new List<(OfflineEndpoint From, OfflineEndpoint To, bool Engine, bool Trace, DatapathPacket Packet)>();
            foreach (var (from, to) in pairs)
            {
                var packet = AclPacketFactory.Create(view, from.Port, to.Port, aclProtocol, aclProtocol == AclProtocol.Icmp ? null : (ushort)port, ipv6);
                var decision = engine.Decide(from.Port, to.Port, packet);
                var (traced, _) = await sandbox.Central.TraceNewConnectionAsync(from.Switch, Microflow(view, from, to, protocol, port, ipv6), to.Port);
                checks.Add((from, to, decision.Verdict == AclVerdict.Allow, traced, new DatapathPacket
                {
                    Protocol = aclProtocol == AclProtocol.Icmp ? DatapathProtocol.Icmp : DatapathProtocol.Tcp,
                    EthSrc = from.Mac,
                    EthDst = to.Mac,
                    IpSrc = Ip(view, from.Port, ipv6),
                    IpDst = Ip(view, to.Port, ipv6),
                    SourcePort = Interlocked.Increment(ref _sourcePort),
                    DestinationPort = port,
                }));
            }

            await sandbox.FlushConntrackAsync();
            var arrived = (await sandbox.SendAsync([.. checks.Select(c => new DatapathProbe(c.From.Port, c.To.Port, c.Packet))])).ToArray();

            // A datapath verdict against explain's must survive a second packet (fresh source port) before it counts.
            var suspects = Enumerable.Range(0, checks.Count).Where(i => arrived[i] != checks[i].Engine).ToList();
            if (suspects.Count > 0)
            {
                await sandbox.FlushConntrackAsync();
                var again = await sandbox.SendAsync([.. suspects.Select(i => new DatapathProbe(checks[i].From.Port, checks[i].To.Port,
                    checks[i].Packet with { SourcePort = Interlocked.Increment(ref _sourcePort) }))]);
                for (var k = 0; k < suspects.Count; k++)
                {
                    output.WriteLine($"{checks[suspects[k]].From.Label} -> {checks[suspects[k]].To.Label}: datapath {arrived[suspects[k]]}, sent again: {again[k]}");
                    arrived[suspects[k]] = again[k];
                }
            }

            var matrix = new StringBuilder();
            for (var i = 0; i < checks.Count; i++)
            {
                var c = checks[i];
                sent++;
                delivered += arrived[i] ? 1 : 0;
                sameChassis += chassisOf[c.From.Port] == chassisOf[c.To.Port] ? 1 : 0;
                matrix.AppendLine(CultureInfo.InvariantCulture, $"  {c.From.Label} -> {c.To.Label}: datapath {(arrived[i] ? "✓" : "X")}, explain {(c.Engine ? "✓" : "X")}, ovn-trace {(c.Trace ? "✓" : "X")}");
                if (arrived[i] != c.Engine || c.Trace != c.Engine)
                {
                    var chassis = sandbox.ChassisOf(c.From.Port);
                    disagreements.Add($"{c.From.Label} -> {c.To.Label} {protocol}/{port}{(ipv6 ? " IPv6" : "")}: datapath {arrived[i]}, explain {c.Engine}, ovn-trace {c.Trace}\n" +
                                      await chassis.TraceAsync(chassis.VifOf(c.From.Port), c.Packet));
                }
            }

            output.WriteLine($"{protocol}/{port}{(ipv6 ? " IPv6" : "")}:\n{matrix}");
        }

        output.WriteLine($"Neutron three-tier: {sent} packets ({sameChassis} same chassis), {delivered} delivered, {disagreements.Count} disagreement(s), {started.Elapsed.TotalSeconds:0.0} s");
        Assert.True(disagreements.Count == 0, string.Join("\n\n", disagreements.Take(3)));
        Assert.InRange(delivered, 1, sent - 1);
    }

    private static bool HasFamily(AclPolicyView view, string port, bool ipv6) =>
        view.GetPort(port) is var p && !p.Macs.IsEmpty && !(ipv6 ? p.Ipv6 : p.Ipv4).IsEmpty;

    private static System.Net.IPAddress Ip(AclPolicyView view, string port, bool ipv6) => ipv6 ? view.GetPort(port).Ipv6[0] : view.GetPort(port).Ipv4[0];

    private static string Microflow(AclPolicyView view, OfflineEndpoint src, OfflineEndpoint dst, string protocol, int port, bool ipv6)
    {
        var family = ipv6 ? "ip6" : "ip4";
        var flow = $"inport == \"{src.Port}\" && eth.src == {src.Mac} && eth.dst == {dst.Mac} && {family}.src == {Ip(view, src.Port, ipv6)} && {family}.dst == {Ip(view, dst.Port, ipv6)} && ip.ttl == 64";
        return protocol == "icmp"
            ? flow + (ipv6 ? " && icmp6.type == 128 && icmp6.code == 0" : " && icmp4.type == 8 && icmp4.code == 0")
            : flow + string.Create(CultureInfo.InvariantCulture, $" && {protocol}.src == 40000 && {protocol}.dst == {port}");
    }

    private static string SampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "neutron", "three-tier");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/neutron/three-tier not found above " + AppContext.BaseDirectory);
    }
}
