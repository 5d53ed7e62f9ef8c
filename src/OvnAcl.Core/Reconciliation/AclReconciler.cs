using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OvnAcl.Collections;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// Keeps the Northbound database equal to a <see cref="DesiredState"/>: it compares the rows the state says changed
/// with the client's replica and commits the fewest operations (members and ACL references by <c>mutate</c>, changed
/// ACLs by <c>update</c> of their changed columns, whole rows only when they appear or go). Only rows whose
/// <c>external_ids:owner-controller</c> is the state's controller are ever changed or deleted; a wanted name held by
/// another owner is reported in <see cref="Conflicts"/> and left alone.
/// </summary>
/// <remarks>
/// <see cref="RunAsync"/> keeps up to <see cref="AclReconcilerOptions.MaxTransactionsInFlight"/> transactions in flight
/// (16 by default; a second leaves only once full, so under light load one is in flight): changes made meanwhile accumulate and the next transaction carries them all. After a transaction whose outcome is unknown (the connection was lost), or a reconnect, the whole
/// state is compared again with the resynchronized replica instead of sending anything again, so nothing is lost or
/// applied twice. Changes others make to owned rows are repaired.
/// </remarks>
public sealed partial class AclReconciler : IAsyncDisposable
{
    private const string PortGroupTable = "Port_Group";
    private const string AddressSetTable = "Address_Set";
    private const string AclTable = "ACL";
    private const string PortTable = "Logical_Switch_Port";

    private readonly OvsdbClient _client;
    private readonly DesiredState _state;
    private readonly AclReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly Lock _watchLock = new();
    private readonly ConcurrentDictionary<(DesiredRowKind, string), ReconcileConflict> _conflicts = new();
    private readonly Dictionary<string, HashSet<string>> _waitingPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, string> _aclOwners = [];
    private readonly List<(long Version, TaskCompletionSource Done)> _waiters = [];
    private TaskCompletionSource _wake = NewSignal();
    private int _waitingForFull;
    private OvsdbReplica? _replica;
    private int _fullResync = 1;
    private int _running;
    private long _seenVersion;
    private long _transactions, _committed, _failed, _unknown, _operations, _bytes, _changesApplied, _desiredSeen, _fullResyncs;

    /// <summary>A reconciler writing <paramref name="state"/> through <paramref name="client"/>, whose monitored tables must include <see cref="MonitoredTables"/>; nothing is sent until <see cref="RunAsync"/> or <see cref="ReconcileOnceAsync"/>.</summary>
    public AclReconciler(OvsdbClient client, DesiredState state, AclReconcilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(state);
        _client = client;
        _state = state;
        _options = options ?? AclReconcilerOptions.Default;
        if (_options.MaxChangesPerTransaction < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxChangesPerTransaction, "MaxChangesPerTransaction must be at least 1");
        }

