using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace OvnAcl.Testing;

/// <summary>
/// A fake OVSDB server that does only what the test scripts, for the wire faults a real server never produces
/// (malformed JSON, an oversized message, a reply to an unknown id, a close in mid-message, silence). Anything
/// a real server can show belongs on <see cref="StandaloneNb"/> instead.
/// </summary>
public sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly SandboxDirectory _directory;
    private readonly ScriptedPeerOptions _options;
    private readonly List<Socket> _listeners = [];
    private readonly Channel<ScriptedConnection> _accepted = Channel.CreateUnbounded<ScriptedConnection>();
    private readonly List<ScriptedConnection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _acceptLoops = [];

    private ScriptedPeer(SandboxDirectory directory, ScriptedPeerOptions options)
    {
        _directory = directory;
        _options = options;
    }

    public string SocketPath => _directory.File("peer.sock");

    /// <summary><c>unix:DIR/peer.sock</c>.</summary>
    public string UnixRemote => "unix:" + SocketPath;

    /// <summary><c>tcp:127.0.0.1:PORT</c>, or null unless <see cref="ScriptedPeerOptions.Tcp"/> was set.</summary>
    public string? TcpRemote { get; private set; }

    /// <summary>Connections accepted so far, whether or not a test has taken them with <see cref="AcceptAsync"/>.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    public static ScriptedPeer Start(ScriptedPeerOptions? options = null)
    {
        options ??= ScriptedPeerOptions.Default;
        var peer = new ScriptedPeer(SandboxDirectory.Create("peer"), options);
        try
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            peer._listeners.Add(unix);
            unix.Bind(new UnixDomainSocketEndPoint(peer.SocketPath));
            unix.Listen();
            if (options.Tcp)
            {
                var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                peer._listeners.Add(tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                tcp.Listen();
                peer.TcpRemote = $"tcp:127.0.0.1:{((IPEndPoint)tcp.LocalEndPoint!).Port}";
            }

            foreach (var listener in peer._listeners)
            {
                peer._acceptLoops.Add(peer.AcceptLoopAsync(listener));
            }
        }
        catch
        {
            foreach (var listener in peer._listeners)
            {
                listener.Dispose();
            }

            peer._directory.Dispose();
            throw;
        }

        return peer;
    }

    /// <summary>The next connection a client made (in arrival order); throws when none arrives within the timeout.</summary>
    public async Task<ScriptedConnection> AcceptAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? _options.DefaultTimeout;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(limit);
        try
        {
            return await _accepted.Reader.ReadAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FixtureException($"no client connected to {UnixRemote}{(TcpRemote is null ? "" : " or " + TcpRemote)} within {limit.TotalSeconds:0.#} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        try
        {
            await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        ScriptedConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _directory.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = new ScriptedConnection(socket, _options);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            _accepted.Writer.TryWrite(connection);
        }
    }
}
