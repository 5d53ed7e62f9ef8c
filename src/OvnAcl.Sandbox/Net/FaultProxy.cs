using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Sandbox;

/// <summary>
/// A TCP proxy on loopback between a client and a server's TCP remote, with faults the test turns on and off: cut
/// every connection now (reset), stall (forward nothing either way for a while, sockets kept open), slow (delay
/// every chunk, limit bytes per second), refuse new connections for a while. The client uses <see cref="Remote"/>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;
    private long _stallUntil, _refuseUntil;
    private int _accepted, _refused;

    private FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><c>tcp:127.0.0.1:PORT</c> of the proxy.</summary>
    public string Remote => $"tcp:127.0.0.1:{Port}";

    /// <summary>Connections accepted and forwarded so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections closed at once because new connections were refused.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Delay added before each chunk is forwarded (either way); zero for none.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Bytes per second forwarded in each direction of each connection; zero for no limit.</summary>
    public int BytesPerSecond { get; set; }

    /// <summary>Starts a proxy to <paramref name="tcpRemote"/> (<c>tcp:HOST:PORT</c>).</summary>
    public static FaultProxy Start(string tcpRemote)
    {
        var parts = tcpRemote.Split(':');
        if (parts.Length != 3 || parts[0] != "tcp")
        {
            throw new ArgumentException($"not a tcp:HOST:PORT remote: {tcpRemote}", nameof(tcpRemote));
        }

        return new FaultProxy(new IPEndPoint(IPAddress.Parse(parts[1]), int.Parse(parts[2], provider: null)));
    }

    /// <summary>Resets every open connection now (the client sees ECONNRESET); new ones are accepted as before.</summary>
    public int CutAll()
    {
        Link[] links;
        lock (_gate)
        {
            links = [.. _links];
            _links.Clear();
        }

        foreach (var link in links)
        {
            link.Reset();
        }

        return links.Length;
    }

    /// <summary>Forwards nothing, either way, on any connection for <paramref name="duration"/>; sockets stay open.</summary>
    public void Stall(TimeSpan duration) => Interlocked.Exchange(ref _stallUntil, Environment.TickCount64 + (long)duration.TotalMilliseconds);

    /// <summary>Ends a stall early.</summary>
    public void Resume() => Interlocked.Exchange(ref _stallUntil, 0);

    /// <summary>Accepts and at once resets every new connection for <paramref name="duration"/>; open ones are kept.</summary>
    public void RefuseFor(TimeSpan duration) => Interlocked.Exchange(ref _refuseUntil, Environment.TickCount64 + (long)duration.TotalMilliseconds);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (Environment.TickCount64 < Interlocked.Read(ref _refuseUntil))
            {
                Interlocked.Increment(ref _refused);
                Link.ResetSocket(client);
                continue;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // The server is down: the client sees what it would see from the server, a reset.
            Link.ResetSocket(client);
            server.Dispose();
            return;
        }

        var link = new Link(client, server);
        lock (_gate)
        {
            _links.Add(link);
        }

        Interlocked.Increment(ref _accepted);
        await Task.WhenAll(PumpAsync(link, client, server), PumpAsync(link, server, client)).ConfigureAwait(false);
        lock (_gate)
        {
            _links.Remove(link);
        }

        link.Close();
    }

    private async Task PumpAsync(Link link, Socket from, Socket to)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (!link.Token.IsCancellationRequested)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, link.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var offset = 0;
                while (offset < read)
                {
                    await WhileStalledAsync(link.Token).ConfigureAwait(false);
                    if (ChunkDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(ChunkDelay, link.Token).ConfigureAwait(false);
                    }

                    var rate = BytesPerSecond;
                    var piece = rate > 0 ? Math.Min(read - offset, Math.Max(1, rate / 20)) : read - offset;
                    await to.SendAsync(buffer.AsMemory(offset, piece), SocketFlags.None, link.Token).ConfigureAwait(false);
                    offset += piece;
                    if (rate > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)piece / rate), link.Token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side went away (or the link was cut): end the other side too.
            link.Reset();
        }
    }

    private async Task WhileStalledAsync(CancellationToken cancellationToken)
    {
        while (Environment.TickCount64 < Interlocked.Read(ref _stallUntil))
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One proxied connection: the client's socket and ours to the server.</summary>
    private sealed class Link(Socket client, Socket server)
    {
        private readonly CancellationTokenSource _cut = new();
        private int _closed;

        public CancellationToken Token => _cut.Token;

        public static void ResetSocket(Socket socket)
        {
            try
            {
                // Linger 0: close sends RST, not FIN, as a crashed peer or a dropped route would look.
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }

        public void Reset()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            _cut.Cancel();
            ResetSocket(client);
            ResetSocket(server);
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            _cut.Cancel();
            client.Dispose();
            server.Dispose();
        }
    }
}
