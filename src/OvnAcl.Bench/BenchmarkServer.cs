using OvnAcl.Sandbox;

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
/// An OVN Northbound database a benchmark starts for itself through <c>OvnAcl.Sandbox</c>: a
/// <see cref="StandaloneNb"/> or a 3-node <see cref="RaftNb"/> on 127.0.0.1 TCP ports in a temporary directory,
/// stopped by process id and deleted when disposed. The soak's faults are the sandbox's signals: SIGKILL, SIGSTOP/SIGCONT.
/// </summary>
internal sealed class BenchmarkServer : IAsyncDisposable
{
    private readonly StandaloneNb? _standalone;
    private readonly RaftNb? _raft;

    private BenchmarkServer(StandaloneNb standalone)
    {
        _standalone = standalone;
        Kind = BenchmarkServerKind.Standalone;
        Remotes = standalone.TcpRemote!;
    }

    private BenchmarkServer(RaftNb raft)
    {
        _raft = raft;
        Kind = BenchmarkServerKind.Raft;
        Remotes = raft.Remotes;
    }

    public BenchmarkServerKind Kind { get; }

    /// <summary>Every server's client remote, comma-separated.</summary>
    public string Remotes { get; }

    /// <summary>Servers started (1 standalone, 3 RAFT), in the order of <see cref="Remotes"/>.</summary>
    public int NodeCount => _raft?.Nodes.Count ?? 1;

    public static async Task<BenchmarkServer> StartAsync(BenchmarkServerKind kind, CancellationToken cancellationToken)
    {
        try
        {
            return kind switch
            {
                BenchmarkServerKind.Standalone => new BenchmarkServer(
                    await StandaloneNb.StartAsync(StandaloneNbOptions.Default with { Tcp = true }, cancellationToken).ConfigureAwait(false)),
                BenchmarkServerKind.Raft => new BenchmarkServer(
                    await RaftNb.StartAsync(RaftNbOptions.Default with { Nodes = 3, NodeReadyTimeout = TimeSpan.FromSeconds(90) }, cancellationToken).ConfigureAwait(false)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "nothing to start"),
            };
        }
        catch (SandboxException ex)
        {
            throw new BenchmarkException($"cannot start a {kind.ToString().ToLowerInvariant()} Northbound database: {ex.Message}", ex);
        }
    }

    /// <summary>The index of the server that is the RAFT leader (by <c>cluster/status</c>), or 0 for a standalone one; null when none is.</summary>
    public async Task<int?> LeaderAsync(CancellationToken cancellationToken)
    {
        if (_raft is null)
        {
            return 0;
        }

        try
        {
            return await _raft.GetLeaderIndexAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException)
        {
            // No leader yet (an election is under way), or a server that does not answer: none anyone can use.
            return null;
        }
    }

    /// <summary>Kills server <paramref name="node"/> with SIGKILL, as a crash does (its database file stays).</summary>
    public Task KillAsync(int node)
    {
        Process(node).Kill();
        return Task.CompletedTask;
    }

    /// <summary>Starts server <paramref name="node"/> again on its database file and ports, and waits until it serves the database.</summary>
    public async Task RestartAsync(int node, CancellationToken cancellationToken)
    {
        if (Process(node).IsRunning)
        {
            throw new InvalidOperationException($"server {Process(node).Name} is running");
        }

        if (_raft is not null)
        {
            await _raft.RestartNodeAsync(node, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _standalone!.Process.RestartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops server <paramref name="node"/> with SIGSTOP (<paramref name="frozen"/>) or lets it go on with SIGCONT: a hung process, sockets open.</summary>
    public void Freeze(int node, bool frozen)
    {
        if (frozen)
        {
            Process(node).Freeze();
        }
        else
        {
            Process(node).Thaw();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_raft is not null)
        {
            await _raft.DisposeAsync().ConfigureAwait(false);
        }

        if (_standalone is not null)
        {
            await _standalone.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ServerProcess Process(int node) => _raft is not null ? _raft.Nodes[node].Process : node == 0 ? _standalone!.Process
        : throw new ArgumentOutOfRangeException(nameof(node), node, "a standalone database has one server");
}
