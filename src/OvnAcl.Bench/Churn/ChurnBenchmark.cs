namespace OvnAcl.Benchmarking;

/// <summary>
/// <c>ovnacl bench churn</c>: pod add/delete events through OvnAcl's engine, reconciler and client into a real
/// Northbound database, next to ovsdbapp and a raw pipelined client making the same row changes on the same database,
/// taking turns in every round (OvnAcl, raw, ovsdbapp, OvnAcl, …) so that noise hits all of them alike.
/// </summary>
internal static class ChurnBenchmark
{
    /// <summary>Sequential one-event transactions timed for <see cref="ChurnServerResult.RoundTripMs"/>.</summary>
    private const int RoundTrips = 200;

    public static async Task<ChurnReport> RunAsync(ChurnBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var progress = new ChurnProgress(options.Progress, options.ProgressBar);
        var results = new List<ChurnServerResult>();
        if (options.Start.Count == 0)
        {
            results.Add(await RunOnAsync("remote", options.Remotes, options, progress, cancellationToken).ConfigureAwait(false));
        }

        foreach (var kind in options.Start)
        {
            progress.Line($"starting a {kind.ToString().ToLowerInvariant()} Northbound database");
            await using var server = await BenchmarkServer.StartAsync(kind, cancellationToken).ConfigureAwait(false);
            results.Add(await RunOnAsync(kind == BenchmarkServerKind.Raft ? "raft-3" : "standalone", server.Remotes, options, progress, cancellationToken).ConfigureAwait(false));
        }

        return new ChurnReport(options.Pods, options.Policies, options.PeerRowSets, options.Events, options.Runs, options.PipelineDepth, results);
    }

    /// <summary>Reads a comma-separated list of <c>ovsdbapp</c>, <c>raw</c>, or <c>none</c> alone (OvnAcl is always measured).</summary>
    public static ChurnBenchmarkPeers ParsePeers(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var peers = ChurnBenchmarkPeers.None;
        foreach (var name in names)
        {
            peers |= name.ToLowerInvariant() switch
            {
                "none" when names.Length == 1 => ChurnBenchmarkPeers.None,
                "ovsdbapp" => ChurnBenchmarkPeers.Ovsdbapp,
                "raw" => ChurnBenchmarkPeers.Raw,
                _ => throw new ArgumentException($"unknown peer '{name}'; known: ovsdbapp, raw, or none alone", nameof(ChurnBenchmarkOptions.Peers)),
            };
        }

        return names.Length == 0 ? throw new ArgumentException("needs ovsdbapp, raw, both, or none", nameof(ChurnBenchmarkOptions.Peers)) : peers;
    }

    private static void Validate(ChurnBenchmarkOptions options)
    {
        if (options.Start.Count == 0 && string.IsNullOrWhiteSpace(options.Remotes))
        {
            throw new ArgumentException("no database: give the remotes of a running one, or servers to start", nameof(ChurnBenchmarkOptions.Remotes));
        }

        foreach (var (value, name) in new[]
                 {
                     (options.Events, nameof(options.Events)), (options.Runs, nameof(options.Runs)), (options.PipelineDepth, nameof(options.PipelineDepth)),
                     (options.Batches.Count == 0 ? 0 : options.Batches.Min(), nameof(options.Batches)),
                 })
        {
            if (value < 1)
            {
                throw new ArgumentException($"must be 1 or more, not {value}", name);
            }
        }

        if (options.Rates.Any(r => !(r > 0)))
        {
            throw new ArgumentException("must be more than 0 events/s", nameof(options.Rates));
        }
    }

