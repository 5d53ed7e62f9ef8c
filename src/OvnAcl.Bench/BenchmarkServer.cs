using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>Which Northbound database a benchmark starts for itself.</summary>
internal enum BenchmarkServerKind
{
    /// <summary>None: the caller gives the remotes of a running one.</summary>
    None,

    /// <summary>One <c>ovsdb-server</c> on a standalone database.</summary>
    Standalone,

    /// <summary>Three <c>ovsdb-server</c>s of one RAFT cluster (<c>ovsdb-tool create-cluster</c> and <c>join-cluster</c>).</summary>
    Raft,
}

/// <summary>
/// An OVN Northbound database a benchmark starts for itself on 127.0.0.1 TCP ports, in a temporary directory, and
/// stops (by process id) and deletes when disposed. Each server logs to a file in that directory.
/// </summary>
internal sealed class BenchmarkServer : IAsyncDisposable
{
    public const string NorthboundSchema = "/usr/share/ovn/ovn-nb.ovsschema";
    private const string Database = "OVN_Northbound";

    private readonly string _directory;
    private readonly List<Process> _processes = [];
    private readonly List<Node> _nodes = [];

    private BenchmarkServer(BenchmarkServerKind kind, string directory)
    {
        Kind = kind;
        _directory = directory;
    }

    public BenchmarkServerKind Kind { get; }

    /// <summary>Every server's client remote, comma-separated.</summary>
    public string Remotes { get; private set; } = "";

    /// <summary>Servers started (1 standalone, 3 RAFT), in the order of <see cref="Remotes"/>.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>The index of the server that is the RAFT leader (by <c>cluster/status</c>), or 0 for a standalone one; null when none is.</summary>
    public async Task<int?> LeaderAsync(CancellationToken cancellationToken)
    {
        if (Kind == BenchmarkServerKind.Standalone)
        {
            return 0;
        }

        for (var i = 0; i < _nodes.Count; i++)
        {
            if (!_nodes[i].Running)
            {
                continue;
            }

            var status = new ChildProcess.TextCollector();
            try
            {
                var outcome = await ChildProcess.RunAsync("ovs-appctl", ["-t", _nodes[i].Control, "cluster/status", Database], status.Add, TimeSpan.FromSeconds(5), cancellationToken)
                    .ConfigureAwait(false);
                if (outcome.ExitCode == 0 && status.ToString().Contains("Role: leader", StringComparison.Ordinal))
                {
                    return i;
                }
            }
            catch (SyncPeerException)
            {
                // A server that does not answer (frozen, or just killed) is not the leader anyone can use.
            }
        }

        return null;
    }

