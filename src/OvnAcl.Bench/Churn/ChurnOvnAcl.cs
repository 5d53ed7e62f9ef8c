using System.Diagnostics;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Benchmarking;

/// <summary>
/// OvnAcl under churn: pod events through <see cref="KubernetesEngine"/> into a <see cref="DesiredState"/>, and
/// <see cref="AclReconciler.RunAsync"/> committing them through the client, as a controller runs.
/// </summary>
/// <remarks>
/// An event's time is when it is handed to the engine (under an offered load, paced by a <see cref="PacingClock"/>,
/// so about a millisecond after it was due at most). An event is confirmed by the first committed transaction whose <see cref="ReconcileTransactionInfo.CoversDesiredVersion"/>
/// reaches the desired state's version right after the event: that transaction drained the event's changes, or a
/// later one than the one that did, and nothing older is left over.
/// </remarks>
internal sealed class ChurnOvnAcl : IAsyncDisposable
{
    private readonly ChurnWorkload _workload;
    private readonly OvsdbClient _client;
    private readonly DesiredState _desired;
    private readonly KubernetesEngine _engine;
    private readonly V1Pod[] _pods;
    private readonly int _pipelineDepth;
    private AclReconciler? _reconciler;
    private CancellationTokenSource? _stop;
    private Task _run = Task.CompletedTask;
    private int _batch;
    private long _cursor;

    private ChurnOvnAcl(ChurnWorkload workload, OvsdbClient client, DesiredState desired, KubernetesEngine engine, int pipelineDepth, int changesPerEvent)
    {
        _workload = workload;
        _client = client;
        _desired = desired;
        _engine = engine;
        _pipelineDepth = pipelineDepth;
        ChangesPerEvent = changesPerEvent;
        _pods = [.. Enumerable.Range(0, workload.Pods).Select(workload.Pod)];
    }

    /// <summary>Members of port groups and address sets one pod event adds or removes (OvnAcl's shape: see the docs).</summary>
    public int ChangesPerEvent { get; }

