using Microsoft.Extensions.Logging;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// Transactions in flight (<see cref="AclReconcilerOptions.MaxTransactionsInFlight"/>). The replica shows a
/// transaction only once it is answered, so a plan made meanwhile would send again what is already on its way (or,
/// for a row it inserts, insert it twice). Each transaction therefore holds the members it carries, and the whole row
/// when it changes the row's shape; a later pass sets changes to held rows and members aside, untouched, until the
/// holder is answered, then compares them with the replica as usual. Changes to other members of the same rows go on.
/// </summary>
public sealed partial class AclReconciler
{
    private readonly Dictionary<(DesiredRowKind, string), InFlightRow> _held = [];
    private int _inFlight;
    private int _sendFailed;
    private long _completions;
    private TaskCompletionSource _answered = NewSignal();

    private int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The changes no transaction in flight holds; the others (whole, or the held members) go to <paramref name="deferred"/>.</summary>
    private IReadOnlyList<DesiredRowChange> SetAsideInFlight(IReadOnlyList<DesiredRowChange> changes, List<DesiredRowChange> deferred)
    {
        if (InFlight == 0)
        {
            return changes;
        }

        var ready = new List<DesiredRowChange>(changes.Count);
        lock (_held)
        {
            foreach (var change in changes)
            {
                if (!_held.TryGetValue((change.Kind, change.Name), out var row))
                {
                    ready.Add(change);
                }
                else if (row.Shape > 0 || change.Shape)
                {
                    deferred.Add(change);
                }
                else
                {
                    var free = new List<string>(change.TouchedMembers.Count);
                    var held = new List<string>();
                    foreach (var member in change.TouchedMembers)
                    {
                        (row.Members.ContainsKey(member) ? held : free).Add(member);
                    }

                    if (held.Count > 0)
                    {
                        deferred.Add(change with { TouchedMembers = [.. held] });
                    }

                    if (free.Count > 0)
                    {
                        ready.Add(change with { TouchedMembers = [.. free] });
                    }
                }
            }
        }

        return ready;
    }

    private void HoldInFlight(IReadOnlyList<DesiredRowChange> included)
    {
        lock (_held)
        {
            foreach (var change in included)
            {
                if (!_held.TryGetValue((change.Kind, change.Name), out var row))
                {
                    _held[(change.Kind, change.Name)] = row = new InFlightRow();
                }

                row.Shape += change.Shape ? 1 : 0;
                foreach (var member in change.TouchedMembers)
                {
                    row.Members[member] = row.Members.GetValueOrDefault(member) + 1;
                }
            }
        }

        Interlocked.Increment(ref _inFlight);
    }

    private void ReleaseInFlight(IReadOnlyList<DesiredRowChange> included)
    {
        lock (_held)
        {
            foreach (var change in included)
            {
                var row = _held[(change.Kind, change.Name)];
                row.Shape -= change.Shape ? 1 : 0;
                foreach (var member in change.TouchedMembers)
                {
                    if (--row.Members[member] == 0)
                    {
                        row.Members.Remove(member);
                    }
                }

                if (row.Shape == 0 && row.Members.Count == 0)
                {
                    _held.Remove((change.Kind, change.Name));
                }
            }
        }
    }

    /// <summary>Sends a planned transaction, then gives back what it held and its slot, and wakes the loop.</summary>
    private async Task CompleteAsync(PlannedTransaction planned, long? coveredVersion, CancellationToken cancellationToken)
    {
        try
        {
            var (status, _) = await SendAsync(planned, planned.ToPlan(), requeueOnFailure: true, coveredVersion, cancellationToken).ConfigureAwait(false);
            if (status == OvsdbTransactionStatus.Failed)
            {
                Volatile.Write(ref _sendFailed, 1);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.PassFailed(_logger, ex);
            RequestFullResync();
            Volatile.Write(ref _sendFailed, 1);
        }
        finally
        {
            ReleaseInFlight(planned.Included);
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _completions);
            _slots.Release();
            Volatile.Read(ref _answered).TrySetResult();
            Signal();
        }
    }

    /// <summary>Waits until every transaction sent is answered (or cancelled with the loop).</summary>
    private async Task DrainInFlightAsync()
    {
        var slots = _options.MaxTransactionsInFlight;
        for (var i = 0; i < slots; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }

        _slots.Release(slots);
    }

    // Refused transactions, counted, with the newest desired version each left out: see CapByRefusals.
    private readonly Lock _refusalLock = new();
    private readonly Queue<(long Refusal, long Floor)> _refusalFloors = new();
    private const int RefusalFloorsKept = 256;
    private long _refusals;
    private Task _lastReported = Task.CompletedTask;

    private void NoteRefusal(PlannedTransaction planned)
    {
        var floor = long.MaxValue;
        foreach (var change in planned.Included)
        {
            floor = Math.Min(floor, change.Since - 1);
        }

        lock (_refusalLock)
        {
            _refusalFloors.Enqueue((_refusals + 1, floor));
            if (_refusalFloors.Count > RefusalFloorsKept)
            {
                _refusalFloors.Dequeue();
            }

            Volatile.Write(ref _refusals, _refusals + 1);
        }
    }

    /// <summary>
    /// The version a committed transaction may claim. It was planned while earlier ones were in flight, holding
    /// changes it could not see; it counts on them committing. Those refused since it was planned (reported before
    /// it: answers are reported in send order) put their changes back pending, so it claims nothing from the oldest
    /// of those on. Null when it can claim nothing.
    /// </summary>
    private long? CapByRefusals(long covers, long refusalsSeen)
    {
        lock (_refusalLock)
        {
            if (refusalsSeen < _refusals - _refusalFloors.Count)
            {
                return null; // more refusals since than are remembered: claim nothing rather than too much
            }

            foreach (var (refusal, floor) in _refusalFloors)
            {
                if (refusal > refusalsSeen)
                {
                    covers = Math.Min(covers, floor);
                }
            }
        }

        return covers > 0 ? covers : null;
    }

    private sealed class InFlightRow
    {
        public int Shape { get; set; }

        public Dictionary<string, int> Members { get; } = new(StringComparer.Ordinal);
    }
}
