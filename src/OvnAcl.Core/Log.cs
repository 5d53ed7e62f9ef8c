using Microsoft.Extensions.Logging;

namespace OvnAcl;

/// <summary>Every log message of OvnAcl.Core, with its event id kept in one place.</summary>
internal static partial class Log
{
    // 30xx: the reconciler.
    [LoggerMessage(3000, LogLevel.Information, "Reconciler {Controller} started")]
    public static partial void ReconcilerStarted(ILogger logger, string controller);

    [LoggerMessage(3001, LogLevel.Debug, "Transaction committed: {Changes} changes in {Operations} operations, {Bytes} bytes, {LatencyMs} ms")]
    public static partial void TransactionCommitted(ILogger logger, int changes, int operations, int bytes, double latencyMs);

    [LoggerMessage(3002, LogLevel.Warning, "Transaction of {Changes} changes refused by the server: {Error}; requeued, retry in {DelayMs} ms")]
    public static partial void TransactionFailed(ILogger logger, int changes, string error, long delayMs);

    [LoggerMessage(3003, LogLevel.Error, "{Failures} transactions in a row refused by the server, last: {Error}; still retrying every {DelayMs} ms")]
    public static partial void TransactionKeepsFailing(ILogger logger, int failures, string error, long delayMs);

    [LoggerMessage(3004, LogLevel.Warning, "Transaction of {Changes} changes: outcome unknown (connection lost); the whole state is compared again once the session is back")]
    public static partial void TransactionOutcomeUnknown(ILogger logger, int changes);

    [LoggerMessage(3005, LogLevel.Warning, "{Table} '{Name}' exists and is not owned by {Controller} (owner-controller '{Owner}'): left untouched")]
    public static partial void RowNotOwned(ILogger logger, string table, string name, string controller, string owner);

    [LoggerMessage(3006, LogLevel.Error, "{Table} '{Name}' cannot be written: {Reason}")]
    public static partial void RowUnsupported(ILogger logger, string table, string name, string reason);

    [LoggerMessage(3007, LogLevel.Information, "Full resync: comparing {Rows} rows with the database ({Reason})")]
    public static partial void FullResync(ILogger logger, int rows, string reason);

    [LoggerMessage(3008, LogLevel.Debug, "Logical switch port {Port} of port group {PortGroup} does not exist yet; it joins when it appears")]
    public static partial void PortWaiting(ILogger logger, string port, string portGroup);

    [LoggerMessage(3009, LogLevel.Information, "Database session ready again; the whole state will be compared")]
    public static partial void SessionReady(ILogger logger);

    [LoggerMessage(3010, LogLevel.Error, "Reconciler pass failed unexpectedly; retrying")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(3012, LogLevel.Error, "A subscriber of {Event} threw; the reconciler carries on")]
    public static partial void SubscriberFailed(ILogger logger, string @event, Exception exception);

    [LoggerMessage(3011, LogLevel.Debug, "Database change to {Table} '{Name}' differs from the desired state: requeued for repair")]
    public static partial void RepairQueued(ILogger logger, string table, string name);

    [LoggerMessage(3013, LogLevel.Information, "Standby: lock '{Lock}' is held by another instance; keeping the replica, writing nothing")]
    public static partial void Standby(ILogger logger, string @lock);

    [LoggerMessage(3014, LogLevel.Information, "Active: lock '{Lock}' acquired; comparing the whole state")]
    public static partial void Active(ILogger logger, string @lock);

    [LoggerMessage(3016, LogLevel.Information, "Waiting for every input to be listed before writing anything: {Inputs} not yet")]
    public static partial void WaitingForListing(ILogger logger, string inputs);

    [LoggerMessage(3015, LogLevel.Warning, "Lock '{Lock}' lost before a transaction: the server refused it (not owner); standing by")]
    public static partial void LockLostOnWrite(ILogger logger, string @lock);
}
