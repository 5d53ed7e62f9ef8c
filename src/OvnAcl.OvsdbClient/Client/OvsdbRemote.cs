using System.Globalization;

namespace OvnAcl.Ovsdb;

/// <summary>How a remote is reached, as OVS and OVN tools spell it.</summary>
public enum OvsdbTransport
{
    /// <c>tcp:HOST:PORT</c>: plain TCP.
    Tcp,
    /// <c>unix:PATH</c>: a unix domain socket.
    Unix,
    /// <c>ssl:HOST:PORT</c>: TLS over TCP, with the certificates of <see cref="OvsdbConnectionOptions.Tls"/>.
    Ssl,
}

/// <summary>
/// One active OVSDB remote: <c>tcp:HOST:PORT</c>, <c>ssl:HOST:PORT</c> or <c>unix:PATH</c>
/// (ovsdb-server(1) "Database Connection Methods"). IPv6 hosts are written in brackets: <c>tcp:[::1]:6641</c>.
/// </summary>
public sealed record OvsdbRemote
{
    private OvsdbRemote(OvsdbTransport transport, string host, int port, string path, string text)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Path = path;
        Text = text;
    }

    /// <summary>How the remote is reached; decides whether <see cref="Host"/> and <see cref="Port"/> or <see cref="Path"/> apply.</summary>
    public OvsdbTransport Transport { get; }
    /// <summary>Host name or address for tcp and ssl; empty for unix.</summary>
    public string Host { get; }
    /// <summary>TCP port for tcp and ssl; 0 for unix.</summary>
    public int Port { get; }
    /// <summary>Socket path for unix; empty otherwise.</summary>
    public string Path { get; }
    /// <summary>The remote as written, e.g. <c>tcp:127.0.0.1:6641</c>.</summary>
    public string Text { get; }

    /// <summary>The remote as written (<see cref="Text"/>), so that it can be passed back to OVS tools.</summary>
    public override string ToString() => Text;

    /// <summary>Parses one active remote: <c>tcp:HOST:PORT</c>, <c>ssl:HOST:PORT</c> or <c>unix:PATH</c>.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not one of these, or the port is not 1-65535.</exception>
    public static OvsdbRemote Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var remote, out var error))
        {
            throw new FormatException(error);
        }

        return remote;
    }

    /// <summary>Parses a comma-separated list, as <c>ovn-nbctl --db=tcp:a:6641,tcp:b:6641</c> takes it.</summary>
    public static IReadOnlyList<OvsdbRemote> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var remotes = new List<OvsdbRemote>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            remotes.Add(Parse(part));
        }

        if (remotes.Count == 0)
        {
            throw new FormatException($"'{text}' names no OVSDB remote; expected tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH");
        }

        return remotes;
    }

    /// <summary>Parses one active remote like <see cref="Parse(string)"/>, without throwing: on failure <paramref name="error"/> says what is wrong with <paramref name="text"/>.</summary>
    public static bool TryParse(string text, out OvsdbRemote remote, out string error)
    {
        remote = null!;
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            error = $"'{text}' is not an OVSDB remote; expected tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH";
            return false;
        }

        var method = text[..colon];
        var rest = text[(colon + 1)..];
        switch (method)
        {
            case "unix":
                if (rest.Length == 0)
                {
                    error = $"'{text}': unix remote needs a socket path";
                    return false;
                }

                remote = new OvsdbRemote(OvsdbTransport.Unix, "", 0, rest, text);
                error = "";
                return true;
            case "tcp":
            case "ssl":
                if (!TrySplitHostPort(rest, out var host, out var port))
                {
                    error = $"'{text}': expected {method}:HOST:PORT with a port from 1 to 65535";
                    return false;
                }

                remote = new OvsdbRemote(method == "tcp" ? OvsdbTransport.Tcp : OvsdbTransport.Ssl, host, port, "", text);
                error = "";
                return true;
            case "ptcp":
            case "pssl":
            case "punix":
                error = $"'{text}' is a passive (listening) remote; a client needs tcp:, ssl: or unix:";
                return false;
            default:
                error = $"'{text}': unknown connection method '{method}'; expected tcp, ssl or unix";
                return false;
        }
    }

    private static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon)
            {
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        return host.Length > 0
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535;
    }
}
