using Microsoft.Extensions.Logging;

namespace OvnAcl.Ovsdb;

/// <summary>
/// A long-lived OVSDB session for one database: it connects to one of its remotes (the cluster leader by
/// default), keeps a <see cref="Replica"/> of the monitored tables, reconnects with backoff when the connection
/// or the leader is lost, and resynchronizes the replica (from the server's history where it keeps one).
/// Transactions whose connection is lost before their reply complete with
/// <see cref="OvsdbTransactionStatus.OutcomeUnknown"/>: never as a plain failure and never re-sent.
/// </summary>
public sealed partial class OvsdbClient : IAsyncDisposable
{
    private readonly IReadOnlyList<OvsdbRemote> _remotes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private TaskCompletionSource<OvsdbConnection> _ready = NewReady();
    private OvsdbConnection? _current;
    private OvsdbReplica? _replica;
    private Task? _run;
    private long _maxClusterIndex;
    private Exception? _fatal;
    private int _disposed;

    /// <summary>A client for the comma-separated remotes of <paramref name="remotes"/> (<c>tcp:10.0.0.1:6641,tcp:10.0.0.2:6641</c>), as ovn-nbctl's <c>--db</c> takes them; nothing connects until <see cref="StartAsync(CancellationToken)"/>.</summary>
    /// <exception cref="FormatException">A remote is not <c>tcp:HOST:PORT</c>, <c>ssl:HOST:PORT</c> or <c>unix:PATH</c>.</exception>
    public OvsdbClient(string remotes, OvsdbClientOptions? options = null)
        : this(OvsdbRemote.ParseList(remotes), options)
    {
    }

    /// <summary>A client for a cluster's remotes (or one server's); it connects to one of them at a time, the leader unless <see cref="OvsdbClientOptions.LeaderOnly"/> is off. Nothing connects until <see cref="StartAsync(CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="remotes"/> is empty.</exception>
    public OvsdbClient(IReadOnlyList<OvsdbRemote> remotes, OvsdbClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(remotes);
        if (remotes.Count == 0)
        {
            throw new ArgumentException("at least one remote is needed", nameof(remotes));
        }

        Options = options ?? OvsdbClientOptions.Default;
        _remotes = Options.ShuffleRemotes ? [.. remotes.OrderBy(_ => Random.Shared.Next())] : [.. remotes];
        _logger = Options.Connection.LoggerFactory.CreateLogger<OvsdbClient>();
    }

    /// <summary>The settings the client was created with (<see cref="OvsdbClientOptions.Default"/> when none were given).</summary>
    public OvsdbClientOptions Options { get; }

    /// <summary>The remotes tried when (re)connecting, in the order tried: shuffled once at creation when <see cref="OvsdbClientOptions.ShuffleRemotes"/> is on.</summary>
    public IReadOnlyList<OvsdbRemote> Remotes => _remotes;

    /// <summary>The replica; available once <see cref="StartAsync(CancellationToken)"/> has returned.</summary>
    public OvsdbReplica Replica => _replica ?? throw new InvalidOperationException("the client has not synchronized yet; await StartAsync first");

    /// <summary>The schema of the monitored database as the server reported it; available once <see cref="StartAsync(CancellationToken)"/> has returned, and replaced when the server converts its schema.</summary>
    public DatabaseSchema Schema => Replica.Schema;

    /// <summary>The remote of the live connection, or null while reconnecting.</summary>
    public OvsdbRemote? CurrentRemote => Volatile.Read(ref _current)?.Remote;

    /// <summary>Whether a connection is open right now; false while reconnecting. A transaction sent while false waits for the next connection.</summary>
    public bool IsConnected => Volatile.Read(ref _current) is { IsOpen: true };

    /// <summary>How many times a live, synchronized session was established (1 after the first start).</summary>
    public long SessionCount => Interlocked.Read(ref _sessions);

    private long _sessions;

    // Attempts that never became a session, for StartAsync's timeout message.
    private event Action<OvsdbSessionEvent>? _connectFailed;

    /// <summary>
    /// Whether this client holds <see cref="OvsdbClientOptions.LockName"/> now. A writer that must be alone asserts the
    /// lock in its transactions (<see cref="OvsdbTransaction.Assert"/>): the server then refuses them when it is lost.
    /// </summary>
    public bool HasLock => Volatile.Read(ref _hasLock) == 1;

