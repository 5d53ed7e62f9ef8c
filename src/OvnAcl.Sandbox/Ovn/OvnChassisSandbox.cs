using System.Diagnostics;
using System.Globalization;

namespace OvnAcl.Sandbox;

/// <summary>A packet to send from one bound logical switch port and look for at another.</summary>
/// <param name="FromPort">The logical switch port whose VIF sends the packet.</param>
/// <param name="ToPort">The logical switch port whose VIF it should reach.</param>
/// <param name="Packet">The packet as the source's VM would send it.</param>
public sealed record DatapathProbe(string FromPort, string ToPort, DatapathPacket Packet);

/// <summary>
/// OVN with hypervisors, no kernel module, in the way of OVN's own test suite: the central NB, SB and ovn-northd of an
/// <see cref="OvnSandbox"/>, and N <see cref="SimulatedChassis"/> whose <c>br-phys</c> bridges are plugged, over unix
/// socket dummy netdevs, into one bridge <c>n1</c> of an interconnect switch, with geneve tunnels between them. Logical
/// switch ports are bound to chosen chassis as VIFs, and real packets put on one VIF either arrive at another (its
/// <c>tx_pcap</c>) or are dropped by the OpenFlow each ovn-controller installed. Every process is a child stopped by pid.
/// </summary>
public sealed class OvnChassisSandbox : IAsyncDisposable
{
    private const string Interconnect = "n1";
    private const int PacketsPerReceive = 50;

