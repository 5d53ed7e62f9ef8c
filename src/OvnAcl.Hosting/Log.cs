using Microsoft.Extensions.Logging;

namespace OvnAcl.Hosting;

/// <summary>Every log message of OvnAcl.Hosting, with its event id kept in one place.</summary>
internal static partial class Log
{
    // 40xx: the hosted service.
    [LoggerMessage(4000, LogLevel.Information, "OvnAcl {Controller} starting: Northbound {Remotes}{LockText}")]
    public static partial void Starting(ILogger logger, string controller, string remotes, string lockText);

    [LoggerMessage(4001, LogLevel.Information, "OvnAcl connected to {Remote}; reconciling")]
    public static partial void Connected(ILogger logger, string remote);

    [LoggerMessage(4002, LogLevel.Information, "OvnAcl stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(4003, LogLevel.Critical, "OvnAcl stopped on an error it cannot retry")]
    public static partial void Failed(ILogger logger, Exception exception);
}
