using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>The programs measured next to OvnAcl by <see cref="SyncBenchmark"/>.</summary>
[Flags]
internal enum SyncBenchmarkPeers
{
    None = 0,

    /// <summary><c>ovsdb-client dump REMOTE DATABASE</c>, its text output drained: OVS's own C client reading every table.</summary>
    Dump = 1,

    /// <summary>ovsdbapp's IDL (python-ovs), as Neutron builds it, until the initial contents are applied.</summary>
    Ovsdbapp = 2,

    /// <summary>The monitor request's reply received and tokenized, nothing decoded: what the server and the socket cost.</summary>
    Wire = 4,

    /// <summary><c>ovsdb-client -f json dump</c>: the same as <see cref="Dump"/> without the text table layout.</summary>
    DumpJson = 8,

    Default = Dump | Ovsdbapp | Wire,
}

/// <summary>What <see cref="SyncBenchmark"/> measures, and how often.</summary>
internal sealed record SyncBenchmarkOptions
{
    public static SyncBenchmarkOptions Default { get; } = new();

    /// <summary>The remote(s) of the database, as <see cref="OvsdbClient"/> takes them.</summary>
    public string Remotes { get; init; } = "";

    public string Database { get; init; } = "OVN_Northbound";

    /// <summary>Measured rounds; every peer runs once per round, in turn, so that noise hits all of them alike.</summary>
    public int Runs { get; init; } = 5;

    /// <summary>
    /// Unmeasured rounds first, for the in-process measurements only (OvnAcl and wire): they pay the JIT once, as a
    /// long-lived process does. The cold first run is still reported. Child processes start fresh every run anyway.
    /// </summary>
    public int WarmupRuns { get; init; } = 1;

    public SyncBenchmarkPeers Peers { get; init; } = SyncBenchmarkPeers.Default;

    /// <summary>Longest a single run may take before it counts as failed.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Connection settings for OvnAcl's client and the wire measurement (TLS, logging).</summary>
    public OvsdbConnectionOptions Connection { get; init; } = OvsdbConnectionOptions.Default;

    /// <summary>The <c>ovsdb-client</c> program (OVS's), found on PATH by default.</summary>
    public string OvsdbClientProgram { get; init; } = "ovsdb-client";

    /// <summary>A Python with <c>ovsdbapp</c> and <c>ovs</c> importable: Debian's <c>python3-ovsdbapp</c> is for the system Python.</summary>
    public string PythonProgram { get; init; } = "/usr/bin/python3";

    /// <summary>Path of the ovsdbapp peer's script: by default <c>peers/ovsdbapp_sync.py</c> next to the bench assembly.</summary>
    public string OvsdbappScript { get; init; } = PeerScripts.OvsdbappSync;

    /// <summary>Where progress lines go (one per run); null for none.</summary>
    public TextWriter? Progress { get; init; }
}
