using System.Diagnostics;
using System.Text;

namespace OvnAcl.Sandbox;

/// <summary>
/// A RAFT cluster of the OVN Northbound database on loopback: node 0 made by <c>ovsdb-tool create-cluster</c>,
/// the others by <c>join-cluster</c>, each ovsdb-server with a unix and a TCP client remote and its own control
/// socket. Methods kill, restart, partition (<see cref="RaftNbOptions.NamespacedNode"/>) and move the leader;
/// <see cref="EnsureHealthyAsync"/> undoes all of that.
/// </summary>
public sealed class RaftNb : IAsyncDisposable
{
    public const string DatabaseName = OvnSchemas.NorthboundDatabase;

    private readonly SandboxDirectory _directory;
    private readonly RaftNbOptions _options;
    private readonly RaftNode[] _nodes;
    private readonly NetworkNamespace? _network;

    private RaftNb(SandboxDirectory directory, RaftNbOptions options, RaftNode[] nodes, NetworkNamespace? network)
    {
        _directory = directory;
        _options = options;
        _nodes = nodes;
        _network = network;
    }

    public string Dir => _directory.Path;

    public IReadOnlyList<RaftNode> Nodes => _nodes;

    /// <summary>All client remotes, comma-separated as OVN tools and the OVSDB client accept: <c>tcp:127.0.0.1:P1,tcp:…</c>.</summary>
    public string Remotes => string.Join(',', _nodes.Select(n => n.TcpRemote));

    /// <summary>All unix remotes, comma-separated.</summary>
    public string UnixRemotes => string.Join(',', _nodes.Select(n => n.UnixRemote));

    /// <summary>How long the last <see cref="StartAsync"/> took until every member agreed on a leader.</summary>
    public TimeSpan StartupDuration { get; private set; }

    public static async Task<RaftNb> StartAsync(RaftNbOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RaftNbOptions.Default;
        if (options.Nodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "a cluster needs at least one node");
        }