    private int _hasLock;

    /// <summary>Raised with true when the lock is granted, false when it is stolen or its session is lost.</summary>
    public event Action<bool>? LockChanged;

    /// <summary>Raised when a session becomes ready (connected and synchronized) or is lost.</summary>
    public event Action<OvsdbSessionEvent>? SessionChanged;

    /// <summary>Starts the session and waits until the replica is synchronized for the first time.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _run ??= Task.Run(() => RunAsync(_stop.Token));
        }

        await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the session and waits at most <paramref name="timeout"/> for a synchronized replica; the client keeps
    /// retrying in the background meanwhile. A timeout throws <see cref="OvsdbConnectionException"/> with the last
    /// reason a remote was refused, instead of waiting forever for a server that is not there.
    /// </summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        Exception? last = null;
        void Remember(OvsdbSessionEvent e) => last = e.Reason ?? last;
        _connectFailed += Remember;
        try
        {
            await StartAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OvsdbConnectionException(string.Join(",", _remotes),
                $"no usable server within {timeout.TotalSeconds:0.#} s{(last is null ? "" : $" (last: {last.Message})")}", last);
        }
        finally
        {
            _connectFailed -= Remember;
        }
    }

    /// <summary>A new transaction on this database's schema.</summary>
    public OvsdbTransaction CreateTransaction() => new(Schema);

    /// <summary>
    /// Commits <paramref name="transaction"/> on the current session, waiting for one if reconnecting. The result is
    /// <see cref="OvsdbTransactionStatus.Committed"/>, <see cref="OvsdbTransactionStatus.Failed"/> with the server's
    /// error, or <see cref="OvsdbTransactionStatus.OutcomeUnknown"/> when the connection was lost after the request may
    /// have left; the caller then decides from the replica, which resynchronizes on its own.
    /// </summary>
    public async Task<OvsdbTransactionResult> TransactAsync(OvsdbTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        while (true)
        {
            var connection = await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await connection.TransactAsync(transaction, cancellationToken).ConfigureAwait(false);
                OvsdbMetrics.Transactions.Add(1, new KeyValuePair<string, object?>("outcome", result.Succeeded ? "committed" : "failed"));
                return result;
            }
            catch (OvsdbConnectionException ex) when (ex.RequestNotSent)
            {
                // Never left this process: safe to send on the next session.
                continue;
            }
            catch (OvsdbConnectionException ex)
            {
                OvsdbMetrics.Transactions.Add(1, new KeyValuePair<string, object?>("outcome", "unknown"));
                Log.OutcomeUnknown(_logger, transaction.Count, connection.Remote.Text);
                return OvsdbTransactionResult.OutcomeUnknown(ex);
            }
        }
    }

    /// <summary>Waits for a connected, synchronized session and returns its connection (for advanced use).</summary>
    public async Task<OvsdbConnection> WaitForConnectionAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task<OvsdbConnection> ready;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                if (_run is null)
                {
                    throw new InvalidOperationException("the client is not started; call StartAsync first");
                }

                if (_fatal is not null)
                {
                    throw _fatal;
                }

                ready = _ready.Task;
            }

            var connection = await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (connection.IsOpen)
            {
                return connection;
            }

            // Lost between being handed out and now: the session loop is about to replace it.
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops reconnecting, closes the live connection and completes the background session; transactions still waiting fail with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? run;
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            run = _run;
            _ready.TrySetException(new ObjectDisposedException(nameof(OvsdbClient)));
        }

        _stop.Cancel();
        if (Volatile.Read(ref _current) is { } current)
        {
            await current.DisposeAsync().ConfigureAwait(false);
        }

        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private void RaiseSessionChanged(OvsdbSessionEvent e)
    {
        try
        {
            SessionChanged?.Invoke(e);
        }
        catch (Exception ex)
        {
            Log.SubscriberFailed(_logger, nameof(SessionChanged), ex);
        }
    }

    private static TaskCompletionSource<OvsdbConnection> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A session of an <see cref="OvsdbClient"/> became ready, or was lost.</summary>
public sealed record OvsdbSessionEvent(OvsdbRemote Remote, bool Ready, OvsdbMonitorStart? Monitor, Exception? Reason);
