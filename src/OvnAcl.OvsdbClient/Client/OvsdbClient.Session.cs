namespace OvnAcl.Ovsdb;

public sealed partial class OvsdbClient
{
    private static readonly string[] s_serverColumns = ["name", "model", "connected", "leader", "index"];

    /// <summary>Raised when the server's schema changed (a conversion) and the client replaced its replica with a new one.</summary>
    public event Action<OvsdbReplica>? ReplicaReplaced;

    /// <summary>
    /// RFC 7047 §4.1.8-4.1.10: asks for the session's lock; <c>locked</c> grants it later when another client holds it,
    /// <c>stolen</c> takes it away. A lock lives as long as its connection: the next session asks again.
    /// </summary>
    private async Task RequestLockAsync(OvsdbConnection connection, string lockName, CancellationToken stop)
    {
        connection.LockGranted += name =>
        {
            if (name == lockName && ReferenceEquals(Volatile.Read(ref _current), connection))
            {
                SetLock(held: true);
            }
        };
        connection.LockStolen += name =>
        {
            if (name == lockName)
            {
                SetLock(held: false);
            }
        };
        if (await connection.LockAsync(lockName, stop).ConfigureAwait(false))
        {
            SetLock(held: true);
        }
        else
        {
            Log.LockState(_logger, lockName, "held by another client: waiting");
        }
    }

