using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>What one row's comparison decided.</summary>
public enum ReconcileRowAction
{
    /// <summary>The row is inserted (with its members and ACLs).</summary>
    Insert,

    /// <summary>The row stays; some of its columns, members or ACLs change.</summary>
    Update,

    /// <summary>The row is owned and no longer wanted: deleted.</summary>
    Delete,
}

/// <summary>The operations planned for one Port_Group or Address_Set row.</summary>
public sealed record ReconcileRowPlan(string Table, string Name, ReconcileRowAction Action)
{
    /// <summary>Ports or addresses the row gains.</summary>
    public int MembersAdded { get; init; }
    /// <summary>Ports or addresses the row loses.</summary>
    public int MembersRemoved { get; init; }
    /// <summary>ACLs inserted into the port group.</summary>
    public int AclsInserted { get; init; }
    /// <summary>ACLs of the port group whose columns change.</summary>
    public int AclsUpdated { get; init; }
    /// <summary>ACLs removed from the port group.</summary>
    public int AclsDeleted { get; init; }

    /// <summary>Whether <c>external_ids</c> are rewritten (an update of the row).</summary>
    public bool ExternalIdsChanged { get; init; }

    /// <summary>
    /// Changes counted against <see cref="AclReconcilerOptions.MaxChangesPerTransaction"/>. A deleted row is one
    /// change: its members and ACLs (counted in <see cref="MembersRemoved"/> and <see cref="AclsDeleted"/>, so a plan
    /// says what protection it takes away) go with it in the same <c>delete</c> operation.
    /// </summary>
    public int Changes => Action switch
    {
        ReconcileRowAction.Delete => 1,
        ReconcileRowAction.Insert => 1 + MembersAdded + AclsInserted,
        _ => MembersAdded + MembersRemoved + AclsInserted + AclsUpdated + AclsDeleted + (ExternalIdsChanged ? 1 : 0),
    };
}

/// <summary>
/// A difference between the desired rows and the database, as OVSDB operations: per row what changes, and the size of
/// the <c>transact</c> request that carries it (for <c>ovnacl apply --dry-run</c>, and per transaction sent).
/// </summary>
public sealed record ReconcilePlan(IReadOnlyList<ReconcileRowPlan> Rows, int Operations, int RequestBytes)
{
    /// <summary>Nothing to do.</summary>
    public static ReconcilePlan Empty { get; } = new([], 0, 0);

    /// <summary>Wanted rows left alone (owned by someone else, or not writable to this schema).</summary>
    public IReadOnlyList<ReconcileConflict> Conflicts { get; init; } = [];

    /// <summary>Wanted port group members whose logical switch port does not exist yet (they join when it appears).</summary>
    public int MissingPorts { get; init; }

    /// <summary>Changes over every row (see <see cref="ReconcileRowPlan.Changes"/>).</summary>
    public int Changes => Rows.Sum(r => r.Changes);

    /// <summary>True when nothing would be sent.</summary>
    public bool IsEmpty => Operations == 0;

    /// <summary>Members gained over every row.</summary>
    public int MembersAdded => Rows.Sum(r => r.MembersAdded);
    /// <summary>Members lost over every row.</summary>
    public int MembersRemoved => Rows.Sum(r => r.MembersRemoved);
    /// <summary>ACLs inserted over every row.</summary>
    public int AclsInserted => Rows.Sum(r => r.AclsInserted);
    /// <summary>ACLs updated over every row.</summary>
    public int AclsUpdated => Rows.Sum(r => r.AclsUpdated);
    /// <summary>ACLs deleted over every row.</summary>
    public int AclsDeleted => Rows.Sum(r => r.AclsDeleted);

    /// <summary>The planned rows of <paramref name="table"/> (<c>Port_Group</c> or <c>Address_Set</c>).</summary>
    public IEnumerable<ReconcileRowPlan> RowsOf(string table) => Rows.Where(r => r.Table == table);

