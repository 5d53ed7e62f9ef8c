namespace OvnAcl.Sandbox;

/// <summary>How to launch one OVS/OVN daemon (ovsdb-server, ovn-northd) in the foreground under test control.</summary>
public sealed record ServerProcessOptions
{
    /// <summary>Set to a vlog level (<c>dbg</c>, <c>info</c>…) to change every daemon's log-file level for a run.</summary>
    public const string LogLevelEnvironmentVariable = "OVNACL_OVS_LOG_LEVEL";

    /// <summary>Short name used for the log and control socket file names and in messages, e.g. <c>nb</c>, <c>node1</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Program name (looked up on PATH and in /usr/sbin) or absolute path.</summary>
    public required string Executable { get; init; }

    /// <summary>
    /// The daemon's own arguments. <c>--log-file</c>, <c>-v</c> levels and <c>--unixctl</c> are added; never pass
    /// <c>--detach</c>: the host process must stay the parent so it can signal and reap the process.
    /// </summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>
    /// A command the daemon is run through, e.g. <see cref="NetworkNamespace.Exec"/> (<c>ip netns exec NAME</c>). It must
    /// exec the daemon, not fork it, so that the pid the host process holds stays the daemon's. Empty: run it directly.
    /// </summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];

    /// <summary>The directory the daemon runs in and writes its log, control socket and run files to.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Each becomes a <c>-v</c> option. The default keeps socket_util's INFO lines, which port discovery reads;
    /// <see cref="LogLevelEnvironmentVariable"/> overrides the file level.
    /// </summary>
    public IReadOnlyList<string> LogLevels { get; init; } = DefaultLogLevels();

    /// <summary>
    /// Whether the daemon takes <c>--unixctl</c>. ovn-controller (23.03) does not: it creates <c>RUNDIR/PROGRAM.PID.ctl</c>,
    /// so set this to false and <see cref="Name"/> to the program's name.
    /// </summary>
    public bool HasUnixctlOption { get; init; } = true;

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long <see cref="ServerProcess.StopAsync"/> waits after SIGTERM before it sends SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Probes whether the daemon serves yet: returns null when ready, otherwise what it saw (kept for the error
    /// message). Without a probe, the daemon counts as ready once its control socket answers <c>version</c>.
    /// </summary>
    public Func<ServerProcess, CancellationToken, Task<string?>>? ReadinessProbe { get; init; }

    private static string[] DefaultLogLevels()
    {
        var level = Environment.GetEnvironmentVariable(LogLevelEnvironmentVariable);
        return ["console:off", $"file:{(string.IsNullOrWhiteSpace(level) ? "info" : level)}"];
    }
}
