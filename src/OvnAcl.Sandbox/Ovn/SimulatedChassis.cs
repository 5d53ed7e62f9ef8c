using System.Globalization;
using System.Text.RegularExpressions;

namespace OvnAcl.Sandbox;

/// <summary>
/// One simulated hypervisor of an <see cref="OvnChassisSandbox"/>, as OVN's own test suite builds them: its own
/// ovsdb-server (a conf.db from vswitch.ovsschema), an <c>ovs-vswitchd --enable-dummy=system --disable-system-route</c>
/// whose netdevs are all dummies (no kernel module), and an <c>ovn-controller --enable-dummy-vif-plug</c> that turns the
/// SB logical flows into OpenFlow on its <c>br-int</c>. Its <c>br-phys</c> carries the geneve tunnels to the others.
/// </summary>
public sealed partial class SimulatedChassis : IAsyncDisposable
{
    private readonly Dictionary<string, string> _vifs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private SimulatedChassis(string name, string encapIp, string directory, ServerProcess ovsdb, ServerProcess vswitchd)
    {
        Name = name;
        EncapIp = encapIp;
        Directory = directory;
        OvsdbServer = ovsdb;
        Vswitchd = vswitchd;
    }

    /// <summary>The chassis name (OVS <c>system-id</c>, SB <c>Chassis.name</c>).</summary>
    public string Name { get; }

    /// <summary>The geneve endpoint address on <c>br-phys</c>.</summary>
    public string EncapIp { get; }

    public string Directory { get; }

    /// <summary><c>unix:DIR/db.sock</c>, the local Open_vSwitch database.</summary>
    public string DbRemote => "unix:" + Path.Combine(Directory, "db.sock");

    public ServerProcess OvsdbServer { get; }

    public ServerProcess Vswitchd { get; }

    /// <summary>The chassis' ovn-controller; null until <see cref="OvnChassisSandbox"/> has attached the chassis.</summary>
    public ServerProcess? Controller { get; private set; }

