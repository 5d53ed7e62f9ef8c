namespace OvnAcl.Sandbox;

public sealed record RaftNbOptions
{
    public static RaftNbOptions Default { get; } = new();

    public int Nodes { get; init; } = 3;

    /// <summary>
    /// When set, the leader lowers (or raises) the election timer to this many ms once the cluster is up, which
    /// speeds up re-election after a leader dies. Null keeps OVS's 1000 ms: below a few hundred ms a loaded,
    /// two-core test machine starts holding elections nobody asked for.
    /// </summary>
    public int? ElectionTimerMs { get; init; }

    /// <summary>
    /// When set, that node runs in its own <see cref="NetworkNamespace"/> and every node listens (RAFT and clients) on
    /// the veth's addresses instead of 127.0.0.1, so that <see cref="RaftNb.PartitionAsync"/> can cut it off. Needs root.
    /// </summary>
    public int? NamespacedNode { get; init; }

    /// <summary>How long to wait for a leader that every running member agrees on.</summary>
    public TimeSpan ClusterTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a node (re)started may take to serve its control socket. A node restarted after minutes of churn reads
    /// its whole RAFT log first: on a loaded two-core machine that took over 20 s in a soak.
    /// </summary>
    public TimeSpan NodeReadyTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Overrides <see cref="ServerProcessOptions.LogLevels"/>.</summary>
    public IReadOnlyList<string>? LogLevels { get; init; }
}
