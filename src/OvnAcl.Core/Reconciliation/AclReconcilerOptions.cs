using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OvnAcl.Reconciliation;

/// <summary>Settings of an <see cref="AclReconciler"/>.</summary>
public sealed record AclReconcilerOptions
{
    /// <summary>Up to 16 transactions in flight, the default batch size and backoff, no logging.</summary>
    public static AclReconcilerOptions Default { get; } = new();

    /// <summary>
    /// At most this many changes (a member added or removed, an ACL inserted, updated or deleted, a row inserted,
    /// updated or deleted) go in one transaction; the rest wait for the next. Bounds the request size and the time the
    /// server spends on one commit.
    /// </summary>
    public int MaxChangesPerTransaction { get; init; } = 2000;

    /// <summary>
    /// Transactions <see cref="AclReconciler.RunAsync"/> keeps in flight at once. 1 sends the next only once the
    /// previous is answered; more overlap the round trips (the server still commits them one after the other). A
    /// transaction never carries a change to a member or row shape an earlier one in flight still carries, and while
    /// one is in flight the next leaves only when it is full (<see cref="MaxChangesPerTransaction"/>), else when an
    /// answer comes, so under light load only one is in flight and the latency is that of depth 1. 16 by default: the
    /// churn benchmark's fastest depth on standalone and RAFT databases (docs/benchmarks.md), with the fault suite and a
    /// 10-minute soak at that depth losing nothing (docs/reliability.md).
    /// </summary>
    public int MaxTransactionsInFlight { get; init; } = 16;

    /// <summary>Delay before retrying after the server refused a transaction; doubled per failure in a row up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between retries, however many transactions failed in a row.</summary>
    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After this many failed transactions in a row the failure is logged as an error (and keeps being retried with backoff).</summary>
    public int FailuresBeforeError { get; init; } = 3;

    /// <summary>How many times <see cref="AclReconciler.ReconcileOnceAsync"/> re-derives the plan after an unknown outcome before giving up.</summary>
    public int MaxOutcomeUnknownRetries { get; init; } = 5;

    /// <summary>Where the reconciler logs transactions, conflicts and failures; <see cref="NullLoggerFactory"/> by default.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