    /// <summary>Logical switch port → the VIF bound to it on this chassis.</summary>
    public IReadOnlyDictionary<string, string> Vifs
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_vifs, StringComparer.Ordinal);
            }
        }
    }

    internal static async Task<SimulatedChassis> StartAsync(string name, string encapIp, string directory, IReadOnlyList<string> launcher, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(directory);
        var dbPath = Path.Combine(directory, "conf.db");
        var socket = Path.Combine(directory, "db.sock");
        await OvsdbServers.CreateDatabaseAsync(dbPath, OvsSchemas.Vswitch, cancellationToken).ConfigureAwait(false);
        var ovsdb = await ServerProcess.StartAsync(
            new ServerProcessOptions
            {
                Name = "ovsdb-server",
                Executable = "ovsdb-server",
                Arguments = [dbPath, $"--remote=punix:{socket}"],
                Directory = directory,
                Launcher = launcher,
                ReadinessProbe = OvsdbServers.ListDbsProbe(socket, OvsSchemas.VswitchDatabase),
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            await OvsdbTool.RunAsync("ovs-vsctl", ["--db=unix:" + socket, "--no-wait", "init"], cancellationToken: cancellationToken).ConfigureAwait(false);
            var vswitchd = await ServerProcess.StartAsync(
                new ServerProcessOptions
                {
                    Name = "ovs-vswitchd",
                    Executable = "ovs-vswitchd",
                    Arguments = ["unix:" + socket, "--enable-dummy=system", "--disable-system-route"],
                    Directory = directory,
                    Launcher = launcher,
                },
                cancellationToken).ConfigureAwait(false);
            return new SimulatedChassis(name, encapIp, directory, ovsdb, vswitchd);
        }
        catch
        {
            await ovsdb.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal async Task StartControllerAsync(IReadOnlyList<string> launcher, CancellationToken cancellationToken) =>
        Controller = await ServerProcess.StartAsync(
            new ServerProcessOptions
            {
                Name = "ovn-controller",
                Executable = "ovn-controller",
                Arguments = [DbRemote, "--enable-dummy-vif-plug"],
                Directory = Directory,
                Launcher = launcher,
                HasUnixctlOption = false,
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary><c>ovs-vsctl --db=DB ARGS…</c> against this chassis' database; returns stdout.</summary>
    public async Task<string> RunVsctlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        (await OvsdbTool.RunAsync("ovs-vsctl", ["--db=" + DbRemote, "--timeout=30", .. args], cancellationToken: cancellationToken).ConfigureAwait(false)).Stdout;

    /// <summary><c>ovs-ofctl ARGS… unix:DIR/BRIDGE.mgmt [EXTRA…]</c>: OpenFlow to this chassis' ovs-vswitchd; returns stdout.</summary>
    public async Task<string> RunOfctlAsync(string command, string bridge = "br-int", IReadOnlyList<string>? extraArgs = null, CancellationToken cancellationToken = default) =>
        (await OvsdbTool.RunAsync("ovs-ofctl", [command, "unix:" + Path.Combine(Directory, bridge + ".mgmt"), .. extraArgs ?? []], cancellationToken: cancellationToken)
            .ConfigureAwait(false)).Stdout;

    /// <summary>The OpenFlow flows installed on <paramref name="bridge"/> (<c>ovs-ofctl dump-aggregate</c>'s flow_count).</summary>
    public async Task<int> CountFlowsAsync(string bridge = "br-int", CancellationToken cancellationToken = default)
    {
        var aggregate = await RunOfctlAsync("dump-aggregate", bridge, cancellationToken: cancellationToken).ConfigureAwait(false);
        var match = FlowCount().Match(aggregate);
        return match.Success
            ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture)
            : throw new SandboxException($"ovs-ofctl dump-aggregate on {Name} printed no flow_count: {aggregate.Trim()}");
    }

    /// <summary>
    /// Plugs a VIF for <paramref name="logicalPort"/> into <c>br-int</c> (<c>external_ids:iface-id</c>), recording what it
    /// transmits, i.e. what the datapath delivers to it, in <c>DIR/VIF-tx.pcap</c>. ovn-controller then claims the port.
    /// </summary>
    public async Task<string> AddVifAsync(string logicalPort, CancellationToken cancellationToken = default)
    {
        string vif;
        lock (_gate)
        {
            if (_vifs.TryGetValue(logicalPort, out var existing))
            {
                return existing;
            }

            vif = "vif" + (_vifs.Count + 1).ToString(CultureInfo.InvariantCulture);
            _vifs[logicalPort] = vif;
        }

        await RunVsctlAsync(
            ["add-port", "br-int", vif, "--", "set", "Interface", vif, $"external_ids:iface-id={logicalPort}",
             $"options:tx_pcap={TransmitPcap(vif)}", $"options:rxq_pcap={Path.Combine(Directory, vif + "-rx.pcap")}"],
            cancellationToken).ConfigureAwait(false);
        return vif;
    }

    /// <summary>The VIF bound to <paramref name="logicalPort"/> on this chassis.</summary>
    public string VifOf(string logicalPort)
    {
        lock (_gate)
        {
            return _vifs.TryGetValue(logicalPort, out var vif) ? vif : throw new SandboxException($"no VIF for '{logicalPort}' on chassis {Name}");
        }
    }

    /// <summary>
    /// <c>ovs-appctl netdev-dummy/receive VIF FLOW…</c>: the packets arrive on <paramref name="vif"/> as if the VM had sent
    /// them, in order. Keep a call under netdev-dummy's receive queue of 100 packets.
    /// </summary>
    public Task ReceiveAsync(string vif, IReadOnlyList<DatapathPacket> packets, CancellationToken cancellationToken = default) =>
        Vswitchd.AppctlAsync(["netdev-dummy/receive", vif, .. packets.Select(p => p.ToOdpFlow())], cancellationToken);

    /// <summary>Every frame <paramref name="vif"/> has transmitted so far (delivered to it by the datapath).</summary>
    public IReadOnlyList<byte[]> TransmittedFrames(string vif) => PcapFile.ReadFrames(TransmitPcap(vif));

    /// <summary><c>ovs-appctl dpctl/flush-conntrack</c>: forgets every connection, so that earlier packets decide nothing.</summary>
    public Task FlushConntrackAsync(CancellationToken cancellationToken = default) =>
        Vswitchd.AppctlAsync(["dpctl/flush-conntrack"], cancellationToken);

    /// <summary>
    /// <c>ovs-appctl revalidator/purge</c>: drops every cached datapath (megaflow) entry. New OpenFlow reaches cached
    /// entries only when the revalidators next run, so packets sent right after a policy change could still be decided
    /// by the old flows.
    /// </summary>
    public Task PurgeDatapathFlowsAsync(CancellationToken cancellationToken = default) =>
        Vswitchd.AppctlAsync(["revalidator/purge"], cancellationToken);

    /// <summary>
    /// <c>ovs-appctl ofproto/trace br-int in_port=VIF,FLOW --ct-next CT_STATE</c>, for failure messages: the OpenFlow tables
    /// the packet would take on this chassis, each conntrack pass answered with <paramref name="ctState"/>.
    /// </summary>
    public async Task<string> TraceAsync(string vif, DatapathPacket packet, string ctState = "trk,new", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var result = await Vswitchd.TryAppctlAsync(
            ["ofproto/trace", "br-int", packet.ToOpenFlowMatch(vif), "--ct-next", ctState, "--ct-next", ctState], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Stdout : result.Describe();
    }

    /// <summary><c>ovs-appctl dpctl/dump-flows</c>: the datapath's cached (megaflow) entries, which decide packets before OpenFlow does.</summary>
    public async Task<string> DumpDatapathFlowsAsync(CancellationToken cancellationToken = default) =>
        (await Vswitchd.AppctlAsync(["dpctl/dump-flows"], cancellationToken).ConfigureAwait(false)).Stdout;

    /// <summary>Log tails and console output of the chassis' three daemons.</summary>
    public string Diagnostics(int logLines = 20) =>
        $"\n=== chassis {Name} ===" + OvsdbServer.Diagnostics(logLines) + Vswitchd.Diagnostics(logLines) + (Controller?.Diagnostics(logLines) ?? "");

    public async ValueTask DisposeAsync()
    {
        // ovn-controller first, so it does not log its databases vanishing; then the switch, then its database.
        if (Controller is not null)
        {
            await Controller.DisposeAsync().ConfigureAwait(false);
        }

        await Vswitchd.DisposeAsync().ConfigureAwait(false);
        await OvsdbServer.DisposeAsync().ConfigureAwait(false);
    }

    private string TransmitPcap(string vif) => Path.Combine(Directory, vif + "-tx.pcap");

    [GeneratedRegex(@"flow_count=(\d+)")]
    private static partial Regex FlowCount();
}