        if (_options.MaxTransactionsInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxTransactionsInFlight, "MaxTransactionsInFlight must be at least 1");
        }

        _slots = new SemaphoreSlim(_options.MaxTransactionsInFlight, _options.MaxTransactionsInFlight);

        _logger = _options.LoggerFactory.CreateLogger<AclReconciler>();
        _state.Changed += Signal;
        _client.SessionChanged += OnSessionChanged;
        _client.ReplicaReplaced += OnReplicaReplaced;
    }

    /// <summary>The desired state this reconciler writes.</summary>
    public DesiredState State => _state;

    /// <summary>Wanted rows currently left alone, and why.</summary>
    public IReadOnlyList<ReconcileConflict> Conflicts => [.. _conflicts.Values.OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>Raised when a wanted row is found held by another owner or not writable (once per row until it changes).</summary>
    public event Action<ReconcileConflict>? ConflictDetected;

    /// <summary>Raised after each transaction sent, whatever its outcome.</summary>
    public event Action<ReconcileTransactionInfo>? TransactionCompleted;

    /// <summary>Counters since the reconciler was created: transactions by outcome, operations, bytes, changes applied and coalesced.</summary>
    public ReconcilerStats Stats => new()
    {
        Transactions = Interlocked.Read(ref _transactions),
        Committed = Interlocked.Read(ref _committed),
        Failed = Interlocked.Read(ref _failed),
        OutcomeUnknown = Interlocked.Read(ref _unknown),
        Operations = Interlocked.Read(ref _operations),
        BytesSent = Interlocked.Read(ref _bytes),
        ChangesApplied = Interlocked.Read(ref _changesApplied),
        DesiredChangesSeen = Interlocked.Read(ref _desiredSeen),
        FullResyncs = Interlocked.Read(ref _fullResyncs),
    };

    /// <summary>
    /// The tables and columns the reconciler reads, with a <c>name</c> index on each (give them to
    /// <see cref="OvsdbClientOptions.Tables"/>): Port_Group, Address_Set and ACL whole, Logical_Switch_Port's name only.
    /// Tables the caller also needs are merged in (columns and indexes united).
    /// </summary>
    public static IReadOnlyList<OvsdbTableMonitor> MonitoredTables(IEnumerable<OvsdbTableMonitor>? also = null)
    {
        var merged = new Dictionary<string, OvsdbTableMonitor>(StringComparer.Ordinal)
        {
            [PortGroupTable] = new(PortGroupTable) { Indexes = ["name"] },
            [AddressSetTable] = new(AddressSetTable) { Indexes = ["name"] },
            [AclTable] = new(AclTable),
            [PortTable] = new(PortTable) { Columns = ["name"], Indexes = ["name"] },
        };
        foreach (var table in also ?? [])
        {
            if (!merged.TryGetValue(table.Table, out var mine))
            {
                merged[table.Table] = table;
                continue;
            }

            merged[table.Table] = mine with
            {
                Columns = mine.Columns is null || table.Columns is null ? null : [.. mine.Columns.Union(table.Columns, StringComparer.Ordinal)],
                Indexes = [.. mine.Indexes.Union(table.Indexes, StringComparer.Ordinal)],
                Where = table.Where ?? mine.Where,
            };
        }

        return [.. merged.Values];
    }

    /// <summary>
    /// Reconciles until <paramref name="cancellationToken"/> fires (then returns): a full comparison first, then every
    /// change of the desired state and every drift of the database, one transaction at a time. Writes nothing until
    /// every input the state expects has been listed (<see cref="DesiredState.IsListed"/>).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("the reconciler is already running");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var token = linked.Token;
        try
        {
            Log.ReconcilerStarted(_logger, _state.ControllerName);

            // A client without the tables the reconciler reads is a configuration error: thrown, not retried.
            await AttachAsync(token).ConfigureAwait(false);

            // Never fail open at start-up: before every input has been listed the desired state lacks rows and members
            // the database rightly holds, and a comparison would delete them.
            if (!_state.IsListed)
            {
                Log.WaitingForListing(_logger, string.Join(", ", _state.UnlistedInputs));
                await _state.WaitUntilListedAsync(token).ConfigureAwait(false);
            }

            RequestFullResync();
            var failures = 0;
            while (!token.IsCancellationRequested)
            {
                // A free slot first: with MaxTransactionsInFlight 1, the previous transaction is answered.
                await _slots.WaitAsync(token).ConfigureAwait(false);
                if (_client.Options.LockName is { } lockName && !_client.HasLock)
                {
                    // Standby: another instance holds the lock and writes. Keep the replica, write nothing; once the
                    // lock is ours, compare everything (the other instance may have written anything meanwhile).
                    _slots.Release();
                    Log.Standby(_logger, lockName);
                    await WaitForLockAsync(token).ConfigureAwait(false);
                    Log.Active(_logger, lockName);
                    RequestFullResync();
                    continue;
                }

                if (Interlocked.Exchange(ref _sendFailed, 0) == 1)
                {
                    try
                    {
                        await Task.Delay(Backoff(Math.Max(1, Volatile.Read(ref _failuresInARow))), token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        // The slot is ours: keeping it would make the drain below wait for it forever.
                        _slots.Release();
                        throw;
                    }
                }

                var wake = ResetWake();
                var completions = Volatile.Read(ref _completions);
                PassOutcome outcome;
                try
                {
                    outcome = await PassAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PassFailed(_logger, ex);
                    RequestFullResync();
                    outcome = PassOutcome.Failed;
                }

                switch (outcome)
                {
                    case PassOutcome.Idle:
                        failures = 0;
                        await wake.Task.WaitAsync(token).ConfigureAwait(false);
                        break;
                    case PassOutcome.Blocked or PassOutcome.NotFull:
                        // Waiting for a transaction in flight: its answer wakes the loop, not every new change (unless
                        // one was answered since the pass began, whose signal went to the previous one). When only
                        // fullness was missing, enough new changes for a full transaction wake it too (Signal): a
                        // full transaction leaves at once, however many are in flight, up to the slots.
                        var answered = NewSignal();
                        Volatile.Write(ref _answered, answered);
                        var notFull = outcome == PassOutcome.NotFull;
                        Volatile.Write(ref _waitingForFull, notFull ? 1 : 0);
                        if (Volatile.Read(ref _completions) == completions && !(notFull && IsFullTransactionPending))
                        {
                            await answered.Task.WaitAsync(token).ConfigureAwait(false);
                        }

                        Volatile.Write(ref _waitingForFull, 0);
                        break;
                    case PassOutcome.Failed:
                        failures++;
                        await Task.Delay(Backoff(failures), token).ConfigureAwait(false);
                        break;
                    default:
                        failures = 0;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await DrainInFlightAsync().ConfigureAwait(false);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Compares the whole desired state with the database and says what would be sent; sends nothing.</summary>
    public async Task<ReconcilePlan> PlanAsync(CancellationToken cancellationToken = default)
    {
        var replica = await AttachAsync(cancellationToken).ConfigureAwait(false);
        return BuildPlan(replica, FullWork(replica), int.MaxValue, dryRun: true).ToPlan();
    }

    /// <summary>
    /// Compares the whole desired state with the database and applies the difference (in transactions of at most
    /// <see cref="AclReconcilerOptions.MaxChangesPerTransaction"/> changes), until nothing differs or the server refuses
    /// a transaction. For one-shot use (<c>ovnacl apply</c>), not while <see cref="RunAsync"/> runs.
    /// </summary>
    public async Task<ReconcileResult> ReconcileOnceAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _running) != 0)
        {
            throw new InvalidOperationException("ReconcileOnceAsync cannot run while RunAsync runs");
        }

        if (_state.UnlistedInputs is { Count: > 0 } unlisted)
        {
            throw new InvalidOperationException(
                $"the desired state is not complete ({string.Join(", ", unlisted)} not yet listed): applying it would delete rows the database rightly holds");
        }

        var stopwatch = Stopwatch.StartNew();
        var plans = new List<ReconcilePlan>();
        var transactions = 0;
        var unknown = 0;
        var unconverged = 0;
        string? error = null;
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var replica = await AttachAsync(cancellationToken).ConfigureAwait(false);
            TakeDesired(_state.Version, drain: true);
            ReconcilePlan last = ReconcilePlan.Empty;
            while (true)
            {
                var refusalsSeen = Volatile.Read(ref _refusals);
                var planned = BuildPlan(replica, FullWork(replica), _options.MaxChangesPerTransaction, dryRun: false);
                planned.RefusalsSeen = refusalsSeen;
                last = planned.ToPlan();
                if (planned.Transaction.Count == 0)
                {
                    break;
                }

                var (status, info) = await SendAsync(planned, last, requeueOnFailure: false, CoveredVersion(planned, [], _seenVersion), cancellationToken).ConfigureAwait(false);
                transactions++;
                if (status == OvsdbTransactionStatus.Committed)
                {
                    plans.Add(last);

                    // A transaction that carried everything must leave nothing to do; twice otherwise means the
                    // database does not keep what is written (a trigger, another writer): stop rather than loop.
                    unconverged = planned.Leftovers.Count == 0 ? unconverged + 1 : 0;
                    if (unconverged > 2)
                    {
                        error = "the database still differs after applying every change three times (another writer?)";
                        break;
                    }

                    continue;
                }

                if (status == OvsdbTransactionStatus.Failed)
                {
                    error = info.Error;
                    break;
                }

                if (++unknown > _options.MaxOutcomeUnknownRetries)
                {
                    error = $"the outcome of {unknown} transactions in a row is unknown (connection lost each time)";
                    break;
                }

                replica = await AttachAsync(cancellationToken).ConfigureAwait(false);
            }

            return new ReconcileResult(ReconcilePlan.Combine(plans.Count == 0 ? [last] : plans), transactions, stopwatch.Elapsed, Conflicts, error);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// Completes once every change made to the desired state before the call is committed and nothing is pending
    /// (conflicts and ports that do not exist yet apart). Needs <see cref="RunAsync"/> to be running.
    /// </summary>
    public async Task WaitForConvergenceAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((_state.Version, done));
        }

        Signal();
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the loop from starting a pass until the result is disposed, as a transaction in flight does: changes
    /// made meanwhile are carried by the next transaction together (for tests that need one transaction exactly).
    /// </summary>
    internal async Task<IDisposable> HoldAsync(CancellationToken cancellationToken = default)
    {
        // Every slot: the transactions in flight are answered first, and no pass starts until the release.
        var slots = _options.MaxTransactionsInFlight;
        var taken = 0;
        try
        {
            for (; taken < slots; taken++)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (taken > 0)
        {
            _slots.Release(taken);
            throw;
        }

        return new Release(_slots, slots);
    }

    private sealed class Release(SemaphoreSlim slots, int count) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                slots.Release(count);
            }
        }
    }

    /// <summary>Stops the reconciler: <see cref="RunAsync"/> ends, callers of <see cref="WaitForConvergenceAsync"/> are cancelled, and it stops watching the client and the desired state. The client is not disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _state.Changed -= Signal;
        _client.SessionChanged -= OnSessionChanged;
        _client.ReplicaReplaced -= OnReplicaReplaced;
        lock (_watchLock)
        {
            if (_replica is not null)
            {
                _replica.Changed -= OnReplicaChanged;
                _replica = null;
            }
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var (_, done) in _waiters)
            {
                done.TrySetCanceled();
            }

            _waiters.Clear();
        }
    }

    private enum PassOutcome
    {
        /// <summary>Nothing to send: the database equals the desired state as of the pass.</summary>
        Idle,

        /// <summary>A transaction committed, or changes remain: go on at once.</summary>
        Progress,

        /// <summary>The server refused the transaction: back off.</summary>
        Failed,

        /// <summary>Nothing to send until a transaction in flight is answered: what is pending is held by one in flight, or a full comparison waits for the replica.</summary>
        Blocked,

        /// <summary>With transactions in flight, what is pending is not a full transaction: wait for an answer, or for a full transaction's worth.</summary>
        NotFull,
    }

    /// <summary>
    /// One turn of the loop, holding a slot: take the changes (or everything after a resync), plan, start the send.
    /// The slot is given back here when nothing is sent, else when the transaction is answered.
    /// </summary>
    private async Task<PassOutcome> PassAsync(CancellationToken cancellationToken)
    {
        // With transactions in flight, a transaction that is not full waits for one of them to be answered: under
        // load transactions fill up instead of leaving with the first few changes, and when the database keeps up
        // (nothing in flight) a change still leaves at once.
        if (InFlight > 0 && Volatile.Read(ref _fullResync) == 0 && !IsFullTransactionPending)
        {
            _slots.Release();
            return PassOutcome.NotFull;
        }

        var sent = false;
        try
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _slots.Release();
            throw;
        }

        try
        {
            var replica = await AttachAsync(cancellationToken).ConfigureAwait(false);
            var refusalsSeen = Volatile.Read(ref _refusals);
            var version = _state.Version;
            IReadOnlyList<DesiredRowChange> work;
            List<DesiredRowChange> deferred = [];
            if (Volatile.Read(ref _fullResync) == 1 && InFlight > 0)
            {
                // A full comparison reads the replica as the truth: not while it lags transactions in flight.
                return PassOutcome.Blocked;
            }

            if (Interlocked.Exchange(ref _fullResync, 0) == 1)
            {
                TakeDesired(version, drain: true);
                lock (_watchLock)
                {
                    _waitingPorts.Clear();
                }

                RebuildAclOwners(replica);
                work = FullWork(replica);
                Interlocked.Increment(ref _fullResyncs);
                ReconcilerMetrics.FullResyncs.Add(1);
                Log.FullResync(_logger, work.Count, "start, reconnect or unknown outcome");
            }
            else
            {
                work = SetAsideInFlight(_state.DrainChanges(), deferred);
                TakeDesired(version, drain: false);
            }

            if (work.Count == 0)
            {
                _state.RequeueQuietly(deferred);
                if (deferred.Count > 0 || InFlight > 0)
                {
                    return PassOutcome.Blocked;
                }

                _isolating = false;
                Settle(version);
                return PassOutcome.Idle;
            }

            var planned = BuildPlan(replica, work, _options.MaxChangesPerTransaction, dryRun: false, oneRowOnly: _isolating);
            planned.RefusalsSeen = refusalsSeen;
            _state.RequeueQuietly(deferred);
            if (planned.Leftovers.Count > 0)
            {
                _state.Requeue(planned.Leftovers);
            }

            if (planned.Transaction.Count == 0)
            {
                if (planned.Leftovers.Count == 0)
                {
                    if (deferred.Count > 0 || InFlight > 0)
                    {
                        return PassOutcome.Blocked;
                    }

                    Settle(version);
                    return PassOutcome.Idle;
                }

                return PassOutcome.Progress;
            }

            // Everything drained up to `version` is in this transaction, except what is left for the next one.
            var covered = CoveredVersion(planned, deferred, version);
            HoldInFlight(planned.Included);
            sent = true;
            _ = CompleteAsync(planned, covered, cancellationToken);
            return PassOutcome.Progress;
        }
        finally
        {
            _sendGate.Release();
            if (!sent)
            {
                _slots.Release();
            }
        }
    }

    private int _failuresInARow;
    private bool _isolating;

    private async Task<(OvsdbTransactionStatus Status, ReconcileTransactionInfo Info)> SendAsync(
        PlannedTransaction planned, ReconcilePlan plan, bool requeueOnFailure, long? coversVersion, CancellationToken cancellationToken)
    {
        if (_client.Options.LockName is { } lockName)
        {
            // RFC 7047 §5.2.10: the server refuses the whole transaction unless this session holds the lock, so two
            // instances never both write, even in the moment one loses the lock and has not heard yet.
            planned.Transaction.Assert(lockName);
        }

        // Answers are reported in the order the transactions were sent (see CapByRefusals): the exchange happens
        // before the request is queued, under the send gate, so its order is the wire's.
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = Interlocked.Exchange(ref _lastReported, reported.Task);
        try
        {
            return await SendInOrderAsync(planned, plan, requeueOnFailure, coversVersion, before, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            reported.TrySetResult();
        }
    }

    private async Task<(OvsdbTransactionStatus Status, ReconcileTransactionInfo Info)> SendInOrderAsync(
        PlannedTransaction planned, ReconcilePlan plan, bool requeueOnFailure, long? coversVersion, Task before, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await _client.TransactAsync(planned.Transaction, cancellationToken).ConfigureAwait(false);
        stopwatch.Stop();

        // The transactions sent before this one are answered first (one connection, answers in order); wait until
        // they are reported too, so that a refusal among them is counted before this one claims a version. Not
        // cancellable: this answer is in hand and must still be counted and its changes requeued on a refusal; the
        // earlier ones finish as surely as this one did (each reports in a finally).
        await before.ConfigureAwait(false);
        var error = result.Status switch
        {
            OvsdbTransactionStatus.Failed => result.Error?.Message ?? "the server refused the transaction",
            OvsdbTransactionStatus.OutcomeUnknown => result.OutcomeUnknownCause?.Message ?? "connection lost",
            _ => null,
        };
        var info = new ReconcileTransactionInfo(plan, result.Status, stopwatch.Elapsed, error)
        {
            CoversDesiredVersion = result.Status == OvsdbTransactionStatus.Committed && coversVersion is { } covers
                ? CapByRefusals(covers, planned.RefusalsSeen)
                : null,
        };

        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _operations, plan.Operations);
        Interlocked.Add(ref _bytes, plan.RequestBytes);
        var statusTag = new KeyValuePair<string, object?>("status", result.Status switch
        {
            OvsdbTransactionStatus.Committed => "committed",
            OvsdbTransactionStatus.Failed => "failed",
            _ => "unknown",
        });
        ReconcilerMetrics.Transactions.Add(1, statusTag);
        ReconcilerMetrics.Operations.Add(plan.Operations);
        ReconcilerMetrics.BytesSent.Add(plan.RequestBytes);
        ReconcilerMetrics.Latency.Record(stopwatch.Elapsed.TotalMilliseconds, statusTag);

        switch (result.Status)
        {
            case OvsdbTransactionStatus.Committed:
                // ovsdb-server sends the updates of a transaction before its reply, and the client applies them on
                // its receive path first: the replica already shows this commit.
                _failuresInARow = 0;
                Interlocked.Increment(ref _committed);
                Interlocked.Add(ref _changesApplied, plan.Changes);
                ReconcilerMetrics.Changes.Add(plan.Changes);
                Log.TransactionCommitted(_logger, plan.Changes, plan.Operations, plan.RequestBytes, stopwatch.Elapsed.TotalMilliseconds);
                break;
            case OvsdbTransactionStatus.Failed when result.Error?.Error == "not owner":
                // The lock went to another instance: nothing is wrong with the rows; the standby path takes over.
                Interlocked.Increment(ref _failed);
                Log.LockLostOnWrite(_logger, _client.Options.LockName ?? "");
                RequestFullResync();
                break;
            case OvsdbTransactionStatus.Failed:
                Interlocked.Increment(ref _failed);
                _failuresInARow++;
                var delay = (long)Backoff(_failuresInARow).TotalMilliseconds;
                if (_failuresInARow >= _options.FailuresBeforeError)
                {
                    Log.TransactionKeepsFailing(_logger, _failuresInARow, error!, delay);
                }
                else
                {
                    Log.TransactionFailed(_logger, plan.Changes, error!, delay);
                }

                if (requeueOnFailure)
                {
                    RequeueAfterFailure(planned, result.Error, error!);
                }

                break;
            default:
                // Never sent again as it is: ACL inserts are not idempotent. The resynchronized replica decides.
                Interlocked.Increment(ref _unknown);
                Log.TransactionOutcomeUnknown(_logger, plan.Changes);
                RequestFullResync();
                break;
        }

        if (result.Status == OvsdbTransactionStatus.Failed)
        {
            // Counted once this transaction's changes are back (above): a pass that read the count before it may
            // have drained before they came back, so whatever it sends claims nothing from the refused version on.
            NoteRefusal(planned);
        }

        try
        {
            TransactionCompleted?.Invoke(info);
        }
        catch (Exception ex)
        {
            Log.SubscriberFailed(_logger, nameof(TransactionCompleted), ex);
        }

        return (result.Status, info);
    }

    /// <summary>
    /// Puts a refused transaction's changes back. The row whose operation the server names (or the only row of a
    /// transaction sent alone) is set aside as <see cref="ReconcileConflictKind.Refused"/>, so that one bad row does not
    /// block every other; when the server names none and refusals go on, rows are sent one per transaction until the
    /// culprit is found.
    /// </summary>
    private void RequeueAfterFailure(PlannedTransaction planned, OvsdbServerException? serverError, string error)
    {
        (DesiredRowKind Kind, string Name)? culprit = null;
        if (serverError?.OperationIndex is { } index && index < planned.OperationRows.Count)
        {
            culprit = planned.OperationRows[index];
        }
        else if (_isolating && planned.OperationRows.Distinct().Count() == 1)
        {
            culprit = planned.OperationRows[0];
        }

        if (culprit is { } row)
        {
            NoteConflict(planned, new ReconcileConflict(TableOf(row.Kind), row.Name, ReconcileConflictKind.Refused, $"the server refused it: {error}"));
            _state.Requeue(planned.Included.Where(c => c.Kind != row.Kind || c.Name != row.Name));
            return;
        }

        _state.Requeue(planned.Included);
        if (_failuresInARow >= _options.FailuresBeforeError)
        {
            _isolating = true;
        }
    }

    /// <summary>The newest desired version all of whose changes are in the database once <paramref name="planned"/> commits; null when none is.</summary>
    private static long? CoveredVersion(PlannedTransaction planned, IEnumerable<DesiredRowChange> deferred, long drainedVersion)
    {
        var covered = drainedVersion;
        foreach (var leftover in planned.Leftovers.Concat(deferred))
        {
            covered = Math.Min(covered, leftover.Since - 1);
        }

        return covered > 0 ? covered : null;
    }

    /// <summary>Every desired row and every owned row of the database, with the members of both: a level-triggered comparison.</summary>
    private List<DesiredRowChange> FullWork(OvsdbReplica replica)
    {
        var work = new List<DesiredRowChange>();
        foreach (var kind in new[] { DesiredRowKind.PortGroup, DesiredRowKind.AddressSet })
        {
            var table = TableOf(kind);
            var rows = replica.GetRows(table).Where(IsOwned).ToDictionary(r => r.GetString("name") ?? "", StringComparer.Ordinal);
            foreach (var name in _state.GetNames(kind))
            {
                var members = new HashSet<string>(_state.GetMembers(kind, name), StringComparer.Ordinal);
                if (rows.Remove(name, out var row))
                {
                    members.UnionWith(MembersOf(replica, kind, row));
                }

                work.Add(new DesiredRowChange(kind, name, true, members.Order(StringComparer.Ordinal).ToEquatableArray()));
            }

            foreach (var name in rows.Keys)
            {
                work.Add(new DesiredRowChange(kind, name, true, []));
            }
        }

        return work;
    }

    private static IEnumerable<string> MembersOf(OvsdbReplica replica, DesiredRowKind kind, OvsdbRow row)
    {
        var members = row[kind == DesiredRowKind.PortGroup ? "ports" : "addresses"];
        var names = new List<string>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            if (kind == DesiredRowKind.AddressSet)
            {
                names.Add(members.Keys[i].AsString());
            }
            else if (replica.TryGetRow(PortTable, members.Keys[i].AsUuid(), out var port) && port.GetString("name") is { } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>Accounts the desired state's changes up to <paramref name="version"/> as taken in (and drops the pending records when a full comparison covers them).</summary>
    private void TakeDesired(long version, bool drain)
    {
        if (drain)
        {
            _state.DrainChanges();
        }

        var before = Interlocked.Exchange(ref _seenVersion, version);
        if (version > before)
        {
            Interlocked.Add(ref _desiredSeen, version - before);
        }
    }

    /// <summary>The database equals the desired state as of <paramref name="version"/>: release the waiters that asked for no more.</summary>
    private void Settle(long version)
    {
        if (_state.HasPendingChanges || Volatile.Read(ref _fullResync) != 0 || InFlight > 0)
        {
            return;
        }

        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Version <= version)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private async Task<OvsdbReplica> AttachAsync(CancellationToken cancellationToken)
    {
        await _client.WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
        var replica = _client.Replica;
        lock (_watchLock)
        {
            if (ReferenceEquals(_replica, replica))
            {
                return replica;
            }

            CheckMonitored(replica);
            if (_replica is not null)
            {
                _replica.Changed -= OnReplicaChanged;
            }

            _replica = replica;
            replica.Changed += OnReplicaChanged;
        }

        RebuildAclOwners(replica);
        return replica;
    }

    private static void CheckMonitored(OvsdbReplica replica)
    {
        foreach (var (table, needsName) in new[] { (PortGroupTable, true), (AddressSetTable, true), (AclTable, false), (PortTable, true) })
        {
            if (!replica.Tables.Contains(table))
            {
                throw new InvalidOperationException($"the client does not replicate {table}; start it with Tables = AclReconciler.MonitoredTables()");
            }

            if (needsName)
            {
                try
                {
                    replica.Lookup(table, "name", "");
                }
                catch (ArgumentException)
                {
                    throw new InvalidOperationException($"the client's replica of {table} has no 'name' index; start it with Tables = AclReconciler.MonitoredTables()");
                }
            }
        }
    }

    private void NoteConflict(PlannedTransaction planned, ReconcileConflict conflict)
    {
        planned.Conflicts.Add(conflict);
        if (planned.DryRun)
        {
            return;
        }

        var kind = conflict.Table == PortGroupTable ? DesiredRowKind.PortGroup : DesiredRowKind.AddressSet;
        var key = (kind, conflict.Name);
        if (_conflicts.TryGetValue(key, out var known) && known == conflict)
        {
            return;
        }

        _conflicts[key] = conflict;
        ReconcilerMetrics.Conflicts.Add(1);
        if (conflict.Kind == ReconcileConflictKind.NotOwned)
        {
            Log.RowNotOwned(_logger, conflict.Table, conflict.Name, _state.ControllerName, conflict.Reason);
        }
        else
        {
            Log.RowUnsupported(_logger, conflict.Table, conflict.Name, conflict.Reason);
        }

        try
        {
            ConflictDetected?.Invoke(conflict);
        }
        catch (Exception ex)
        {
            Log.SubscriberFailed(_logger, nameof(ConflictDetected), ex);
        }
    }

    private void ClearConflict(DesiredRowKind kind, string name) => _conflicts.TryRemove((kind, name), out _);

    private void OnSessionChanged(OvsdbSessionEvent e)
    {
        if (e.Ready)
        {
            Log.SessionReady(_logger);
            RequestFullResync();
        }
    }

    private void OnReplicaReplaced(OvsdbReplica replica) => RequestFullResync();

    private void RequestFullResync()
    {
        Volatile.Write(ref _fullResync, 1);
        Signal();
    }

    private void Signal()
    {
        Volatile.Read(ref _wake).TrySetResult();
        if (Volatile.Read(ref _waitingForFull) == 1 && IsFullTransactionPending)
        {
            Volatile.Read(ref _answered).TrySetResult();
        }
    }

    private bool IsFullTransactionPending => _state.PendingChangeCount >= _options.MaxChangesPerTransaction;

    /// <summary>Completes when the client holds its lock (<see cref="OvsdbClientOptions.LockName"/>).</summary>
    private async Task WaitForLockAsync(CancellationToken cancellationToken)
    {
        var granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLock(bool held)
        {
            if (held)
            {
                granted.TrySetResult();
            }
        }

        _client.LockChanged += OnLock;
        try
        {
            if (!_client.HasLock)
            {
                await granted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _client.LockChanged -= OnLock;
        }
    }

    private TaskCompletionSource ResetWake()
    {
        var fresh = NewSignal();
        Volatile.Write(ref _wake, fresh);
        return fresh;
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20)), _options.MaxRetryBackoff.TotalMilliseconds));

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
