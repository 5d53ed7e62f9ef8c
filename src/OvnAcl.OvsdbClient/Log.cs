using Microsoft.Extensions.Logging;

namespace OvnAcl.Ovsdb;

/// <summary>Every log message of the client, with its event id kept in one place.</summary>
internal static partial class Log
{
    // 1xxx: connection and wire.
    [LoggerMessage(1000, LogLevel.Information, "Connecting to {Remote}")]
    public static partial void Connecting(ILogger logger, string remote);

    [LoggerMessage(1001, LogLevel.Information, "Connected to {Remote}")]
    public static partial void Connected(ILogger logger, string remote);

    [LoggerMessage(1002, LogLevel.Warning, "Connection to {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string remote, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Cannot connect to {Remote}: {Reason}; next attempt in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, string remote, string reason, long delayMs);

    [LoggerMessage(1004, LogLevel.Error, "Protocol error from {Remote}: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string remote, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "Reply from {Remote} with id {Id} matches no request in flight")]
    public static partial void UnknownReply(ILogger logger, string remote, string id);

    [LoggerMessage(1006, LogLevel.Debug, "Reply from {Remote} to abandoned '{Method}' request {Id} ignored")]
    public static partial void AbandonedReply(ILogger logger, string remote, string method, long id);

    [LoggerMessage(1007, LogLevel.Warning, "Server {Remote} sent request '{Method}' that a client does not serve")]
    public static partial void UnknownServerRequest(ILogger logger, string remote, string method);

    [LoggerMessage(1008, LogLevel.Warning, "Notification '{Method}' from {Remote} names unknown monitor {Monitor}")]
    public static partial void UnknownMonitor(ILogger logger, string remote, string method, string monitor);

    // 2xxx: cluster and session.
    [LoggerMessage(2000, LogLevel.Information, "{Remote} is not usable for {Database}: {Reason}; trying another remote")]
    public static partial void RemoteNotUsable(ILogger logger, string remote, string database, string reason);

    [LoggerMessage(2001, LogLevel.Information, "Replica of {Database} ready from {Remote}: {Rows} rows ({Mode})")]
    public static partial void ReplicaReady(ILogger logger, string database, string remote, long rows, string mode);

    [LoggerMessage(2002, LogLevel.Warning, "Transaction {TxnId} outcome unknown: connection to {Remote} lost before its reply")]
    public static partial void OutcomeUnknown(ILogger logger, long txnId, string remote);

    [LoggerMessage(2003, LogLevel.Information, "Monitor of {Database} canceled by the server (schema change); resubscribing")]
    public static partial void MonitorCanceled(ILogger logger, string database);

    [LoggerMessage(2004, LogLevel.Information, "Lock '{Lock}' {State}")]
    public static partial void LockState(ILogger logger, string @lock, string state);

    [LoggerMessage(2006, LogLevel.Error, "Session with {Remote} failed unexpectedly; reconnecting")]
    public static partial void SessionFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(2005, LogLevel.Error, "A subscriber of {Event} threw; the client carries on")]
    public static partial void SubscriberFailed(ILogger logger, string @event, Exception exception);
}