        if (options.NamespacedNode is { } namespaced && (namespaced < 0 || namespaced >= options.Nodes))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"no node {namespaced} to put in a namespace");
        }

        var started = Stopwatch.StartNew();
        var network = options.NamespacedNode is null ? null : await NetworkNamespace.CreateAsync(cancellationToken).ConfigureAwait(false);
        var directory = SandboxDirectory.Create("raft");
        var ports = FreePorts.Take(options.Nodes);
        var nodes = Enumerable.Range(0, options.Nodes).Select(i => network is null ? new RaftNode(i, directory.Path, ports[i])
            : i == options.NamespacedNode ? new RaftNode(i, directory.Path, ports[i], network.NamespaceAddress, network)
            : new RaftNode(i, directory.Path, ports[i], network.HostAddress)).ToArray();
        var cluster = new RaftNb(directory, options, nodes, network);
        try
        {
            await OvsdbTool.RunAsync("ovsdb-tool", ["create-cluster", nodes[0].DbPath, OvnSchemas.Northbound, nodes[0].RaftAddress],
                cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var node in nodes.Skip(1))
            {
                await JoinAsync(node, nodes[0], cancellationToken).ConfigureAwait(false);
            }

            // A lone server elects itself at once, but a join request that reaches it before then is refused and
            // retried only after a second or so; so the first node leads before the others start.
            await cluster.StartNodeAsync(nodes[0], cancellationToken).ConfigureAwait(false);
            await cluster.WaitForLeaderAsync(options.ClusterTimeout, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(nodes.Skip(1).Select(n => cluster.StartNodeAsync(n, cancellationToken))).ConfigureAwait(false);
            await cluster.WaitForLeaderAsync(options.ClusterTimeout, cancellationToken).ConfigureAwait(false);
            if (options.ElectionTimerMs is { } electionTimer)
            {
                await cluster.ChangeElectionTimerAsync(electionTimer, cancellationToken).ConfigureAwait(false);
            }

            cluster.StartupDuration = started.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The index of the node that leads now; throws with every node's status when none does.</summary>
    public async Task<int> GetLeaderIndexAsync(CancellationToken cancellationToken = default)
    {
        var statuses = await GetStatusesAsync(cancellationToken).ConfigureAwait(false);
        var leader = statuses.Where(s => s.Status?.IsLeader == true).OrderByDescending(s => s.Status!.Term).FirstOrDefault();
        return leader.Status is not null ? leader.Node.Index : throw new SandboxException("no node is the leader:" + Describe(statuses));
    }

    /// <summary>
    /// Waits until some running node leads and every other running node is a member that knows it as leader;
    /// returns the leader's index.
    /// </summary>
    public async Task<int> WaitForLeaderAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? _options.ClusterTimeout;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await GetStatusesAsync(cancellationToken).ConfigureAwait(false);
            var running = statuses.Where(s => s.Node.IsRunning && !s.Node.HasLeft).ToList();
            var leader = running.Where(s => s.Status?.IsLeader == true).OrderByDescending(s => s.Status!.Term).FirstOrDefault();
            if (leader.Status is { } leaderStatus &&
                running.All(s => s.Status is { IsMember: true } status && status.LeaderId == leaderStatus.ServerId))
            {
                return leader.Node.Index;
            }

            if (waited.Elapsed > limit)
            {
                throw new SandboxException(
                    $"the cluster did not agree on a leader within {limit.TotalSeconds:0.#} s:" + Describe(statuses) +
                    string.Concat(running.Select(s => s.Node.Process.Diagnostics(15))));
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILLs the leader (a crash, no leadership transfer) and returns its index. Does not wait for a new one.</summary>
    public async Task<int> KillLeaderAsync(CancellationToken cancellationToken = default)
    {
        var leader = await GetLeaderIndexAsync(cancellationToken).ConfigureAwait(false);
        _nodes[leader].Process.Kill();
        return leader;
    }

    /// <summary>Stops node <paramref name="index"/> if it runs, starts it on the same db file and ports, and waits until it follows the leader.</summary>
    public async Task RestartNodeAsync(int index, CancellationToken cancellationToken = default)
    {
        await _nodes[index].Process.RestartAsync(cancellationToken).ConfigureAwait(false);
        await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the leader hand leadership to another member (<c>cluster/failure-test transfer-leadership</c>, the
    /// orderly path a leader takes before it snapshots) and returns the new leader's index.
    /// </summary>
    public async Task<int> TransferLeadershipAsync(CancellationToken cancellationToken = default)
    {
        var old = await GetLeaderIndexAsync(cancellationToken).ConfigureAwait(false);
        await FailureTestAsync(old, "transfer-leadership", cancellationToken).ConfigureAwait(false);
        var waited = Stopwatch.StartNew();
        int leader;
        while ((leader = await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) == old)
        {
            if (waited.Elapsed > _options.ClusterTimeout)
            {
                throw new SandboxException($"{_nodes[old].Name} still leads {_options.ClusterTimeout.TotalSeconds:0.#} s after transfer-leadership.");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        await FailureTestAsync(old, "clear", cancellationToken).ConfigureAwait(false);
        return leader;
    }

    /// <summary>
    /// <c>cluster/leave</c> on node <paramref name="index"/> (a leader first hands over leadership). The server
    /// drops the database once out; it is then stopped. <see cref="EnsureHealthyAsync"/> joins a fresh copy back.
    /// </summary>
    public async Task LeaveAsync(int index, CancellationToken cancellationToken = default)
    {
        var node = _nodes[index];
        await node.Process.AppctlAsync(["cluster/leave", DatabaseName], cancellationToken).ConfigureAwait(false);
        var waited = Stopwatch.StartNew();
        while ((await OvsdbTool.TryRunAsync("ovsdb-client", ["list-dbs", node.UnixRemote], cancellationToken: cancellationToken).ConfigureAwait(false))
               .Stdout.Contains(DatabaseName, StringComparison.Ordinal))
        {
            if (waited.Elapsed > _options.ClusterTimeout)
            {
                throw new SandboxException($"{node.Name} did not leave the cluster within {_options.ClusterTimeout.TotalSeconds:0.#} s.{node.Process.Diagnostics()}");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        node.HasLeft = true;
        await node.Process.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>ovs-appctl cluster/failure-test SCENARIO</c> on one node, e.g. <c>crash-after-sending-append-request</c>, <c>clear</c>.</summary>
    public Task<ToolResult> FailureTestAsync(int index, string scenario, CancellationToken cancellationToken = default) =>
        _nodes[index].Process.AppctlAsync(["cluster/failure-test", scenario], cancellationToken);

    /// <summary>
    /// Sets the election timer through the leader and waits until every running member applies it. OVS lets it
    /// at most double per step, so larger raises are done in steps.
    /// </summary>
    public async Task ChangeElectionTimerAsync(int milliseconds, CancellationToken cancellationToken = default)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await GetStatusesAsync(cancellationToken).ConfigureAwait(false);
            // Followers apply a change only when they learn it committed; until then they still wait the old time.
            if (statuses.All(s => s.Status is null || s.Status.ElectionTimerMs == milliseconds))
            {
                return;
            }

            if (waited.Elapsed > _options.ClusterTimeout)
            {
                throw new SandboxException($"the election timer did not reach {milliseconds} ms on every member:" + Describe(statuses));
            }

            var leader = _nodes[await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false)];
            var current = (await leader.GetStatusAsync(cancellationToken).ConfigureAwait(false)).ElectionTimerMs;
            if (current != milliseconds)
            {
                var step = current is { } c && milliseconds > c * 2 ? c * 2 : milliseconds;
                // Refused ("change pending") while the previous step commits; the next round retries.
                _ = await leader.Process.TryAppctlAsync(["cluster/change-election-timer", DatabaseName, step.ToString(provider: null)], cancellationToken)
                    .ConfigureAwait(false);
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Cuts node <paramref name="index"/> (the <see cref="RaftNbOptions.NamespacedNode"/>) off from every other node and
    /// from every client: packets over its veth are dropped both ways, so connections hang rather than close, and the
    /// server keeps running (its election timer fires, it stands for election and fails). With
    /// <paramref name="clientsStillReachIt"/>, only its peers are cut off: clients still reach its client port and see
    /// what it says of itself (<c>_Server</c>: not connected, not leader).
    /// </summary>
    public Task PartitionAsync(int index, bool clientsStillReachIt = false, CancellationToken cancellationToken = default)
    {
        var node = NamespacedNode(index);
        var clientPort = int.Parse(node.TcpRemote[(node.TcpRemote.LastIndexOf(':') + 1)..], provider: null);
        return node.Network!.PartitionAsync(clientsStillReachIt ? clientPort : null, cancellationToken);
    }

    /// <summary>Undoes <see cref="PartitionAsync"/>; does not wait for the node to catch up (<see cref="WaitForLeaderAsync"/> does).</summary>
    public Task HealAsync(int index, CancellationToken cancellationToken = default) =>
        NamespacedNode(index).Network!.HealAsync(cancellationToken);

    /// <summary>
    /// Moves leadership to node <paramref name="index"/>. <c>transfer-leadership</c> hands it to the first up-to-date
    /// follower in the leader's own order, which between two nodes can ping-pong for ever; so the other followers are
    /// frozen (SIGSTOP) and two commits put them behind, leaving <paramref name="index"/> the only candidate.
    /// </summary>
    public async Task MakeLeaderAsync(int index, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var leader = await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (leader == index)
            {
                return;
            }

            var others = _nodes.Where(n => n.Index != leader && n.Index != index && n.IsRunning).ToList();
            foreach (var node in others)
            {
                node.Process.Freeze();
            }

            try
            {
                var name = "ovnacl-nudge-" + Guid.NewGuid().ToString("N")[..8];
                var remote = _nodes[leader].UnixRemote;
                await OvsdbTool.TransactAsync(remote, $$$"""["{{{DatabaseName}}}",{"op":"insert","table":"Logical_Router","row":{"name":"{{{name}}}"}}]""",
                    cancellationToken).ConfigureAwait(false);
                await OvsdbTool.TransactAsync(remote, $$$"""["{{{DatabaseName}}}",{"op":"delete","table":"Logical_Router","where":[["name","==","{{{name}}}"]]}]""",
                    cancellationToken).ConfigureAwait(false);
                await FailureTestAsync(leader, "transfer-leadership", cancellationToken).ConfigureAwait(false);
                var waited = Stopwatch.StartNew();
                while (waited.Elapsed < TimeSpan.FromSeconds(5) &&
                       (await _nodes[index].GetStatusAsync(cancellationToken).ConfigureAwait(false)).IsLeader is false)
                {
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                foreach (var node in others)
                {
                    node.Process.Thaw();
                }

                _ = await FailureTestAsync(leader, "clear", cancellationToken).ConfigureAwait(false);
            }
        }

        if (await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false) != index)
        {
            throw new SandboxException($"{_nodes[index].Name} did not become leader after 5 leadership transfers.");
        }
    }

    /// <summary>Heals a partition, starts every node that is down, rejoins every node that left, and waits for an agreed leader.</summary>
    public async Task EnsureHealthyAsync(CancellationToken cancellationToken = default)
    {
        if (_network is { IsPartitioned: true })
        {
            await _network.HealAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var node in _nodes)
        {
            if (node.HasLeft)
            {
                node.Process.Kill();
                File.Delete(node.DbPath);
                var member = _nodes.First(n => !n.HasLeft);
                await JoinAsync(node, member, cancellationToken).ConfigureAwait(false);
                node.HasLeft = false;
            }

            if (!node.IsRunning)
            {
                await node.Process.RestartAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await WaitForLeaderAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (node.StartedProcess is { } process)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (_network is not null)
        {
            await _network.DisposeAsync().ConfigureAwait(false);
        }

        _directory.Dispose();
    }

    private static Task<ToolResult> JoinAsync(RaftNode node, RaftNode member, CancellationToken cancellationToken) =>
        OvsdbTool.RunAsync("ovsdb-tool", ["join-cluster", node.DbPath, DatabaseName, node.RaftAddress, member.RaftAddress],
            cancellationToken: cancellationToken);

    private async Task StartNodeAsync(RaftNode node, CancellationToken cancellationToken)
    {
        var serverOptions = new ServerProcessOptions
        {
            Name = node.Name,
            Executable = "ovsdb-server",
            Arguments = [node.DbPath, $"--remote=punix:{node.SocketPath}", $"--remote=ptcp:0:{node.Address}"],
            Directory = _directory.Path,
            Launcher = node.Network?.Exec ?? [],
            ReadyTimeout = _options.NodeReadyTimeout,
        };
        if (_options.LogLevels is { } levels)
        {
            serverOptions = serverOptions with { LogLevels = levels };
        }

        // Ready here means "serving its control socket": a joining node has no database to list yet.
        node.StartedProcess = await ServerProcess.StartAsync(serverOptions, cancellationToken).ConfigureAwait(false);
        var port = await OvsdbServers.WaitForListeningPortAsync(node.Process, 0, cancellationToken).ConfigureAwait(false);
        node.TcpRemote = $"tcp:{node.Address}:{port}";
        node.Process.PinArguments([node.DbPath, $"--remote=punix:{node.SocketPath}", $"--remote=ptcp:{port}:{node.Address}"]);
    }

    private RaftNode NamespacedNode(int index) =>
        _nodes[index].Network is not null ? _nodes[index]
            : throw new ArgumentException($"{_nodes[index].Name} does not run in a network namespace (RaftNbOptions.NamespacedNode)", nameof(index));

    private async Task<List<(RaftNode Node, RaftStatus? Status, string? Error)>> GetStatusesAsync(CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_nodes.Select(async node =>
        {
            if (!node.IsRunning || node.HasLeft)
            {
                return (node, (RaftStatus?)null, (string?)(node.HasLeft ? "left the cluster" : "not running"));
            }

            var result = await node.Process.TryAppctlAsync(["cluster/status", DatabaseName], cancellationToken).ConfigureAwait(false);
            return result.Succeeded ? (node, RaftStatus.Parse(result.Stdout), null) : (node, null, result.Describe());
        })).ConfigureAwait(false);
        return [.. results];
    }

    private static string Describe(IEnumerable<(RaftNode Node, RaftStatus? Status, string? Error)> statuses)
    {
        var text = new StringBuilder();
        foreach (var (node, status, error) in statuses)
        {
            text.Append('\n').Append(node.Name).Append(": ").Append(status is null
                ? error
                : $"{status.ServerId} status={status.Status} role={status.Role} term={status.Term} leader={status.LeaderId ?? "unknown"} election-timer={status.ElectionTimerMs}");
        }

        return text.ToString();
    }
}