    private static async Task<ChurnServerResult> RunOnAsync(string name, string remotes, ChurnBenchmarkOptions options, ChurnProgress progress, CancellationToken cancellationToken)
    {
        var workload = new ChurnWorkload(options.Pods, options.Policies, options.PeerRowSets);
        var notes = new List<string>();
        progress.Line($"{name}: writing {options.Pods} logical switch ports and the peers' {options.PeerRowSets} port groups and address sets");
        var rows = await ChurnNorthbound.SeedAsync(remotes, workload, options.Connection, cancellationToken).ConfigureAwait(false);

        progress.Line($"{name}: loading {options.Pods} pods and {options.Policies} policies into OvnAcl and reconciling them (not measured)");
        await using var ovnacl = await ChurnOvnAcl.StartAsync(remotes, workload, options.Connection, options.PipelineDepth, cancellationToken).ConfigureAwait(false);
        notes.Add($"OvnAcl's compile puts a pod in {ovnacl.ChangesPerEvent} rows (its policy's port group, its namespace's ingress-deny port group, "
            + "the address set of the policy it is a peer of): a pod event changes that many members, where the peers change 2");

        // The peers share one event stream on their own rows; the raw client also times one transaction's round trip.
        var leader = await ChurnRawPeer.FindLeaderAsync(remotes, options.Connection, cancellationToken).ConfigureAwait(false);
        var raw = new ChurnRawPeer(workload, rows, leader);
        long peerCursor = 0;
        var roundTrip = await raw.RoundTripAsync(peerCursor, RoundTrips, cancellationToken).ConfigureAwait(false);
        peerCursor += RoundTrips;

        ChurnOvsdbappPeer? ovsdbapp = null;
        if (options.Peers.HasFlag(ChurnBenchmarkPeers.Ovsdbapp))
        {
            ovsdbapp = new ChurnOvsdbappPeer(options, workload, remotes);
            if (await ovsdbapp.CheckAsync(cancellationToken).ConfigureAwait(false) is { } skip)
            {
                notes.Add("ovsdbapp left out: " + skip);
                ovsdbapp = null;
            }
        }

        // Unmeasured runs of the in-process clients first, so that they are measured warm, as a long-lived controller
        // runs: .NET's tiered JIT recompiles hot methods optimized only after they have run a while, and the churn's
        // own paths (pod upsert/delete, mutate planning, the watch on member updates) are first run here, not in the
        // set-up. A few thousand events were not enough: the first ~100,000 ran at a third of the warm speed.
        // The warm-up runs at least 100 events per transaction: the same code paths, without spending minutes on a
        // RAFT cluster that commits about a thousand one-event transactions a second.
        if (options.WarmupEvents > 0)
        {
            var warmupBatch = Math.Max(100, options.Batches[0]);
            progress.Line($"{name}: warming up OvnAcl and raw with {options.WarmupEvents} unmeasured events each ({warmupBatch} per transaction)");
            await ovnacl.MeasureAsync(warmupBatch, null, options.WarmupEvents, progress, options.RunTimeout, cancellationToken).ConfigureAwait(false);
            if (options.Peers.HasFlag(ChurnBenchmarkPeers.Raw))
            {
                await raw.MeasureAsync(peerCursor, options.WarmupEvents, warmupBatch, null, progress, options.RunTimeout, cancellationToken).ConfigureAwait(false);
                peerCursor += options.WarmupEvents;
            }
        }

        var samples = new List<ChurnSample>();
        IReadOnlyList<double?> rates = options.Rates.Count == 0 ? [null] : [.. options.Rates.Select(r => (double?)r)];
        foreach (var batch in options.Batches)
        {
            foreach (var rate in rates)
            {
                var runs = new Dictionary<string, List<ChurnSample>>();
                for (var round = 0; round < options.Runs; round++)
                {
                    Add(runs, await ovnacl.MeasureAsync(batch, rate, options.Events, progress, options.RunTimeout, cancellationToken).ConfigureAwait(false));
                    if (options.Peers.HasFlag(ChurnBenchmarkPeers.Raw))
                    {
                        Add(runs, await raw.MeasureAsync(peerCursor, options.Events, batch, rate, progress, options.RunTimeout, cancellationToken).ConfigureAwait(false));
                        peerCursor += options.Events;
                    }

                    if (ovsdbapp is not null)
                    {
                        Add(runs, await ovsdbapp.MeasureAsync(peerCursor, options.Events, batch, rate, progress, cancellationToken).ConfigureAwait(false));
                        peerCursor += options.Events;
                    }

                    foreach (var (_, list) in runs)
                    {
                        var s = list[^1];
                        progress.Line($"{name} run {round + 1}/{options.Runs}: {s.Peer,-8} batch {batch,5} {(rate is { } r ? $"{r,7:0}/s" : "    max")}: {s.EventsPerSecond,9:0} events/s, p99 {s.LatencyP99Ms,8:0.00} ms, {s.EventsPerTransaction,7:0.0} ev/txn");
                    }
                }

                samples.AddRange(runs.Values.Select(ChurnSample.Median));
            }
        }

        return new ChurnServerResult(name, remotes, roundTrip.Median, samples, notes) { RoundTripP99Ms = roundTrip.P99 };

        static void Add(Dictionary<string, List<ChurnSample>> runs, ChurnSample sample)
        {
            if (!runs.TryGetValue(sample.Peer, out var list))
            {
                runs[sample.Peer] = list = [];
            }

            list.Add(sample);
        }
    }
}