    /// <summary>Plans of several transactions as one (what <see cref="AclReconciler.ReconcileOnceAsync"/> applied).</summary>
    public static ReconcilePlan Combine(IEnumerable<ReconcilePlan> plans)
    {
        var list = plans.ToList();
        return new ReconcilePlan([.. list.SelectMany(p => p.Rows)], list.Sum(p => p.Operations), list.Sum(p => p.RequestBytes))
        {
            Conflicts = list.Count == 0 ? [] : list[^1].Conflicts,
            MissingPorts = list.Count == 0 ? 0 : list[^1].MissingPorts,
        };
    }
}

/// <summary>Why a wanted row is left alone.</summary>
public enum ReconcileConflictKind
{
    /// <summary>A row of that name exists and another controller (or a person) owns it.</summary>
    NotOwned,

    /// <summary>The desired row cannot be written to this database (a column its schema lacks, a value it refuses).</summary>
    Unsupported,

    /// <summary>The server kept refusing the row's operations; it is tried again when the row changes or on a full resync.</summary>
    Refused,
}

/// <summary>A wanted row the reconciler does not write, and why. It is looked at again when the row or the database row changes.</summary>
public sealed record ReconcileConflict(string Table, string Name, ReconcileConflictKind Kind, string Reason);

/// <summary>One transaction the reconciler sent, as <see cref="AclReconciler.TransactionCompleted"/> reports it.</summary>
public sealed record ReconcileTransactionInfo(
    ReconcilePlan Plan,
    OvsdbTransactionStatus Status,
    TimeSpan Latency,
    string? Error)
{
    /// <summary>
    /// Once this committed transaction is raised, every change the desired state recorded up to this
    /// <see cref="DesiredState.Version"/> is in the database (rows in conflict and ports that do not exist yet apart):
    /// what the transaction drained, less the changes it left for a later one. Null when it did not commit, or when
    /// what it left over is older than anything it carried. Take the largest seen: a later transaction may report less.
    /// </summary>
    public long? CoversDesiredVersion { get; init; }

    /// <summary>Changes the transaction carried.</summary>
    public int Changes => Plan.Changes;
    /// <summary>OVSDB operations in the transaction.</summary>
    public int Operations => Plan.Operations;
    /// <summary>Size of the <c>transact</c> request in bytes.</summary>
    public int RequestBytes => Plan.RequestBytes;
}

/// <summary>The outcome of <see cref="AclReconciler.ReconcileOnceAsync"/>.</summary>
public sealed record ReconcileResult(
    ReconcilePlan Applied,
    int Transactions,
    TimeSpan Elapsed,
    IReadOnlyList<ReconcileConflict> Conflicts,
    string? Error)
{
    /// <summary>True when the database now holds every wanted row (conflicts apart) and nothing failed.</summary>
    public bool Converged => Error is null;
}

/// <summary>Counters since the reconciler was created.</summary>
public sealed record ReconcilerStats
{
    /// <summary>Transactions sent.</summary>
    public long Transactions { get; init; }
    /// <summary>Transactions the server committed.</summary>
    public long Committed { get; init; }
    /// <summary>Transactions the server refused (retried with backoff).</summary>
    public long Failed { get; init; }
    /// <summary>Transactions whose outcome was lost with the connection (the plan is re-derived from the replica).</summary>
    public long OutcomeUnknown { get; init; }
    /// <summary>OVSDB operations sent.</summary>
    public long Operations { get; init; }
    /// <summary>Bytes of <c>transact</c> requests sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>Changes carried by committed transactions (see <see cref="ReconcilePlan.Changes"/>).</summary>
    public long ChangesApplied { get; init; }

    /// <summary>Changes made to the <see cref="DesiredState"/> (its version steps) that the reconciler took in.</summary>
    public long DesiredChangesSeen { get; init; }

    /// <summary>Desired changes that did not need an operation of their own: merged with others, cancelled, or already true.</summary>
    public long ChangesCoalesced => Math.Max(0, DesiredChangesSeen - ChangesApplied);

    /// <summary>Times the whole desired state was compared with the database again (after a reconnect or an unknown outcome).</summary>
    public long FullResyncs { get; init; }
}
