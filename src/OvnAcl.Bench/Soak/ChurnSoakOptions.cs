namespace OvnAcl.Benchmarking;

/// <summary>A fault <see cref="ChurnSoak"/> injects into the database it started.</summary>
internal enum SoakFault
{
    /// <summary>SIGKILL the server (standalone) or the RAFT leader, restart it on its files after <see cref="ChurnSoakOptions.Down"/>.</summary>
    Kill,

    /// <summary>SIGSTOP the server (standalone) or the RAFT leader for <see cref="ChurnSoakOptions.Frozen"/>, then SIGCONT: a hung process whose sockets stay open.</summary>
    Freeze,

    /// <summary>SIGKILL a RAFT follower and restart it after <see cref="ChurnSoakOptions.Down"/> (standalone: as <see cref="Kill"/>).</summary>
    KillFollower,
}

/// <summary>How long <see cref="ChurnSoak"/> offers events, how fast, and which faults it injects when.</summary>
internal sealed record ChurnSoakOptions
{
    public static ChurnSoakOptions Default { get; } = new();

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Offered load, events per second, open loop (events are due on a schedule whatever the database does).</summary>
    public double Rate { get; init; } = 1_000;

    /// <summary>A fault every this often, the first one this long after the start; none in the last half interval.</summary>
    public TimeSpan FaultEvery { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Faults injected in turn; empty for none. Default: kill and freeze, and on RAFT kill of a follower too.</summary>
    public IReadOnlyList<SoakFault>? Faults { get; init; }

    /// <summary>How long a killed server stays down before it is restarted.</summary>
    public TimeSpan Down { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a frozen server stays stopped (longer than the client's probe interval, so that it gives up on it).</summary>
    public TimeSpan Frozen { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Live heap (after a full collection) measured this often: the memory figure that must stay flat.</summary>
    public TimeSpan LiveHeapEvery { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the database may take to reach the desired rows once no more events are offered.</summary>
    public TimeSpan ConvergeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Parses a comma-separated list of <c>kill</c>, <c>freeze</c>, <c>kill-follower</c>, or <c>none</c> alone.</summary>
    public static IReadOnlyList<SoakFault> ParseFaults(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names is ["none"])
        {
            return [];
        }

        return names.Length == 0
            ? throw new ArgumentException("needs kill, freeze, kill-follower, or none", nameof(Faults))
            : [.. names.Select(n => n.ToLowerInvariant() switch
            {
                "kill" => SoakFault.Kill,
                "freeze" => SoakFault.Freeze,
                "kill-follower" => SoakFault.KillFollower,
                _ => throw new ArgumentException($"unknown fault '{n}'; known: kill, freeze, kill-follower, or none alone", nameof(Faults)),
            })];
    }

    /// <summary>The faults for a kind of server: <see cref="Faults"/>, or the default for that kind.</summary>
    public IReadOnlyList<SoakFault> FaultsFor(BenchmarkServerKind kind) =>
        Faults ?? (kind == BenchmarkServerKind.Raft ? [SoakFault.Kill, SoakFault.Freeze, SoakFault.KillFollower] : [SoakFault.Kill, SoakFault.Freeze]);

    public static string Name(SoakFault fault) => fault switch
    {
        SoakFault.Kill => "kill",
        SoakFault.Freeze => "freeze",
        _ => "kill-follower",
    };
}
