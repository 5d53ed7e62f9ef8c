namespace OvnAcl.Ovsdb;

/// <summary>Settings of an <see cref="OvsdbClient"/>: which database and tables, how to connect, how to retry.</summary>
public sealed record OvsdbClientOptions
{
    /// <summary>Leader only, monitoring nothing, backoff from 100 ms to 8 s, remotes shuffled; change it with <c>with</c>.</summary>
    public static OvsdbClientOptions Default { get; } = new();

    /// <summary>The database to replicate and write, e.g. <c>OVN_Northbound</c>.</summary>
    public string Database { get; init; } = "OVN_Northbound";

    /// <summary>Tables to replicate; null replicates every table and column of the database.</summary>
    public IReadOnlyList<OvsdbTableMonitor>? Tables { get; init; }

    /// <summary>Connection settings used for every remote (TLS, probes, limits, logging).</summary>
    public OvsdbConnectionOptions Connection { get; init; } = OvsdbConnectionOptions.Default;

    /// <summary>
    /// For a clustered database, only use the leader (the default, as OVS's IDL does): a follower may serve reads
    /// that lag. Servers are found through the <c>_Server</c> database.
    /// </summary>
    public bool LeaderOnly { get; init; } = true;

    /// <summary>First delay before reconnecting after every remote failed; doubled (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two reconnection rounds, however many rounds have failed.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Try the remotes in random order, so that many clients do not all start on the first one.</summary>
    public bool ShuffleRemotes { get; init; } = true;

    /// <summary>
    /// An OVSDB lock (RFC 7047 §4.1.8) the client asks for on every session, as ovn-northd does for active/standby:
    /// <see cref="OvsdbClient.HasLock"/> says whether this client holds it now, <see cref="OvsdbClient.LockChanged"/>
    /// when that changes. It is asked for again after each reconnect. Null (the default): no lock.
    /// </summary>
    public string? LockName { get; init; }

    /// <summary>The newest monitor method to try; older ones are used when the server lacks it.</summary>
    public OvsdbMonitorMethod MonitorMethod { get; init; } = OvsdbMonitorMethod.MonitorCondSince;
}