    private void SetLock(bool held)
    {
        if (Interlocked.Exchange(ref _hasLock, held ? 1 : 0) == (held ? 1 : 0))
        {
            return;
        }

        if (held)
        {
            Log.LockState(_logger, Options.LockName!, "acquired");
        }
        else
        {
            Log.LockState(_logger, Options.LockName!, "lost");
        }

        try
        {
            LockChanged?.Invoke(held);
        }
        catch (Exception ex)
        {
            Log.SubscriberFailed(_logger, nameof(LockChanged), ex);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = Options.MinBackoff;
        var next = 0;
        var failedInCycle = 0;
        while (!stop.IsCancellationRequested)
        {
            var remote = _remotes[next++ % _remotes.Count];
            OvsdbConnection? connection = null;
            var wasReady = false;
            Exception? lostReason = null;
            try
            {
                Log.Connecting(_logger, remote.Text);
                connection = await OvsdbConnection.ConnectAsync(remote, Options.Connection, stop).ConfigureAwait(false);
                var refusal = await CheckServerAsync(connection, stop).ConfigureAwait(false);
                if (refusal is not null)
                {
                    Log.RemoteNotUsable(_logger, remote.Text, Options.Database, refusal);
                    lostReason = new OvsdbConnectionException(remote.Text, refusal);
                }
                else
                {
                    var schema = await connection.GetSchemaAsync(Options.Database, stop).ConfigureAwait(false);
                    var replica = EnsureReplica(schema);
                    try
                    {
                        await connection.SetDbChangeAwareAsync(true, stop).ConfigureAwait(false);
                    }
                    catch (OvsdbServerException)
                    {
                        // Servers before OVS 2.9 disconnect on schema changes instead; that is handled too.
                    }

                    var conn = connection;
                    connection.MonitorCanceled += _ =>
                    {
                        Log.MonitorCanceled(_logger, Options.Database);
                        conn.Close(new OvsdbConnectionException(remote.Text, "the server canceled the monitor (schema changed); resubscribing"));
                    };
                    var start = await connection.StartMonitorAsync(replica, Options.MonitorMethod, stop).ConfigureAwait(false);
                    Log.ReplicaReady(_logger, Options.Database, remote.Text, replica.TotalRows,
                        start.ResumedFromHistory ? $"{start.Method}, resumed from history" : $"{start.Method}, full copy");

                    Volatile.Write(ref _current, connection);
                    Interlocked.Increment(ref _sessions);
                    lock (_gate)
                    {
                        _ready.TrySetResult(connection);
                    }

                    wasReady = true;
                    backoff = Options.MinBackoff;
                    failedInCycle = 0;
                    RaiseSessionChanged(new OvsdbSessionEvent(remote, true, start, null));
                    if (Options.LockName is { } lockName)
                    {
                        await RequestLockAsync(connection, lockName, stop).ConfigureAwait(false);
                    }

                    await connection.Completion.WaitAsync(stop).ConfigureAwait(false);
                    lostReason = connection.CloseReason;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (OvsdbException ex)
            {
                lostReason = ex;
                if (!wasReady)
                {
                    Log.ConnectFailed(_logger, remote.Text, ex.Message, (long)backoff.TotalMilliseconds);
                }
            }
            catch (ArgumentException ex)
            {
                // The options do not fit the server's schema (an unknown table, column or index): retrying cannot help.
                Fail(new OvsdbException($"cannot replicate {Options.Database} from {remote.Text}: {ex.Message}", ex));
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug of ours must not stop the session for good: report it and reconnect.
                lostReason = ex;
                Log.SessionFailed(_logger, remote.Text, ex);
            }
            finally
            {
                if (connection is not null)
                {
                    lock (_gate)
                    {
                        if (_ready.Task.IsCompletedSuccessfully && ReferenceEquals(_ready.Task.Result, connection))
                        {
                            _ready = NewReady();
                        }
                    }

                    Interlocked.CompareExchange(ref _current, null, connection);
                    try
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        // Tearing down a dead connection must never end the session loop.
                        Log.SessionFailed(_logger, remote.Text, ex);
                    }
                }
            }

            SetLock(held: false);
            if (wasReady)
            {
                OvsdbMetrics.Reconnects.Add(1);
                RaiseSessionChanged(new OvsdbSessionEvent(remote, false, null, lostReason));

                // The leader may have moved: try the next remote at once.
                continue;
            }

            if (lostReason is not null)
            {
                _connectFailed?.Invoke(new OvsdbSessionEvent(remote, false, null, lostReason));
            }

            if (++failedInCycle >= _remotes.Count)
            {
                failedInCycle = 0;
                var delay = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.5 + Random.Shared.NextDouble() / 2));
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, Options.MaxBackoff.TotalMilliseconds));
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private void Fail(Exception reason)
    {
        lock (_gate)
        {
            _fatal = reason;
            _ready.TrySetException(reason);
        }
    }

    private OvsdbReplica EnsureReplica(DatabaseSchema schema)
    {
        var current = _replica;
        if (current is not null && SameSchema(current.Schema, schema))
        {
            return current;
        }

        var tables = Options.Tables ?? [.. schema.Tables.Keys.Order(StringComparer.Ordinal).Select(t => new OvsdbTableMonitor(t))];
        var replica = new OvsdbReplica(schema, tables, _logger);
        _replica = replica;
        if (current is not null)
        {
            try
            {
                ReplicaReplaced?.Invoke(replica);
            }
            catch (Exception ex)
            {
                Log.SubscriberFailed(_logger, nameof(ReplicaReplaced), ex);
            }
        }

        return replica;
    }

    private static bool SameSchema(DatabaseSchema a, DatabaseSchema b) =>
        a.Name == b.Name && a.Version == b.Version && a.Checksum == b.Checksum;

    /// <summary>
    /// Reads this server's view of the database from <c>_Server</c> (ovsdb-server(5)) and keeps watching it: a clustered
    /// server that is not the leader (when <see cref="OvsdbClientOptions.LeaderOnly"/>), has lost the cluster, or is
    /// behind a server already seen (stale index) is not used. Returns the reason to refuse, or null.
    /// </summary>
    private async Task<string?> CheckServerAsync(OvsdbConnection connection, CancellationToken stop)
    {
        DatabaseSchema serverSchema;
        try
        {
            serverSchema = await connection.GetSchemaAsync("_Server", stop).ConfigureAwait(false);
        }
        catch (OvsdbServerException)
        {
            // No _Server (OVS before 2.9): a standalone server, nothing to check.
            return null;
        }

        var server = await connection.MonitorAsync(serverSchema, [new OvsdbTableMonitor("Database") { Columns = s_serverColumns }], stop).ConfigureAwait(false);
        var refusal = Evaluate(server);
        if (refusal is null)
        {
            server.Changed += _ =>
            {
                if (Evaluate(server) is { } reason)
                {
                    connection.Close(new OvsdbConnectionException(connection.Remote.Text, reason));
                }
            };
        }

        return refusal;
    }

    private string? Evaluate(OvsdbReplica server)
    {
        var row = server.GetRows("Database").FirstOrDefault(r => r.GetString("name") == Options.Database);
        if (row is null)
        {
            return $"the server does not host database {Options.Database}";
        }

        if (row.GetString("model") != "clustered")
        {
            return null;
        }

        if (!row["connected"].Keys[0].AsBoolean())
        {
            return "the server is not connected to its cluster";
        }

        if (Options.LeaderOnly && !row["leader"].Keys[0].AsBoolean())
        {
            return "the server is not the cluster leader";
        }

        var index = row["index"];
        if (index.Count == 1)
        {
            var value = index.Keys[0].AsInteger();
            var seen = Interlocked.Read(ref _maxClusterIndex);
            if (value < seen)
            {
                return $"the server is stale (its log index {value} is behind {seen}, already seen)";
            }

            while (value > seen && Interlocked.CompareExchange(ref _maxClusterIndex, value, seen) != seen)
            {
                seen = Interlocked.Read(ref _maxClusterIndex);
            }
        }

        return null;
    }
}