    /// <summary>Kills server <paramref name="node"/> with SIGKILL, as a crash does (its database file stays).</summary>
    public async Task KillAsync(int node)
    {
        var process = _nodes[node].Process;
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts server <paramref name="node"/> again on its database file and ports, and waits until it serves the database.</summary>
    public async Task RestartAsync(int node, CancellationToken cancellationToken)
    {
        var entry = _nodes[node];
        if (entry.Running)
        {
            throw new InvalidOperationException($"server {entry.Name} is running");
        }

        Start(entry.Name, entry.Arguments, entry.Remote);
        await WaitForDatabaseAsync(entry.Remote, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops server <paramref name="node"/> with SIGSTOP (<paramref name="frozen"/>) or lets it go on with SIGCONT: a hung process, sockets open.</summary>
    public void Freeze(int node, bool frozen)
    {
        if (_nodes[node].Process is { HasExited: false } process && Kill(process.Id, frozen ? SigStop : SigCont) != 0)
        {
            throw new BenchmarkException($"cannot signal ovsdb-server {_nodes[node].Name} (pid {process.Id}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static async Task<BenchmarkServer> StartAsync(BenchmarkServerKind kind, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("ovnacl-bench-").FullName;
        var server = new BenchmarkServer(kind, directory);
        try
        {
            switch (kind)
            {
                case BenchmarkServerKind.Standalone:
                    await server.StartStandaloneAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case BenchmarkServerKind.Raft:
                    await server.StartRaftAsync(3, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, "nothing to start");
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    // A frozen server (SIGSTOP) dies of SIGKILL too; SIGCONT first only so that nothing is left stopped.
                    _ = Kill(process.Id, SigCont);
                    process.Kill();
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }

            process.Dispose();
        }

        _processes.Clear();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartStandaloneAsync(CancellationToken cancellationToken)
    {
        var db = Path.Combine(_directory, "nb.db");
        await RunToolAsync("ovsdb-tool", ["create", db, NorthboundSchema], cancellationToken).ConfigureAwait(false);
        var port = FreePort();
        Remotes = $"tcp:127.0.0.1:{port}";
        Start("nb", [db, $"--remote=ptcp:{port}:127.0.0.1"], Remotes);
        await WaitForDatabaseAsync(Remotes, cancellationToken).ConfigureAwait(false);
    }

    private async Task StartRaftAsync(int nodes, CancellationToken cancellationToken)
    {
        var clientPorts = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var raftPorts = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var dbs = Enumerable.Range(0, nodes).Select(i => Path.Combine(_directory, $"nb{i}.db")).ToArray();
        await RunToolAsync("ovsdb-tool", ["create-cluster", dbs[0], NorthboundSchema, $"tcp:127.0.0.1:{raftPorts[0]}"], cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < nodes; i++)
        {
            await RunToolAsync("ovsdb-tool", ["join-cluster", dbs[i], Database, $"tcp:127.0.0.1:{raftPorts[i]}", $"tcp:127.0.0.1:{raftPorts[0]}"], cancellationToken)
                .ConfigureAwait(false);
        }

        // The first node elects itself before the others ask to join (a join refused early is retried only later).
        var remotes = clientPorts.Select(p => $"tcp:127.0.0.1:{p}").ToArray();
        Start("nb0", [dbs[0], $"--remote=ptcp:{clientPorts[0]}:127.0.0.1"], remotes[0]);
        await WaitForDatabaseAsync(remotes[0], cancellationToken).ConfigureAwait(false);
        for (var i = 1; i < nodes; i++)
        {
            Start($"nb{i}", [dbs[i], $"--remote=ptcp:{clientPorts[i]}:127.0.0.1"], remotes[i]);
        }

        // A joining server serves the database only once it is a member.
        foreach (var remote in remotes.Skip(1))
        {
            await WaitForDatabaseAsync(remote, cancellationToken).ConfigureAwait(false);
        }

        Remotes = string.Join(',', remotes);
    }

    private void Start(string name, IReadOnlyList<string> arguments, string remote)
    {
        var node = _nodes.FindIndex(n => n.Name == name);
        if (node < 0)
        {
            _nodes.Add(new Node(name, arguments, remote, Path.Combine(_directory, name + ".ctl")));
            node = _nodes.Count - 1;
        }

        _nodes[node].Process = Start(name, arguments);
    }

    private Process Start(string name, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo("ovsdb-server") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add($"--unixctl={Path.Combine(_directory, name + ".ctl")}");
        info.ArgumentList.Add($"--log-file={Path.Combine(_directory, name + ".log")}");
        info.ArgumentList.Add("-vconsole:off");
        info.ArgumentList.Add("--no-chdir");
        try
        {
            var process = Process.Start(info) ?? throw new BenchmarkException("ovsdb-server did not start");
            process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            process.StandardError.BaseStream.CopyToAsync(Stream.Null);
            _processes.Add(process);
            return process;
        }
        catch (Win32Exception ex)
        {
            throw new BenchmarkException($"cannot start ovsdb-server: {ex.Message} (install openvswitch-common)");
        }
    }

    private async Task WaitForDatabaseAsync(string remote, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var session = await OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(remote), OvsdbConnectionOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(2) }, cancellationToken)
                    .ConfigureAwait(false);
                if ((await session.ListDatabasesAsync(cancellationToken).ConfigureAwait(false)).Contains(Database))
                {
                    await session.GetSchemaAsync(Database, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (OvsdbException)
            {
            }

            if (_nodes.Select(n => n.Process).FirstOrDefault(p => p is { HasExited: true }) is { } dead)
            {
                throw new BenchmarkException($"ovsdb-server exited with {dead.ExitCode}; see the logs in {_directory}");
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new BenchmarkException($"{remote} did not serve {Database} within 30 s; see the logs in {_directory}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task RunToolAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var outcome = await ChildProcess.RunAsync(program, arguments, _ => { }, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (outcome.ExitCode != 0)
        {
            throw new BenchmarkException($"{program} {string.Join(' ', arguments)} failed: {ChildProcess.FirstLine(outcome.StandardError)}");
        }
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    // Process.Kill sends only SIGKILL; freezing a server needs SIGSTOP and SIGCONT, which only libc's kill(2) sends.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);

    /// <summary>One server: how to start it again after a kill, and its current process.</summary>
    private sealed class Node(string name, IReadOnlyList<string> arguments, string remote, string control)
    {
        public string Name { get; } = name;

        public IReadOnlyList<string> Arguments { get; } = arguments;

        public string Remote { get; } = remote;

        public string Control { get; } = control;

        public Process? Process { get; set; }

        public bool Running => Process is { HasExited: false };
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
