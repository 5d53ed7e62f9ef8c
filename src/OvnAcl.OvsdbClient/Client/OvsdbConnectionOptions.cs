using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OvnAcl.Ovsdb;

/// <summary>Settings of one connection to one remote.</summary>
public sealed record OvsdbConnectionOptions
{
    /// <summary>No TLS, no logging and the built-in timeouts; change it with <c>with</c>.</summary>
    public static OvsdbConnectionOptions Default { get; } = new();

    /// <summary>Certificates for <c>ssl:</c> remotes.</summary>
    public OvsdbTlsOptions? Tls { get; init; }

    /// <summary>Time allowed to open the socket and finish the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time after which the server is probed with <c>echo</c>, and the time it has to answer (OVS's default is 5 s). Zero disables.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message accepted from the server; a larger one ends the connection with an error.</summary>
    public long MaxMessageSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Where connection events (connects, closes, protocol errors) are logged; <see cref="NullLoggerFactory"/> by default.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
