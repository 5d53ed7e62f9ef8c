using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Hosting;

/// <summary>
/// The hosted service <c>AddOvnAcl</c> registers: it starts the Northbound client, runs the <see cref="AclReconciler"/>
/// until the host stops, and then closes both. The host's start does not wait for the database: the client connects
/// (and reconnects, after losing the server or the leader) in the background, and the reconciler compares everything
/// again on each new session; meanwhile <see cref="GetStatusAsync"/> and the health check say so. An error that
/// retrying cannot cure (a client that does not replicate the reconciler's tables) ends the service, and with the
/// host's default <c>BackgroundServiceExceptionBehavior.StopHost</c> the host.
/// </summary>
public sealed class OvnAclReconcilerService : BackgroundService
{
    private readonly OvsdbClient _client;
    private readonly AclReconciler _reconciler;
    private readonly OvnAclOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopped = new();
    private Task? _convergence;
    private int _state; // 0 not started, 1 running, 2 stopped
    private Exception? _error;

    /// <summary>Created by the container; the client, the reconciler and the desired state are the container's singletons.</summary>
    public OvnAclReconcilerService(OvsdbClient client, AclReconciler reconciler, IOptions<OvnAclOptions> options, ILogger<OvnAclReconcilerService> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _reconciler = reconciler;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Starts the service; it counts as running from here on (ExecuteAsync itself may start later, on a pool thread).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _state, 1);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lockText = _options.LockName is { } name ? $", lock {name}" : "";
        Log.Starting(_logger, _reconciler.State.ControllerName, string.Join(",", _client.Remotes), lockText);
        try
        {
            // Waits (retrying in the background) for the first synchronized session, however long the server is away.
            await _client.StartAsync(stoppingToken).ConfigureAwait(false);
            Log.Connected(_logger, _client.CurrentRemote?.Text ?? "");
            await _reconciler.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _error = ex;
            Log.Failed(_logger, ex);
            throw;
        }
        finally
        {
            Volatile.Write(ref _state, 2);
        }
    }

    /// <summary>Stops the reconciler (a transaction in flight is answered first), then closes the client's connection.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _state, 2);
            await _stopped.CancelAsync().ConfigureAwait(false);
            await _reconciler.DisposeAsync().ConfigureAwait(false);
            await _client.DisposeAsync().ConfigureAwait(false);
            Log.Stopped(_logger);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _stopped.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Connected, lock held and converged, now. Converged is asked of the reconciler
    /// (<see cref="AclReconciler.WaitForConvergenceAsync"/>) and waited for at most
    /// <see cref="OvnAclOptions.ConvergenceProbeTimeout"/>; the other facts are read at once.
    /// </summary>
    public async Task<OvnAclStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var state = Volatile.Read(ref _state);
        var running = state == 1 && _error is null;
        var connected = running && _client.IsConnected;
        var lockName = _client.Options.LockName;
        var holdsLock = lockName is null || (connected && _client.HasLock);
        var desired = _reconciler.State;
        var unlisted = desired.UnlistedInputs;
        var conflicts = running ? _reconciler.Conflicts.Count : 0;
        var converged = connected && holdsLock && unlisted.Count == 0
            && await IsConvergedAsync(cancellationToken).ConfigureAwait(false);
        var remote = connected ? _client.CurrentRemote?.Text : null;
        var stats = _reconciler.Stats;

        var (health, description) = (running, connected, holdsLock, converged) switch
        {
            (false, _, _, _) when _error is { } error => (HealthStatus.Unhealthy, $"stopped on an error: {error.Message}"),
            (false, _, _, _) => (HealthStatus.Unhealthy, state == 0 ? "not started" : "stopped"),
            (_, false, _, _) => (HealthStatus.Unhealthy, $"not connected to the Northbound database ({string.Join(",", _client.Remotes)}); reconnecting"),
            (_, _, false, _) => (HealthStatus.Healthy, $"standby on {remote}: another instance holds the lock {lockName}"),
            (_, _, _, false) when unlisted.Count > 0 => (HealthStatus.Degraded, $"waiting for the inputs to be listed: {string.Join(", ", unlisted)}"),
            (_, _, _, false) => (HealthStatus.Degraded, $"not converged on {remote}: changes pending ({stats.Failed} transactions refused so far)"),
            _ when conflicts > 0 => (HealthStatus.Degraded, $"converged on {remote} except {conflicts} rows left alone (another owner's, or refused)"),
            _ => (HealthStatus.Healthy, $"converged on {remote}: {desired.PortGroupCount} port groups, {desired.AddressSetCount} address sets"),
        };

        return new OvnAclStatus
        {
            Health = health,
            Description = description,
            Running = running,
            Connected = connected,
            Remote = remote,
            Sessions = _client.SessionCount,
            LockName = lockName,
            HoldsLock = holdsLock,
            Converged = converged,
            UnlistedInputs = unlisted,
            Conflicts = conflicts,
            PortGroups = desired.PortGroupCount,
            AddressSets = desired.AddressSetCount,
            Transactions = stats.Transactions,
            Committed = stats.Committed,
            Failed = stats.Failed,
            Error = _error,
        };
    }

    /// <summary>
    /// At most one convergence waiter is left with the reconciler: while one has not completed the database has not
    /// settled since it was asked, so a probe waits on it instead of piling up new ones during a long outage.
    /// </summary>
    private async Task<bool> IsConvergedAsync(CancellationToken cancellationToken)
    {
        Task waiter;
        lock (_gate)
        {
            if (_convergence is null || _convergence.IsCompleted)
            {
                _convergence = _reconciler.WaitForConvergenceAsync(_stopped.Token);
            }

            waiter = _convergence;
        }

        try
        {
            await waiter.WaitAsync(_options.ConvergenceProbeTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
