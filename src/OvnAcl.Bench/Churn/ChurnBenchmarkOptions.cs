using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>The clients measured next to OvnAcl by <see cref="ChurnBenchmark"/>.</summary>
[Flags]
internal enum ChurnBenchmarkPeers
{
    None = 0,

    /// <summary>ovsdbapp's OVN Northbound API (Neutron's library), one transaction at a time, B events each.</summary>
    Ovsdbapp = 1,

    /// <summary>Pre-encoded transactions on a raw socket, all in flight: what the server allows, the limit.</summary>
    Raw = 2,

    Default = Ovsdbapp | Raw,
}

/// <summary>What <see cref="ChurnBenchmark"/> measures.</summary>
internal sealed record ChurnBenchmarkOptions
{
    public static ChurnBenchmarkOptions Default { get; } = new();

    /// <summary>The remote(s) of an empty Northbound database; empty when <see cref="Start"/> names servers to start.</summary>
    public string Remotes { get; init; } = "";

    /// <summary>Databases to start and measure, one after the other (each gets its own synthetic cluster).</summary>
    public IReadOnlyList<BenchmarkServerKind> Start { get; init; } = [];

    public int Pods { get; init; } = 2_000;

    /// <summary>Policies, each in a namespace of its own; also the number of OvnAcl's address sets.</summary>
    public int Policies { get; init; } = 10;

    /// <summary>Port groups and address sets of the peers' rows (the table: 10 and 10).</summary>
    public int PeerRowSets { get; init; } = 10;

    /// <summary>Pod events per measured run.</summary>
    public int Events { get; init; } = 20_000;

    /// <summary>Unmeasured events OvnAcl and the raw client each run as fast as possible before anything is measured (JIT warm-up).</summary>
    public int WarmupEvents { get; init; } = 100_000;

    /// <summary>Offered loads (events/s) to measure at, open loop; empty for as fast as possible.</summary>
    public IReadOnlyList<double> Rates { get; init; } = [];

    /// <summary>
    /// Events per transaction: the peers' batch, and for OvnAcl the most a transaction may carry
    /// (<see cref="Reconciliation.AclReconcilerOptions.MaxChangesPerTransaction"/> = batch × changes per event).
    /// </summary>
    public IReadOnlyList<int> Batches { get; init; } = [100];

    public ChurnBenchmarkPeers Peers { get; init; } = ChurnBenchmarkPeers.Default;

    /// <summary>Measured runs of every combination; peers take turns in every round and the median is reported.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Transactions OvnAcl's reconciler keeps in flight (<see cref="Reconciliation.AclReconcilerOptions.MaxTransactionsInFlight"/>).</summary>
    public int PipelineDepth { get; init; } = Reconciliation.AclReconcilerOptions.Default.MaxTransactionsInFlight;

    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public OvsdbConnectionOptions Connection { get; init; } = OvsdbConnectionOptions.Default;

    /// <summary>A Python with <c>ovsdbapp</c> importable: Debian's <c>python3-ovsdbapp</c> is for the system Python.</summary>
    public string PythonProgram { get; init; } = "/usr/bin/python3";

    /// <summary>Path of the ovsdbapp peer's script: by default <c>peers/ovsdbapp_churn.py</c> next to the bench assembly.</summary>
    public string OvsdbappScript { get; init; } = PeerScripts.OvsdbappChurn;

    /// <summary>When set, <see cref="ChurnSoak"/> runs instead: one offered load for minutes, with faults on a schedule.</summary>
    public ChurnSoakOptions? Soak { get; init; }

    /// <summary>Where progress lines go; null for none.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>Draw a progress bar (carriage returns) on <see cref="Progress"/>: for a terminal.</summary>
    public bool ProgressBar { get; init; }
}
