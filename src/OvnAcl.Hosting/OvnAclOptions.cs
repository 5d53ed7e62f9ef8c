namespace OvnAcl.Hosting;

/// <summary>
/// What <c>AddOvnAcl</c> binds from configuration (a section, <c>OvnAcl</c> by convention): where the Northbound
/// database is, which controller owns the rows, and how the client and the reconciler behave. A mutable class, unlike
/// the library's option records, because the options pattern binds and configures instances in place; the
/// registration turns it into <see cref="Ovsdb.OvsdbClientOptions"/> and <see cref="Reconciliation.AclReconcilerOptions"/>.
/// Checked when the host starts: a bad value fails the start with a message naming its key.
/// </summary>
public sealed class OvnAclOptions
{
    /// <summary>
    /// The Northbound database's remotes, comma-separated as <c>ovn-nbctl --db</c> takes them: <c>tcp:HOST:PORT</c>,
    /// <c>ssl:HOST:PORT</c> (with <see cref="Tls"/>) or <c>unix:PATH</c>; for a RAFT cluster every member, and the
    /// client follows the leader. Required.
    /// </summary>
    public string? Northbound { get; set; }

    /// <summary>The <c>external_ids:owner-controller</c> of the rows this instance writes; rows of other owners are left alone.</summary>
    public string ControllerName { get; set; } = "ovnacl";

    /// <summary>Certificates for <c>ssl:</c> remotes (OVS PKI PEM files); required when <see cref="Northbound"/> names one.</summary>
    public OvnAclTlsOptions? Tls { get; set; }

    /// <summary>
    /// An OVSDB lock for active/standby instances (as ovn-northd's): only the instance holding it writes, the others
    /// keep their replica and wait. Null (the default): no lock, this instance always writes.
    /// </summary>
    public string? LockName { get; set; }

    /// <summary>For a clustered database, only use the leader (the default).</summary>
    public bool LeaderOnly { get; set; } = true;

    /// <summary>Time allowed to open a connection and finish its TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time after which the server is probed, and the time it has to answer; zero disables.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay before reconnecting after every remote failed, doubled up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two reconnection rounds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>At most this many changes go in one transaction (<see cref="Reconciliation.AclReconcilerOptions.MaxChangesPerTransaction"/>).</summary>
    public int MaxChangesPerTransaction { get; set; } = 2000;

    /// <summary>
    /// Transactions kept in flight at once (<see cref="Reconciliation.AclReconcilerOptions.MaxTransactionsInFlight"/>);
    /// changes made meanwhile are coalesced into the next transaction. The library's default (16): under light load
    /// only one is in flight anyway.
    /// </summary>
    public int MaxTransactionsInFlight { get; set; } = Reconciliation.AclReconcilerOptions.Default.MaxTransactionsInFlight;

    /// <summary>Delay before retrying a refused transaction, doubled per failure up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between retries of refused transactions.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a status or health check waits for the reconciler to settle before it reports "not converged".</summary>
    public TimeSpan ConvergenceProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>TLS material for <c>ssl:</c> remotes, as <c>ovs-pki</c> issues it (<see cref="Ovsdb.OvsdbTlsOptions"/>).</summary>
public sealed class OvnAclTlsOptions
{
    /// <summary>PEM file with the client's private key (<c>--private-key</c> in OVS tools).</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>PEM file with the client's certificate (<c>--certificate</c>).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM file with the CA certificate(s) that signed the server's (<c>--ca-cert</c>).</summary>
    public string? CaCertificateFile { get; set; }
}
