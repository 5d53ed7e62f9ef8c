namespace OvnAcl.Ovsdb;

/// <summary>Base of every error the OVSDB client raises.</summary>
public class OvsdbException : Exception
{
    /// <summary>An error with <paramref name="message"/>, for a failure no subtype describes.</summary>
    public OvsdbException(string message) : base(message) { }
    /// <summary>An error with <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public OvsdbException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>A value does not fit its column's type in the schema (RFC 7047 §3.2, §5.1).</summary>
public sealed class OvsdbValueException : OvsdbException
{
    /// <summary><paramref name="value"/> (RFC 7047 JSON) does not fit <paramref name="table"/>.<paramref name="column"/>; <paramref name="reason"/> says which constraint it breaks.</summary>
    public OvsdbValueException(string table, string column, string value, string reason)
        : base($"{table}.{column}: value {value} is invalid: {reason}")
    {
        Table = table;
        Column = column;
        Value = value;
        Reason = reason;
    }

    /// <summary>The table of the column.</summary>
    public string Table { get; }
    /// <summary>The column whose type the value breaks.</summary>
    public string Column { get; }
    /// <summary>The offending value in RFC 7047 JSON notation.</summary>
    public string Value { get; }
    /// <summary>Which constraint of the column's type is broken, e.g. <c>not in the enum</c> or <c>more than 1 element</c>.</summary>
    public string Reason { get; }
}

/// <summary>The server answered a request with a JSON-RPC error (RFC 7047 §4.1) or an operation error (§5.2).</summary>
public sealed class OvsdbServerException : OvsdbException
{
    /// <summary>The server answered <paramref name="method"/> with <paramref name="error"/> and <paramref name="details"/>; <paramref name="operationIndex"/> names the failing operation of a <c>transact</c>.</summary>
    public OvsdbServerException(string method, string error, string? details, int? operationIndex = null)
        : base(FormatMessage(method, error, details, operationIndex))
    {
        Method = method;
        Error = error;
        Details = details;
        OperationIndex = operationIndex;
    }

    /// <summary>The JSON-RPC method the server refused, e.g. <c>transact</c> or <c>monitor_cond_since</c>.</summary>
    public string Method { get; }
    /// <summary>The server's <c>error</c> string, e.g. <c>constraint violation</c>, <c>unknown database</c>.</summary>
    public string Error { get; }
    /// <summary>The server's <c>details</c>, when it gave any.</summary>
    public string? Details { get; }
    /// <summary>For <c>transact</c>, the index of the failing operation; null for a commit-level or RPC error.</summary>
    public int? OperationIndex { get; }

    private static string FormatMessage(string method, string error, string? details, int? operationIndex)
    {
        var where = operationIndex is { } i ? $" (operation {i})" : "";
        return details is null ? $"{method}{where}: {error}" : $"{method}{where}: {error}: {details}";
    }
}

/// <summary>The peer broke the wire protocol: malformed JSON, an oversized message, a reply nobody asked for.</summary>
public sealed class OvsdbProtocolException : OvsdbException
{
    /// <summary>The peer broke the protocol as <paramref name="message"/> says, caused by <paramref name="innerException"/> (a JSON error, say).</summary>
    public OvsdbProtocolException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>The connection could not be made, or was lost (refused, reset, TLS handshake refused, closed by the peer).</summary>
public sealed class OvsdbConnectionException : OvsdbException
{
    /// <summary><paramref name="remote"/> failed as <paramref name="message"/> says, caused by <paramref name="innerException"/> (a socket or TLS error).</summary>
    public OvsdbConnectionException(string remote, string message, Exception? innerException = null)
        : base($"{remote}: {message}", innerException)
    {
        Remote = remote;
    }

    /// <summary>The remote as written, e.g. <c>tcp:10.0.0.1:6641</c>.</summary>
    public string Remote { get; }

    /// <summary>True when the request this error answers never left the client, so resending it cannot apply it twice.</summary>
    public bool RequestNotSent { get; init; }
}