    public static async Task<ChurnOvnAcl> StartAsync(string remotes, ChurnWorkload workload, OvsdbConnectionOptions connection, int pipelineDepth, CancellationToken cancellationToken)
    {
        var desired = new DesiredState("ovnacl-churn");
        var engine = new KubernetesEngine(desired);
        engine.Load(workload.Input());
        desired.DrainChanges();

        var changes = workload.MembersPerEvent(engine, desired);
        desired.DrainChanges();

        var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables(), Connection = connection });
        try
        {
            await client.StartAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ChurnOvnAcl(workload, client, desired, engine, pipelineDepth, changes);
    }

    public async Task<ChurnSample> MeasureAsync(int batch, double? rate, int events, ChurnProgress progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reconciler = await ReconcilerForAsync(batch, cancellationToken).ConfigureAwait(false);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;

        var transactions = new List<(long At, long Covers, int Operations, int Bytes, int Changes, bool Committed)>();
        var covered = 0L;
        var signal = NewSignal();
        void OnTransaction(ReconcileTransactionInfo info)
        {
            var at = Stopwatch.GetTimestamp();
            var committed = info.Status == OvsdbTransactionStatus.Committed;
            lock (transactions)
            {
                transactions.Add((at, info.CoversDesiredVersion ?? 0, info.Operations, info.RequestBytes, committed ? info.Changes : 0, committed));
                if (info.CoversDesiredVersion is { } v && v > covered)
                {
                    covered = v;
                }
            }

            Volatile.Read(ref signal).TrySetResult();
        }

        // As fast as possible, the events run ahead of the commits by a bounded window: enough to fill every
        // transaction in flight, and at most one pass over the pods. A pod's events are N apart (delete in one pass,
        // re-add in the next), and event k is delivered only once event k - window is confirmed, so with a window
        // of at most N a pod's re-add never meets its delete still pending (which would cancel both).
        var window = rate is null ? Math.Min(_workload.Pods, Math.Max(64, 4 * batch * _pipelineDepth)) : int.MaxValue;
        var times = new long[events];
        var versions = new long[events];
        var label = $"ovnacl batch {batch} {(rate is { } r ? $"{r:0}/s" : "max")}";
        using var clock = rate is null ? null : new PacingClock();
        reconciler.TransactionCompleted += OnTransaction;
        try
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            for (var k = 0; k < events; k++)
            {
                if (rate is { } offered)
                {
                    var due = start + (long)(k * Stopwatch.Frequency / offered);
                    while (Stopwatch.GetTimestamp() < due)
                    {
                        await clock!.NextAsync(token).ConfigureAwait(false);
                    }
                }
                else
                {
                    var waitingSince = 0L;
                    var seen = -1L;
                    while (k >= window && versions[k - window] > Volatile.Read(ref covered))
                    {
                        token.ThrowIfCancellationRequested();
                        var wait = ResetSignal(ref signal);
                        if (versions[k - window] > Volatile.Read(ref covered))
                        {
                            await wait.Task.WaitAsync(TimeSpan.FromMilliseconds(5), token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        }

                        // A version no transaction will ever cover (its changes cancelled out while pending, which the
                        // window is there to prevent): after a second without a commit, a convergence confirms it.
                        var now = Volatile.Read(ref covered);
                        (waitingSince, seen) = now != seen ? (Stopwatch.GetTimestamp(), now) : (waitingSince, seen);
                        if (Stopwatch.GetElapsedTime(waitingSince) > TimeSpan.FromSeconds(1))
                        {
                            var reached = _desired.Version;
                            await reconciler.WaitForConvergenceAsync(token).ConfigureAwait(false);
                            lock (transactions)
                            {
                                covered = Math.Max(covered, reached);
                            }
                        }
                    }

                    token.ThrowIfCancellationRequested();
                }

                // An event's time is its delivery to the engine, as an informer's callback would deliver it.
                times[k] = Stopwatch.GetTimestamp();

                var (pod, add) = _workload.Event(_cursor++);
                if (add)
                {
                    _engine.UpsertPod(_pods[pod]);
                }
                else
                {
                    _engine.DeletePod(_workload.PodNamespace(pod), ChurnWorkload.PodName(pod));
                }

                versions[k] = _desired.Version;
                progress.Update(label, k + 1, events);
            }

            await reconciler.WaitForConvergenceAsync(token).ConfigureAwait(false);
            var converged = Stopwatch.GetTimestamp();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            progress.Clear();

            List<(long At, long Covers, int Operations, int Bytes, int Changes, bool Committed)> done;
            lock (transactions)
            {
                done = [.. transactions];
            }

            // Both lists are in time order; an event is confirmed at the first commit covering its version.
            var latencies = new double[events];
            var last = start;
            var t = 0;
            var best = 0L;
            var confirmed = 0L;
            for (var k = 0; k < events; k++)
            {
                while (best < versions[k] && t < done.Count)
                {
                    best = Math.Max(best, done[t].Covers);
                    t++;
                }

                // Nothing covered it: its changes cancelled out or were already true; the convergence confirms it.
                // An event that changed nothing (its version was already covered) is confirmed when it happens.
                var at = Math.Max(times[k], best >= versions[k] ? done[t - 1].At : converged);
                latencies[k] = Stopwatch.GetElapsedTime(times[k], at).TotalMilliseconds;
                last = Math.Max(last, at);
                confirmed++;
            }

            Array.Sort(latencies);
            var plan = await reconciler.PlanAsync(cancellationToken).ConfigureAwait(false);
            return new ChurnSample
            {
                Peer = ChurnReport.OvnAclName,
                Batch = batch,
                OfferedRate = rate,
                Events = events,
                Confirmed = confirmed,
                Seconds = Stopwatch.GetElapsedTime(start, last).TotalSeconds,
                Transactions = done.Count,
                OperationsPerEvent = (double)done.Sum(d => d.Operations) / events,
                BytesPerEvent = (double)done.Sum(d => (long)d.Bytes) / events,
                MemberChangesPerEvent = (double)done.Sum(d => (long)d.Changes) / events,
                LatencyP50Ms = ChurnSample.Percentile(latencies, 0.50),
                LatencyP99Ms = ChurnSample.Percentile(latencies, 0.99),
                LatencyMaxMs = latencies.Length == 0 ? 0 : latencies[^1],
                CpuSeconds = cpuSeconds,
                Converged = plan.IsEmpty && done.All(d => d.Committed),
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkException($"OvnAcl did not converge within {timeout.TotalSeconds:0} s (batch {batch})");
        }
        finally
        {
            reconciler.TransactionCompleted -= OnTransaction;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopReconcilerAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A reconciler whose transactions carry at most <paramref name="batch"/> events, running and converged (not measured).</summary>
    private async Task<AclReconciler> ReconcilerForAsync(int batch, CancellationToken cancellationToken)
    {
        if (_reconciler is not null && _batch == batch)
        {
            return _reconciler;
        }

        await StopReconcilerAsync().ConfigureAwait(false);
        _batch = batch;
        _reconciler = new AclReconciler(_client, _desired, AclReconcilerOptions.Default with
        {
            MaxChangesPerTransaction = batch * ChangesPerEvent,
            MaxTransactionsInFlight = _pipelineDepth,
        });
        _stop = new CancellationTokenSource();
        _run = _reconciler.RunAsync(_stop.Token);
        await _reconciler.WaitForConvergenceAsync(cancellationToken).ConfigureAwait(false);
        return _reconciler;
    }

    private async Task StopReconcilerAsync()
    {
        if (_reconciler is null)
        {
            return;
        }

        await _stop!.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _reconciler.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _reconciler = null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource ResetSignal(ref TaskCompletionSource signal)
    {
        var fresh = NewSignal();
        Volatile.Write(ref signal, fresh);
        return fresh;
    }
}
