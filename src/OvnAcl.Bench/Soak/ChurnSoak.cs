using System.Diagnostics;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Benchmarking;

/// <summary>
/// <c>ovnacl bench churn --soak</c>: pod events at a fixed offered load through OvnAcl's engine, reconciler and client
/// into a database it starts, for minutes, with the database killed or frozen on a schedule. It records, every 100 ms,
/// events offered and confirmed, and every second the process's memory; at the end it checks that the database holds
/// exactly the desired rows and that the rows of another owner are as they were.
/// </summary>
/// <remarks>
/// An event is confirmed as in <c>bench churn</c>: by the first committed transaction whose
/// <see cref="ReconcileTransactionInfo.CoversDesiredVersion"/> reaches the desired state's version right after it.
/// Every per-event array is allocated before the run, so that the soak's own bookkeeping does not grow the heap.
/// </remarks>
internal static class ChurnSoak
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    public static async Task<ChurnSoakReport> RunAsync(ChurnBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var soak = options.Soak ?? throw new ArgumentException("is not set", nameof(options.Soak));
        if (options.Start.Count == 0)
        {
            throw new ArgumentException("a soak starts its own database(s) to inject faults into: give servers to start, not the remotes of a running one", nameof(options.Start));
        }

        if (soak.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException("a soak needs a duration above 0", nameof(options.Soak));
        }

        if (!(soak.Rate > 0))
        {
            throw new ArgumentException($"a soak needs one offered load above 0 events/s, not {soak.Rate}", nameof(options.Rates));
        }

        if (options.Batches is not [>= 1])
        {
            throw new ArgumentException("a soak needs one batch of 1 or more events", nameof(options.Batches));
        }

        if (soak.FaultEvery <= TimeSpan.Zero)
        {
            throw new ArgumentException("the time between faults must be above 0", nameof(soak.FaultEvery));
        }

        var progress = new ChurnProgress(options.Progress, options.ProgressBar);
        var results = new List<SoakServerResult>();
        foreach (var kind in options.Start)
        {
            progress.Line($"starting a {kind.ToString().ToLowerInvariant()} Northbound database");
            await using var server = await BenchmarkServer.StartAsync(kind, cancellationToken).ConfigureAwait(false);
            results.Add(await RunOnAsync(server, options, soak, progress, cancellationToken).ConfigureAwait(false));
        }

        return new ChurnSoakReport(options.Pods, options.Policies, soak, options.Batches[0], options.PipelineDepth, results);
    }

    private static async Task<SoakServerResult> RunOnAsync(BenchmarkServer server, ChurnBenchmarkOptions options, ChurnSoakOptions soak, ChurnProgress progress, CancellationToken cancellationToken)
    {
        var name = server.Kind == BenchmarkServerKind.Raft ? "raft-3" : "standalone";
        var workload = new ChurnWorkload(options.Pods, options.Policies, options.PeerRowSets);
        progress.Line($"{name}: writing {options.Pods} logical switch ports and another owner's {options.PeerRowSets} port groups and address sets");
        await ChurnNorthbound.SeedAsync(server.Remotes, workload, options.Connection, cancellationToken).ConfigureAwait(false);
        var othersBefore = await OthersRowsAsync(server.Remotes, options.Connection, cancellationToken).ConfigureAwait(false);

        var desired = new DesiredState("ovnacl-soak");
        var engine = new KubernetesEngine(desired);
        engine.Load(workload.Input());

        // The reconciler compares everything when it starts; the load's change records would only be counted below.
        desired.DrainChanges();
        var pods = Enumerable.Range(0, workload.Pods).Select(workload.Pod).ToArray();
        await using var client = new OvsdbClient(server.Remotes, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables(), Connection = options.Connection });
        await client.StartAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);

        // Changes per event as the churn benchmark counts them, so that --batch means the same events per transaction.
        var changesPerEvent = workload.MembersPerEvent(engine, desired);
        await using var reconciler = new AclReconciler(client, desired, AclReconcilerOptions.Default with
        {
            MaxChangesPerTransaction = options.Batches[0] * changesPerEvent,
            MaxTransactionsInFlight = options.PipelineDepth,
        });
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reconciler.RunAsync(stop.Token), CancellationToken.None);
        progress.Line($"{name}: reconciling {options.Pods} pods and {options.Policies} policies (not measured)");
        await reconciler.WaitForConvergenceAsync(cancellationToken).WaitAsync(soak.ConvergeTimeout, cancellationToken).ConfigureAwait(false);

        var track = new Tracker((int)Math.Ceiling(soak.Rate * soak.Duration.TotalSeconds) + 1);
        reconciler.TransactionCompleted += track.OnTransaction;
        var statsBefore = reconciler.Stats;
        var faults = new List<SoakFaultRecord>();
        // Sized up front, as the per-event arrays are: the soak's own lists must not show as growth of the heap.
        var samples = new List<SoakSample>((int)(soak.Duration / SampleEvery) + 1000);
        var memory = new List<SoakMemorySample>((int)soak.Duration.TotalSeconds + 100);
        var start = Stopwatch.GetTimestamp();
        track.Start = start;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleAsync(track, samples, memory, soak, start, done.Token);
        var injector = InjectAsync(server, soak, start, faults, progress, name, done.Token);
        try
        {
            var cursor = 0L;
            for (var k = 0; k < track.Capacity - 1; k++)
            {
                var due = start + (long)(k * Stopwatch.Frequency / soak.Rate);
                while (Stopwatch.GetTimestamp() < due)
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }

                var (pod, add) = workload.Event(cursor++);
                var at = Stopwatch.GetTimestamp();
                if (add)
                {
                    engine.UpsertPod(pods[pod]);
                }
                else
                {
                    engine.DeletePod(workload.PodNamespace(pod), ChurnWorkload.PodName(pod));
                }

                track.Offer(k, at, desired.Version);
                if (k % 1000 == 0)
                {
                    progress.Update($"{name} soak {soak.Rate:0}/s", (long)Stopwatch.GetElapsedTime(start).TotalSeconds, (long)soak.Duration.TotalSeconds);
                }
            }

            await injector.ConfigureAwait(false);
            progress.Clear();
            progress.Line($"{name}: {track.Offered} events offered; waiting for the database to hold them all");
            var converging = Stopwatch.GetTimestamp();
            await reconciler.WaitForConvergenceAsync(cancellationToken).WaitAsync(soak.ConvergeTimeout, cancellationToken).ConfigureAwait(false);
            track.ConfirmAll(Stopwatch.GetTimestamp());
            var convergeSeconds = Stopwatch.GetElapsedTime(converging).TotalSeconds;
            await done.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // The check reads the database afresh, with a client of its own: not the replica that took part.
            var check = await CheckAsync(server.Remotes, desired, options.Connection, cancellationToken).ConfigureAwait(false);
            var othersAfter = await OthersRowsAsync(server.Remotes, options.Connection, cancellationToken).ConfigureAwait(false);
            var othersChanged = othersBefore.Values.Count(row => !othersAfter.TryGetValue(row.Uuid, out var after) || !after.ContentEquals(row))
                + othersAfter.Keys.Count(uuid => !othersBefore.ContainsKey(uuid));
            var stats = reconciler.Stats;
            return new SoakServerResult(name, server.Remotes)
            {
                Offered = track.Offered,
                Confirmed = track.Confirmed,
                ChangesPerEvent = changesPerEvent,
                Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds,
                ConvergeSeconds = convergeSeconds,
                Transactions = stats.Transactions - statsBefore.Transactions,
                Committed = stats.Committed - statsBefore.Committed,
                Failed = stats.Failed - statsBefore.Failed,
                OutcomeUnknown = stats.OutcomeUnknown - statsBefore.OutcomeUnknown,
                FullResyncs = stats.FullResyncs - statsBefore.FullResyncs,
                Missing = check.Missing,
                Extra = check.Extra,
                Differing = check.Differing,
                OthersChanged = othersChanged,
                Faults = [.. faults.Select((f, i) => f.WithRecovery(samples, soak.Rate, i + 1 < faults.Count ? faults[i + 1].AtSeconds : double.MaxValue))],
                Samples = samples,
                Memory = memory,
                Latency = track.PerSecond(soak.Duration),
            };
        }
        finally
        {
            reconciler.TransactionCompleted -= track.OnTransaction;
            await done.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await injector.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await stop.CancelAsync().ConfigureAwait(false);
            await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Every <see cref="SampleEvery"/>: offered and confirmed; every second: memory; every <see cref="ChurnSoakOptions.LiveHeapEvery"/>: the live heap.</summary>
    private static async Task SampleAsync(Tracker track, List<SoakSample> samples, List<SoakMemorySample> memory, ChurnSoakOptions soak, long start, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        var nextLive = soak.LiveHeapEvery;
        var tick = 0;
        while (true)
        {
            try
            {
                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var at = Stopwatch.GetElapsedTime(start);
            samples.Add(new SoakSample(at.TotalSeconds, track.Offered, track.Confirmed));
            if (++tick % 10 != 0)
            {
                continue;
            }

            long? live = null;
            if (at >= nextLive)
            {
                // A full, compacting collection: what is left is what the process really holds.
                live = GC.GetTotalMemory(forceFullCollection: true);
                nextLive += soak.LiveHeapEvery;
            }

            using var self = Process.GetCurrentProcess();
            memory.Add(new SoakMemorySample(at.TotalSeconds, self.WorkingSet64, GC.GetGCMemoryInfo().HeapSizeBytes, live));
        }
    }

    private static async Task InjectAsync(BenchmarkServer server, ChurnSoakOptions soak, long start, List<SoakFaultRecord> faults, ChurnProgress progress, string name, CancellationToken cancellationToken)
    {
        var kinds = soak.FaultsFor(server.Kind);
        if (kinds.Count == 0)
        {
            return;
        }

        for (var n = 1; soak.FaultEvery * n <= soak.Duration - soak.FaultEvery / 2; n++)
        {
            var wait = soak.FaultEvery * n - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            var fault = kinds[(n - 1) % kinds.Count];
            var leader = await LeaderAsync(server, cancellationToken).ConfigureAwait(false);
            var node = fault == SoakFault.KillFollower && server.NodeCount > 1 ? (leader + 1) % server.NodeCount : leader;
            var at = Stopwatch.GetElapsedTime(start).TotalSeconds;
            progress.Line($"{name} t={at:0.0}s: {ChurnSoakOptions.Name(fault)} server {node}{(server.Kind == BenchmarkServerKind.Raft ? node == leader ? " (leader)" : " (follower)" : "")}");
            if (fault == SoakFault.Freeze)
            {
                server.Freeze(node, frozen: true);
                try
                {
                    await Task.Delay(soak.Frozen, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    server.Freeze(node, frozen: false);
                }
            }
            else
            {
                await server.KillAsync(node).ConfigureAwait(false);
                await Task.Delay(soak.Down, cancellationToken).ConfigureAwait(false);
                await server.RestartAsync(node, cancellationToken).ConfigureAwait(false);
            }

            var ended = Stopwatch.GetElapsedTime(start).TotalSeconds;
            faults.Add(new SoakFaultRecord(at, ChurnSoakOptions.Name(fault), node, server.Kind == BenchmarkServerKind.Raft && node == leader, ended - at));
        }
    }

    /// <summary>The leader by <c>cluster/status</c>, asked again for up to 10 s while an election is under way.</summary>
    private static async Task<int> LeaderAsync(BenchmarkServer server, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await server.LeaderAsync(cancellationToken).ConfigureAwait(false) is { } leader)
            {
                return leader;
            }

            if (attempt == 50)
            {
                throw new BenchmarkException("no RAFT server says it is the leader (10 s)");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Difference(long Missing, long Extra, long Differing);

    private static async Task<Difference> CheckAsync(string remotes, DesiredState desired, OvsdbConnectionOptions connection, CancellationToken cancellationToken)
    {
        await using var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables(), Connection = connection });
        await client.StartAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        await using var checker = new AclReconciler(client, desired);
        var plan = await checker.PlanAsync(cancellationToken).ConfigureAwait(false);
        var missing = plan.Rows.Count(r => r.Action == ReconcileRowAction.Insert) + plan.MembersAdded + plan.AclsInserted;
        var extra = plan.Rows.Count(r => r.Action == ReconcileRowAction.Delete) + plan.MembersRemoved + plan.AclsDeleted;
        return new Difference(missing, extra, plan.AclsUpdated + plan.Rows.Count(r => r.ExternalIdsChanged));
    }

    /// <summary>The port groups and address sets OvnAcl does not own (another owner's, as ovn-kubernetes' would be).</summary>
    private static async Task<Dictionary<Guid, OvsdbRow>> OthersRowsAsync(string remotes, OvsdbConnectionOptions connection, CancellationToken cancellationToken)
    {
        await using var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("Address_Set")],
            Connection = connection,
        });
        await client.StartAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        return client.Replica.GetRows("Port_Group").Concat(client.Replica.GetRows("Address_Set"))
            .Where(row => row.GetMapValue("external_ids", DesiredState.OwnerControllerKey) is null)
            .ToDictionary(row => row.Uuid);
    }

    /// <summary>Per event: when it was offered and the desired version after it; when confirmed, its latency. Thread-safe.</summary>
    private sealed class Tracker
    {
        private readonly long[] _times;
        private readonly long[] _versions;
        private readonly float[] _latencyMs;
        private readonly Lock _lock = new();
        private long _offered;
        private long _confirmed;
        private long _covered;

        public Tracker(int capacity)
        {
            // Written through once before the run: a fresh array's pages become resident only when first written, which
            // would show as the working set growing with the soak's own bookkeeping.
            _times = new long[capacity];
            _versions = new long[capacity];
            _latencyMs = new float[capacity];
            Array.Fill(_times, -1);
            Array.Fill(_versions, -1);
            Array.Fill(_latencyMs, -1);
            Capacity = capacity;
        }

        public int Capacity { get; }

        public long Start { get; set; }

        public long Offered => Volatile.Read(ref _offered);

        public long Confirmed => Volatile.Read(ref _confirmed);

        public void Offer(int k, long at, long version)
        {
            _times[k] = at;
            _versions[k] = version;
            Volatile.Write(ref _offered, k + 1);
            if (version <= Volatile.Read(ref _covered))
            {
                // Nothing to send for it (already true): confirmed as soon as it is offered, if those before it are.
                Advance(at);
            }
        }

        public void OnTransaction(ReconcileTransactionInfo info)
        {
            var at = Stopwatch.GetTimestamp();
            if (info.Status != OvsdbTransactionStatus.Committed || info.CoversDesiredVersion is not { } covers)
            {
                return;
            }

            lock (_lock)
            {
                if (covers > _covered)
                {
                    Volatile.Write(ref _covered, covers);
                }
            }

            Advance(at);
        }

        public void ConfirmAll(long at)
        {
            lock (_lock)
            {
                Volatile.Write(ref _covered, long.MaxValue);
            }

            Advance(at);
        }

        private void Advance(long at)
        {
            lock (_lock)
            {
                var offered = Volatile.Read(ref _offered);
                var k = _confirmed;
                while (k < offered && _versions[k] <= _covered)
                {
                    _latencyMs[k] = (float)Stopwatch.GetElapsedTime(_times[k], Math.Max(at, _times[k])).TotalMilliseconds;
                    k++;
                }

                Volatile.Write(ref _confirmed, k);
            }
        }

        /// <summary>Latency percentiles of the events offered in each second.</summary>
        public List<SoakLatency> PerSecond(TimeSpan duration)
        {
            var result = new List<SoakLatency>();
            var confirmed = Confirmed;
            var k = 0L;
            for (var second = 0; second < (int)Math.Ceiling(duration.TotalSeconds); second++)
            {
                var end = Start + (second + 1) * Stopwatch.Frequency;
                var from = k;
                while (k < confirmed && _times[k] < end)
                {
                    k++;
                }

                if (k == from)
                {
                    continue;
                }

                var slice = _latencyMs.AsSpan((int)from, (int)(k - from)).ToArray();
                Array.Sort(slice);
                result.Add(new SoakLatency(second, slice.Length, slice[(int)(0.5 * (slice.Length - 1))], slice[(int)Math.Ceiling(0.99 * (slice.Length - 1))], slice[^1]));
            }

            return result;
        }
    }
}
