using System.Diagnostics;

namespace OvnAcl.Sandbox;

/// <summary>
/// OVN's control plane without a hypervisor: standalone NB and SB ovsdb-servers on unix sockets and an
/// ovn-northd translating one into the other, enough for <c>ovn-nbctl --wait=sb</c> and <c>ovn-trace</c>
/// (which simulates a packet through the SB logical flows; no ovn-controller is needed for either).
/// </summary>
public sealed class OvnSandbox : IAsyncDisposable
{
    private readonly SandboxDirectory _directory;

    private OvnSandbox(SandboxDirectory directory, ServerProcess nb, ServerProcess sb, ServerProcess northd)
    {
        _directory = directory;
        NbServer = nb;
        SbServer = sb;
        Northd = northd;
    }

    public string Dir => _directory.Path;

    /// <summary><c>unix:DIR/nb.sock</c>.</summary>
    public string NbRemote => "unix:" + _directory.File("nb.sock");

    /// <summary><c>unix:DIR/sb.sock</c>.</summary>
    public string SbRemote => "unix:" + _directory.File("sb.sock");

    public ServerProcess NbServer { get; }

    public ServerProcess SbServer { get; }

    public ServerProcess Northd { get; }

    /// <summary>ovn-northd's whole log, e.g. to look for a logical flow it could not parse.</summary>
    public string NorthdLog => Northd.ReadLog();

    public TimeSpan StartupDuration { get; private set; }

    public static async Task<OvnSandbox> StartAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var directory = SandboxDirectory.Create("ovn");
        var servers = new List<ServerProcess>();
        try
        {
            var dbs = await Task.WhenAll(
                StartDbAsync(directory, "nb", OvnSchemas.Northbound, OvnSchemas.NorthboundDatabase, cancellationToken),
                StartDbAsync(directory, "sb", OvnSchemas.Southbound, OvnSchemas.SouthboundDatabase, cancellationToken)).ConfigureAwait(false);
            servers.AddRange(dbs);
            var northd = await ServerProcess.StartAsync(
                new ServerProcessOptions
                {
                    Name = "northd",
                    Executable = "ovn-northd",
                    Arguments = [$"--ovnnb-db=unix:{directory.File("nb.sock")}", $"--ovnsb-db=unix:{directory.File("sb.sock")}"],
                    Directory = directory.Path,
                    ReadinessProbe = NorthdActiveProbeAsync,
                },
                cancellationToken).ConfigureAwait(false);
            var sandbox = new OvnSandbox(directory, dbs[0], dbs[1], northd);
            await sandbox.WaitForNorthdSyncAsync(cancellationToken).ConfigureAwait(false);
            sandbox.StartupDuration = started.Elapsed;
            return sandbox;
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary><c>ovn-nbctl --db=NB ARGS…</c>; returns stdout, throws <see cref="ToolFailedException"/> with stderr on failure.</summary>
    public async Task<string> RunNbctlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        (await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + NbRemote, .. args], cancellationToken: cancellationToken).ConfigureAwait(false)).Stdout;

    /// <summary><c>ovn-sbctl --db=SB ARGS…</c>; returns stdout.</summary>
    public async Task<string> RunSbctlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        (await OvsdbTool.RunAsync("ovn-sbctl", ["--db=" + SbRemote, .. args], cancellationToken: cancellationToken).ConfigureAwait(false)).Stdout;

    /// <summary>
    /// <c>ovn-trace --db=SB [EXTRA…] DATAPATH MICROFLOW</c>; returns stdout. Call <see cref="WaitForNorthdSyncAsync"/>
    /// after NB changes first, or the trace runs against stale logical flows.
    /// </summary>
    public async Task<string> RunTraceAsync(
        string datapath, string microflow, IReadOnlyList<string>? extraArgs = null, CancellationToken cancellationToken = default) =>
        (await OvsdbTool.RunAsync("ovn-trace", ["--db=" + SbRemote, .. extraArgs ?? [], datapath, microflow], cancellationToken: cancellationToken)
            .ConfigureAwait(false)).Stdout;

    /// <summary>
    /// Whether a new connection described by <paramref name="microflow"/> reaches <paramref name="destinationPort"/>:
    /// <c>ovn-trace --ct=new --ct=new</c> (a packet passes conntrack twice, ingress and egress; with one <c>--ct=new</c>
    /// the egress pass defaults to <c>est</c>), delivered when it prints <c>output("PORT")</c>. <c>--no-friendly-names</c>
    /// keeps UUID-like port names (Neutron's) whole; ovn-trace shortens them otherwise. <c>Trace</c> is the
    /// <c>--minimal</c> output, or the <c>--detailed</c> one when asked, for failure messages.
    /// </summary>
    public async Task<(bool Delivered, string Trace)> TraceNewConnectionAsync(
        string datapath, string microflow, string destinationPort, bool detailed = false, CancellationToken cancellationToken = default)
    {
        var trace = await RunTraceAsync(datapath, microflow, ["--no-friendly-names", "--ct=new", "--ct=new", detailed ? "--detailed" : "--minimal"], cancellationToken)
            .ConfigureAwait(false);
        return (trace.Contains($"output(\"{destinationPort}\");", StringComparison.Ordinal), trace);
    }

    /// <summary>
    /// <c>ovn-nbctl --wait=sb sync</c>: bumps NB_Global.nb_cfg and returns once northd has written everything up to
    /// it into the SB (northd echoes it to sb_cfg); hypervisors play no part.
    /// </summary>
    public Task<string> WaitForNorthdSyncAsync(CancellationToken cancellationToken = default) =>
        RunNbctlAsync(["--wait=sb", "--timeout=20", "sync"], cancellationToken);

    /// <summary>Deletes every NB row and waits until northd has emptied the SB's logical flows accordingly.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        await OvsdbServers.DeleteAllRowsAsync(NbRemote, OvnSchemas.Northbound, OvnSchemas.NorthboundDatabase, cancellationToken).ConfigureAwait(false);
        await WaitForNorthdSyncAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // northd first, so it does not log the databases vanishing under it.
        await Northd.DisposeAsync().ConfigureAwait(false);
        await NbServer.DisposeAsync().ConfigureAwait(false);
        await SbServer.DisposeAsync().ConfigureAwait(false);
        _directory.Dispose();
    }

    private static async Task<ServerProcess> StartDbAsync(
        SandboxDirectory directory, string name, string schema, string database, CancellationToken cancellationToken)
    {
        var dbPath = directory.File(name + ".db");
        var socketPath = directory.File(name + ".sock");
        await OvsdbServers.CreateDatabaseAsync(dbPath, schema, cancellationToken).ConfigureAwait(false);
        return await ServerProcess.StartAsync(
            new ServerProcessOptions
            {
                Name = name,
                Executable = "ovsdb-server",
                Arguments = [dbPath, $"--remote=punix:{socketPath}"],
                Directory = directory.Path,
                ReadinessProbe = OvsdbServers.ListDbsProbe(socketPath, database),
            },
            cancellationToken).ConfigureAwait(false);
    }

    // "Status: active" once northd holds the SB lock, i.e. it is the instance that writes logical flows.
    private static async Task<string?> NorthdActiveProbeAsync(ServerProcess northd, CancellationToken cancellationToken)
    {
        if (!File.Exists(northd.UnixctlPath))
        {
            return $"control socket {northd.UnixctlPath} does not exist yet";
        }

        var result = await northd.TryAppctlAsync(["status"], cancellationToken).ConfigureAwait(false);
        return result.Succeeded && result.Stdout.Contains("Status: active", StringComparison.Ordinal) ? null : result.Describe();
    }
}
