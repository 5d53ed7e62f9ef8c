using System.Globalization;
using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary>
/// <c>ovnacl bench sync</c>: how long OvnAcl's client takes from nothing to a synchronized replica of a whole
/// database, next to <c>ovsdb-client dump</c>, ovsdbapp and the raw wire, each run in turn in every round
/// (A, B, C, A, B, C, …) so that noise on the machine hits all of them alike.
/// </summary>
internal static class SyncBenchmark
{
    public static async Task<SyncBenchmarkReport> RunAsync(SyncBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Runs < 1)
        {
            throw new ArgumentException($"must be 1 or more, not {options.Runs}", nameof(options.Runs));
        }

        if (options.WarmupRuns < 0)
        {
            throw new ArgumentException($"must be 0 or more, not {options.WarmupRuns}", nameof(options.WarmupRuns));
        }

        var schema = await ServerProbe.GetSchemaAsync(options.Remotes, options.Database, options.Connection, cancellationToken).ConfigureAwait(false);
        var tables = schema.Tables.Keys.Order(StringComparer.Ordinal).ToList();
        var peers = new List<SyncPeer> { new OvnAclSyncPeer(options) };
        if (options.Peers.HasFlag(SyncBenchmarkPeers.Dump))
        {
            peers.Add(new DumpSyncPeer(options, json: false));
        }

        if (options.Peers.HasFlag(SyncBenchmarkPeers.DumpJson))
        {
            peers.Add(new DumpSyncPeer(options, json: true));
        }

        if (options.Peers.HasFlag(SyncBenchmarkPeers.Ovsdbapp))
        {
            peers.Add(new OvsdbappSyncPeer(options));
        }

        if (options.Peers.HasFlag(SyncBenchmarkPeers.Wire))
        {
            peers.Add(new WireSyncPeer(options, tables));
        }

        var states = new List<PeerState>();
        foreach (var peer in peers)
        {
            states.Add(new PeerState(peer, await peer.CheckAsync(cancellationToken).ConfigureAwait(false)));
        }

        for (var round = -options.WarmupRuns; round < options.Runs; round++)
        {
            foreach (var state in states)
            {
                if (state.SkipReason is not null || (round < 0 && !state.Peer.InProcess))
                {
                    continue;
                }

                SyncSample sample;
                try
                {
                    sample = await state.Peer.MeasureAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SyncPeerException or SandboxException)
                {
                    state.SkipReason = $"failed in {(round < 0 ? "warm-up" : $"run {round + 1}")}: {ex.Message}";
                    state.Samples.Clear();
                    Report(options, $"{state.Peer.Name}: {state.SkipReason}; left out from now on");
                    continue;
                }

                if (round < 0)
                {
                    state.Cold ??= sample;
                }
                else
                {
                    state.Samples.Add(sample);
                }

                Report(options, string.Create(CultureInfo.InvariantCulture,
                    $"{(round < 0 ? "warm-up" : $"run {round + 1}/{options.Runs}"),-9} {state.Peer.Name,-10} {sample.Elapsed.TotalSeconds,8:0.000} s  {sample.Rows} rows"));
            }
        }

        return new SyncBenchmarkReport(
            options.Remotes,
            options.Database,
            $"all {tables.Count} tables",
            options.Runs,
            options.WarmupRuns,
            [.. states.Select(s => new SyncPeerResult(s.Peer.Name, s.Peer.Description, [.. s.Samples], s.Cold, s.SkipReason))]);
    }

    /// <summary>
    /// Reads a list of peers: comma-separated of <c>dump</c>, <c>dump-json</c>, <c>ovsdbapp</c>, <c>wire</c>, or
    /// <c>none</c> alone (OvnAcl is always measured).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or <c>none</c> with others.</exception>
    public static SyncBenchmarkPeers ParsePeers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
        {
            throw new ArgumentException("needs a list such as dump,ovsdbapp,wire, or none", nameof(SyncBenchmarkOptions.Peers));
        }

        var peers = SyncBenchmarkPeers.None;
        foreach (var name in names)
        {
            peers |= name.ToLowerInvariant() switch
            {
                "none" when names.Length == 1 => SyncBenchmarkPeers.None,
                "none" => throw new ArgumentException("none cannot be combined with other peers", nameof(SyncBenchmarkOptions.Peers)),
                "dump" => SyncBenchmarkPeers.Dump,
                "dump-json" => SyncBenchmarkPeers.DumpJson,
                "ovsdbapp" => SyncBenchmarkPeers.Ovsdbapp,
                "wire" => SyncBenchmarkPeers.Wire,
                _ => throw new ArgumentException($"unknown peer '{name}'; known: dump, dump-json, ovsdbapp, wire, none", nameof(SyncBenchmarkOptions.Peers)),
            };
        }

        return peers;
    }

    private static void Report(SyncBenchmarkOptions options, string line) => options.Progress?.WriteLine(line);

    private sealed class PeerState(SyncPeer peer, string? skipReason)
    {
        public SyncPeer Peer { get; } = peer;
        public string? SkipReason { get; set; } = skipReason;
        public List<SyncSample> Samples { get; } = [];
        public SyncSample? Cold { get; set; }
    }
}