    private readonly SandboxDirectory _directory;
    private readonly OvnChassisSandboxOptions _options;
    private readonly Dictionary<string, SimulatedChassis> _byName;
    private readonly Dictionary<string, SimulatedChassis> _bindings = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private OvnChassisSandbox(SandboxDirectory directory, OvnChassisSandboxOptions options, OvnSandbox central, SimulatedChassis network, IReadOnlyList<SimulatedChassis> chassis)
    {
        _directory = directory;
        _options = options;
        Central = central;
        Network = network;
        Chassis = chassis;
        _byName = chassis.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    /// <summary>The NB, SB and ovn-northd every chassis follows: write logical switches and ACLs here.</summary>
    public OvnSandbox Central { get; }

    /// <summary>The interconnect: an ovs-vswitchd with no ovn-controller whose bridge <c>n1</c> joins every chassis' <c>br-phys</c>.</summary>
    public SimulatedChassis Network { get; }

    public IReadOnlyList<SimulatedChassis> Chassis { get; }

    public string Dir => _directory.Path;

    /// <summary>
    /// Every daemon the sandbox runs: the central NB, SB and northd, the interconnect's ovsdb-server and ovs-vswitchd,
    /// and each chassis' ovsdb-server, ovs-vswitchd and ovn-controller (e.g. to read their CPU time by pid).
    /// </summary>
    public IReadOnlyList<ServerProcess> Processes =>
    [
        Central.NbServer, Central.SbServer, Central.Northd, Network.OvsdbServer, Network.Vswitchd,
        .. Chassis.SelectMany(c => c.Controller is { } controller ? [c.OvsdbServer, c.Vswitchd, controller] : new[] { c.OvsdbServer, c.Vswitchd }),
    ];

    public TimeSpan StartupDuration { get; private set; }

    public SimulatedChassis this[string chassisName] =>
        _byName.TryGetValue(chassisName, out var chassis) ? chassis : throw new SandboxException($"no chassis '{chassisName}'; there are {string.Join(", ", _byName.Keys)}");

    /// <summary>
    /// Starts the central databases and northd, the interconnect and every chassis, attaches each chassis (encap,
    /// <c>br-int</c>, ovn-controller), and returns once every chassis has registered its geneve encap in the SB, has a
    /// tunnel to every other one, and has caught up with the NB (<c>ovn-nbctl --wait=hv sync</c>).
    /// </summary>
    public static async Task<OvnChassisSandbox> StartAsync(OvnChassisSandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= OvnChassisSandboxOptions.Default;
        if (options.ChassisNames.Count is 0 or > 250 || options.ChassisNames.Distinct(StringComparer.Ordinal).Count() != options.ChassisNames.Count)
        {
            throw new ArgumentException("between 1 and 250 distinct chassis names are needed", nameof(options));
        }

        var started = Stopwatch.StartNew();
        var directory = SandboxDirectory.Create("chassis");
        var central = OvnSandbox.StartAsync(cancellationToken);
        var network = SimulatedChassis.StartAsync(Interconnect, "", directory.File("net"), options.Launcher, cancellationToken);
        var hypervisors = options.ChassisNames.Select((name, i) =>
            SimulatedChassis.StartAsync(name, string.Create(CultureInfo.InvariantCulture, $"192.168.0.{i + 1}"), directory.File(name), options.Launcher, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll([central, network, .. hypervisors]).ConfigureAwait(false);
        }
        catch
        {
            // Whatever did start is stopped before the failure is reported.
            foreach (var start in hypervisors.Append(network).Where(t => t.IsCompletedSuccessfully))
            {
                await (await start.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }

            if (central.IsCompletedSuccessfully)
            {
                await (await central.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }

            directory.Dispose();
            throw;
        }

        var sandbox = new OvnChassisSandbox(directory, options, await central.ConfigureAwait(false), await network.ConfigureAwait(false),
            [.. await Task.WhenAll(hypervisors).ConfigureAwait(false)]);
        try
        {
            await sandbox.Network.RunVsctlAsync(["add-br", Interconnect], cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(sandbox.Chassis.Select(c => sandbox.AttachAsync(c, cancellationToken))).ConfigureAwait(false);
            await sandbox.WaitForTunnelsAsync(cancellationToken).ConfigureAwait(false);
            await sandbox.WaitForChassisSyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await sandbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        sandbox.StartupDuration = started.Elapsed;
        return sandbox;
    }

    /// <summary>
    /// Plugs a VIF for each logical switch port into its chassis' <c>br-int</c> and returns once every port is
    /// <c>up</c> in the NB, bound to that chassis in the SB, and every chassis has caught up with the NB. The ports must
    /// exist in the NB already (or be created before the wait times out).
    /// </summary>
    public async Task BindPortsAsync(IEnumerable<(string LogicalPort, string Chassis)> ports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var list = ports.ToList();
        foreach (var (port, chassis) in list)
        {
            lock (_gate)
            {
                if (_bindings.TryGetValue(port, out var bound) && bound.Name != chassis)
                {
                    throw new SandboxException($"'{port}' is bound to chassis {bound.Name} already");
                }

                _bindings[port] = this[chassis];
            }

            await this[chassis].AddVifAsync(port, cancellationToken).ConfigureAwait(false);
        }

        if (list.Count == 0)
        {
            return;
        }

        var wait = new List<string> { "--timeout=" + TimeoutSeconds };
        foreach (var (port, _) in list)
        {
            wait.AddRange([.. wait.Count > 1 ? ["--"] : Array.Empty<string>(), "wait-until", "Logical_Switch_Port", port, "up=true"]);
        }

        await RunCentralAsync("ovn-nbctl", Central.NbRemote, wait, cancellationToken).ConfigureAwait(false);
        var chassisNames = ParseCsv(await RunCentralAsync("ovn-sbctl", Central.SbRemote, ["--format=csv", "--no-headings", "--columns=_uuid,name", "list", "Chassis"], cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
        var bindings = ParseCsv(await RunCentralAsync("ovn-sbctl", Central.SbRemote, ["--format=csv", "--no-headings", "--columns=logical_port,chassis", "list", "Port_Binding"], cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r[0], r => chassisNames.GetValueOrDefault(r[1], r[1]), StringComparer.Ordinal);
        var wrong = list.Where(p => bindings.GetValueOrDefault(p.LogicalPort) != p.Chassis)
            .Select(p => $"{p.LogicalPort} on '{bindings.GetValueOrDefault(p.LogicalPort) ?? "(no binding)"}' instead of {p.Chassis}").ToList();
        if (wrong.Count > 0)
        {
            throw new SandboxException("ports up but bound elsewhere: " + string.Join("; ", wrong));
        }

        await WaitForChassisSyncAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chassis a logical switch port was bound to with <see cref="BindPortsAsync"/>.</summary>
    public SimulatedChassis ChassisOf(string logicalPort)
    {
        lock (_gate)
        {
            return _bindings.TryGetValue(logicalPort, out var chassis) ? chassis : throw new SandboxException($"'{logicalPort}' is not bound to any chassis");
        }
    }

    /// <summary>
    /// <c>ovn-nbctl --wait=hv sync</c>: bumps NB_Global.nb_cfg and returns once every chassis' ovn-controller has
    /// installed the OpenFlow for everything up to it (northd echoes the smallest chassis nb_cfg into hv_cfg).
    /// </summary>
    public Task WaitForChassisSyncAsync(CancellationToken cancellationToken = default) =>
        RunCentralAsync("ovn-nbctl", Central.NbRemote, ["--wait=hv", "--timeout=" + TimeoutSeconds, "sync"], cancellationToken);

    /// <summary>OpenFlow flows on <c>br-int</c> of each chassis, by chassis name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountFlowsAsync(CancellationToken cancellationToken = default)
    {
        var counts = await Task.WhenAll(Chassis.Select(c => c.CountFlowsAsync(cancellationToken: cancellationToken))).ConfigureAwait(false);
        return Chassis.Select((c, i) => (c.Name, counts[i])).ToDictionary(p => p.Name, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>Forgets every connection on every chassis (<c>dpctl/flush-conntrack</c>).</summary>
    public Task FlushConntrackAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Chassis.Select(c => c.FlushConntrackAsync(cancellationToken)));

    /// <summary>Every chassis's <see cref="SimulatedChassis.PurgeDatapathFlowsAsync"/>: after a policy change, only the new OpenFlow decides.</summary>
    public Task PurgeDatapathFlowsAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Chassis.Select(c => c.PurgeDatapathFlowsAsync(cancellationToken)));

    /// <summary>
    /// Sends each probe's packet from its source port's VIF (in order, per source) and returns, per probe, whether the
    /// packet arrived at its destination port's VIF. Waits until every packet has arrived, or until no new frame has
    /// reached any destination for <see cref="OvnChassisSandboxOptions.DeliveryQuietPeriod"/>; the missing ones were
    /// dropped. Each packet must be told apart from the others by addresses, ports and flags (vary the source port).
    /// </summary>
    public async Task<IReadOnlyList<bool>> SendAsync(IReadOnlyList<DatapathProbe> probes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var targets = probes.Select(p => (Chassis: ChassisOf(p.ToPort), Vif: ChassisOf(p.ToPort).VifOf(p.ToPort))).ToList();
        var baseline = targets.Distinct().ToDictionary(t => t, t => t.Chassis.TransmittedFrames(t.Vif).Count);
        foreach (var group in probes.GroupBy(p => p.FromPort, StringComparer.Ordinal))
        {
            var chassis = ChassisOf(group.Key);
            var vif = chassis.VifOf(group.Key);
            foreach (var chunk in group.Select(p => p.Packet).Chunk(PacketsPerReceive))
            {
                await chassis.ReceiveAsync(vif, chunk, cancellationToken).ConfigureAwait(false);
            }
        }

        var delivered = new bool[probes.Count];
        var waited = Stopwatch.StartNew();
        var lastArrival = TimeSpan.Zero;
        var arrived = -1;
        while (true)
        {
            var frames = baseline.Keys.ToDictionary(t => t, t => t.Chassis.TransmittedFrames(t.Vif).Skip(baseline[t]).ToList());
            for (var i = 0; i < probes.Count; i++)
            {
                delivered[i] = delivered[i] || frames[targets[i]].Any(f => probes[i].Packet.Matches(f));
            }

            var total = frames.Values.Sum(f => f.Count);
            if (total != arrived)
            {
                arrived = total;
                lastArrival = waited.Elapsed;
            }

            if (delivered.All(d => d) || waited.Elapsed - lastArrival >= _options.DeliveryQuietPeriod || waited.Elapsed >= _options.DeliveryTimeout)
            {
                return delivered;
            }

            await Task.Delay(25, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Log tails of every chassis' daemons and of northd, for a failure message.</summary>
    public string Diagnostics(int logLines = 20) =>
        string.Concat(Chassis.Select(c => c.Diagnostics(logLines))) + Central.Northd.Diagnostics(logLines);

    public async ValueTask DisposeAsync()
    {
        foreach (var chassis in Chassis)
        {
            await chassis.DisposeAsync().ConfigureAwait(false);
        }

        await Network.DisposeAsync().ConfigureAwait(false);
        await Central.DisposeAsync().ConfigureAwait(false);
        _directory.Dispose();
    }

    private string TimeoutSeconds => ((int)Math.Ceiling(_options.SyncTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    // ovn_attach in ovn-macros.at: br-phys on the interconnect, the encap address on it, br-int, then ovn-controller.
    private async Task AttachAsync(SimulatedChassis chassis, CancellationToken cancellationToken)
    {
        var port = chassis.Name + "_br-phys";
        await chassis.RunVsctlAsync(["add-br", "br-phys"], cancellationToken).ConfigureAwait(false);
        await Network.RunVsctlAsync(
            ["add-port", Interconnect, port, "--", "set", "Interface", port, $"options:pstream=punix:{Path.Combine(Network.Directory, port + ".sock")}"],
            cancellationToken).ConfigureAwait(false);
        await chassis.RunVsctlAsync(
            ["add-port", "br-phys", "br-phys_" + Interconnect, "--", "set", "Interface", "br-phys_" + Interconnect,
             $"options:stream=unix:{Path.Combine(Network.Directory, port + ".sock")}"],
            cancellationToken).ConfigureAwait(false);
        await chassis.Vswitchd.AppctlAsync(["netdev-dummy/ip4addr", "br-phys", chassis.EncapIp + "/24"], cancellationToken).ConfigureAwait(false);
        await chassis.Vswitchd.AppctlAsync(["ovs/route/add", chassis.EncapIp + "/24", "br-phys"], cancellationToken).ConfigureAwait(false);
        await chassis.RunVsctlAsync(
            ["--", "set", "Open_vSwitch", ".", $"external-ids:hostname={chassis.Name}", $"external-ids:system-id={chassis.Name}",
             $"external-ids:ovn-remote={Central.SbRemote}", "external-ids:ovn-encap-type=geneve", $"external-ids:ovn-encap-ip={chassis.EncapIp}",
             "--", "--may-exist", "add-br", "br-int",
             "--", "set", "Bridge", "br-int", "fail-mode=secure", "other-config:disable-in-band=true"],
            cancellationToken).ConfigureAwait(false);
        await chassis.StartControllerAsync(_options.Launcher, cancellationToken).ConfigureAwait(false);
    }

    // ovn_wait_for_encaps, a full mesh of tunnel ports, then ovn_populate_arp: static neighbours for the tunnel
    // endpoints, so that no first packet is lost to ARP on br-phys.
    private async Task WaitForTunnelsAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        foreach (var chassis in Chassis)
        {
            while (true)
            {
                var encap = await RunCentralAsync("ovn-sbctl", Central.SbRemote, ["--bare", "--columns=ip", "find", "Encap", $"chassis_name={chassis.Name}", "type=geneve"], cancellationToken).ConfigureAwait(false);
                var tunnels = (await chassis.RunVsctlAsync(["--bare", "--columns=name", "find", "Interface", "type=geneve"], cancellationToken).ConfigureAwait(false))
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                if (encap.Trim() == chassis.EncapIp && tunnels == Chassis.Count - 1)
                {
                    break;
                }

                if (waited.Elapsed > _options.SyncTimeout)
                {
                    throw new SandboxException($"chassis {chassis.Name}: encap '{encap.Trim()}' (expected {chassis.EncapIp}), {tunnels} geneve tunnel(s) of {Chassis.Count - 1} after {waited.Elapsed.TotalSeconds:0} s{chassis.Diagnostics()}");
                }

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        var macs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chassis in Chassis)
        {
            macs[chassis.Name] = (await chassis.RunVsctlAsync(["get", "Interface", "br-phys", "mac_in_use"], cancellationToken).ConfigureAwait(false)).Trim().Trim('"');
        }

        foreach (var chassis in Chassis)
        {
            foreach (var other in Chassis.Where(o => o != chassis))
            {
                await chassis.Vswitchd.AppctlAsync(["tnl/neigh/set", "br-phys", other.EncapIp, macs[other.Name]], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> RunCentralAsync(string tool, string remote, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        (await OvsdbTool.RunAsync(tool, ["--db=" + remote, .. args], _options.SyncTimeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)).Stdout;

    private static IEnumerable<string[]> ParseCsv(string csv) =>
        csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(',').Select(f => f.Trim('"')).ToArray());
}
