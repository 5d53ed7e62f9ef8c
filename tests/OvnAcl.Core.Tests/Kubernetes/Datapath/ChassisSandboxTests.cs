using System.Net;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Kubernetes.Datapath;

/// <summary>
/// The multi-chassis sandbox itself: ports bound where asked, packets of every protocol delivered on one chassis and
/// across geneve, and a drop ACL making the same packet vanish, with the OpenFlow flows it costs on each chassis.
/// </summary>
[Collection(FixtureCollections.OvnChassis)]
public sealed class ChassisSandboxTests(OvnChassisFixture fixture, ITestOutputHelper output)
{
    private const string Switch = "ls_smoke";

    private static readonly (string Lsp, string Chassis, int Index)[] Ports = [("smoke1", "hv1", 1), ("smoke2", "hv2", 2), ("smoke3", "hv1", 3)];

    [Fact]
    public async Task Packets_cross_chassis_and_a_drop_acl_stops_them()
    {
        var sandbox = fixture.Sandbox;
        output.WriteLine($"sandbox with {sandbox.Chassis.Count} chassis started in {sandbox.StartupDuration.TotalSeconds:0.0} s");
        var args = new List<string> { "--may-exist", "ls-add", Switch };
        foreach (var (lsp, _, index) in Ports)
        {
            args.AddRange(["--", "--may-exist", "lsp-add", Switch, lsp, "--", "lsp-set-addresses", lsp, $"{Mac(index)} {Ip(index)}"]);
        }

        await sandbox.Central.RunNbctlAsync(args);
        await sandbox.BindPortsAsync(Ports.Select(p => (p.Lsp, p.Chassis)));
        Assert.Equal("hv2", sandbox.ChassisOf("smoke2").Name);
        var before = await sandbox.CountFlowsAsync();
        Assert.All(before.Values, n => Assert.True(n > 0));

        var sourcePort = 41000;
        DatapathProbe Probe(int from, int to, DatapathProtocol protocol, int port) => new(
            Ports[from - 1].Lsp, Ports[to - 1].Lsp,
            new DatapathPacket { Protocol = protocol, EthSrc = Mac(from), EthDst = Mac(to), IpSrc = Ip(from), IpDst = Ip(to), SourcePort = sourcePort++, DestinationPort = port });
        List<DatapathProbe> probes = [];
        foreach (var protocol in Enum.GetValues<DatapathProtocol>())
        {
            probes.Add(Probe(1, 2, protocol, 80));  // across geneve
            probes.Add(Probe(1, 3, protocol, 80));  // on one chassis
            probes.Add(Probe(2, 3, protocol, 80));
        }

        var open = await sandbox.SendAsync(probes);
        Assert.True(open.All(d => d), "without ACLs everything arrives; missing: " + string.Join(", ", probes.Where((_, i) => !open[i]).Select(p => $"{p.FromPort}->{p.ToPort} {p.Packet}")) + sandbox.Diagnostics());

        await sandbox.Central.RunNbctlAsync(["acl-add", Switch, "to-lport", "1000", "outport == \"smoke2\" && tcp.dst == 80", "drop"]);
        await sandbox.WaitForChassisSyncAsync();
        try
        {
            var after = await sandbox.CountFlowsAsync();
            output.WriteLine("OpenFlow flows per chassis without and with the drop ACL: " +
                             string.Join(", ", before.Keys.Select(c => $"{c} {before[c]} -> {after[c]}")));
            Assert.True(after["hv2"] > before["hv2"], "the ACL installed flows on the destination's chassis");
            var tcp = Probe(1, 2, DatapathProtocol.Tcp, 80);
            var udp = Probe(1, 2, DatapathProtocol.Udp, 80);
            var local = Probe(1, 3, DatapathProtocol.Tcp, 80);
            var verdicts = await sandbox.SendAsync([tcp, udp, local]);
            Assert.Equal([false, true, true], verdicts);

            // What failure messages show: ofproto/trace takes every packet the sandbox can send.
            foreach (var protocol in Enum.GetValues<DatapathProtocol>())
            {
                var probe = Probe(1, 3, protocol, 80);
                foreach (var packet in new[] { probe.Packet, probe.Packet.Reply() })
                {
                    var trace = await sandbox["hv1"].TraceAsync("vif1", packet);
                    Assert.Contains("Datapath actions:", trace, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            await sandbox.Central.RunNbctlAsync(["acl-del", Switch]);
            await sandbox.WaitForChassisSyncAsync();
        }
    }

    /// <summary>A sandbox of its own, not the collection's: it starts in seconds and leaves no process and no directory behind.</summary>
    [Fact]
    public async Task Dispose_stops_every_daemon_by_pid_and_removes_the_directory()
    {
        var sandbox = await OvnChassisSandbox.StartAsync(OvnChassisSandboxOptions.Default with { ChassisNames = ["solo1", "solo2"] });
        var pids = sandbox.Processes.Select(p => p.Pid).ToList();
        var dir = sandbox.Dir;
        output.WriteLine($"2 chassis, {pids.Count} daemons, started in {sandbox.StartupDuration.TotalSeconds:0.0} s");
        Assert.Equal(3 + 2 + (2 * 3), pids.Count);
        Assert.All(pids, pid => Assert.NotNull(pid));
        Assert.True(sandbox.StartupDuration < TimeSpan.FromSeconds(30), $"startup took {sandbox.StartupDuration}");

        await sandbox.DisposeAsync();

        Assert.All(sandbox.Processes, p => Assert.False(p.IsRunning, $"{p.Name} still runs"));
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal),
            $"pid {pid} is alive after dispose"));
        Assert.Equal(SandboxDirectory.KeepDirectories, Directory.Exists(dir));
    }

    private static string Mac(int index) => $"50:54:00:00:00:{index:x2}";

    private static IPAddress Ip(int index) => IPAddress.Parse($"172.16.0.{index}");
}
