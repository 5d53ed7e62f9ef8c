using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OvnAcl.Hosting;

/// <summary>
/// What <see cref="OvnAclReconcilerService.GetStatusAsync"/> found, usable without ASP.NET (the health check reports
/// the same): whether the client is connected, whether this instance holds the lock (when one is configured), whether
/// the database equals the desired state, and the resulting <see cref="Health"/> with a one-line
/// <see cref="Description"/>.
/// </summary>
/// <remarks>
/// <see cref="HealthStatus.Unhealthy"/>: not running, or not connected (nothing can be written).
/// <see cref="HealthStatus.Degraded"/>: connected and active, but not converged (inputs not listed yet, changes pending,
/// transactions refused) or some wanted rows are left alone (<see cref="Conflicts"/>).
/// <see cref="HealthStatus.Healthy"/>: converged; or a standby, connected, while another instance holds the lock.
/// </remarks>
public sealed record OvnAclStatus
{
    /// <summary>Healthy, Degraded or Unhealthy, as above.</summary>
    public required HealthStatus Health { get; init; }

    /// <summary>One line saying why, e.g. <c>converged: 4 port groups, 2 address sets on tcp:10.0.0.1:6641</c>.</summary>
    public required string Description { get; init; }

    /// <summary>Whether the hosted service runs (started and not stopped or failed).</summary>
    public required bool Running { get; init; }

    /// <summary>Whether the client has a live, synchronized session now.</summary>
    public required bool Connected { get; init; }

    /// <summary>The remote of the live session, or null while not connected.</summary>
    public string? Remote { get; init; }

    /// <summary>How many sessions were established since the start (a reconnect adds one).</summary>
    public long Sessions { get; init; }

    /// <summary>The configured OVSDB lock, or null when none is.</summary>
    public string? LockName { get; init; }

    /// <summary>Whether this instance holds <see cref="LockName"/>; true when no lock is configured (it always writes).</summary>
    public bool HoldsLock { get; init; }

    /// <summary>Whether the database was seen equal to the desired state (every change committed, nothing pending) within the probe's timeout.</summary>
    public bool Converged { get; init; }

    /// <summary>Inputs the desired state still waits for (e.g. <c>Pod</c>, <c>NetworkPolicy</c>); nothing is written until each is listed.</summary>
    public IReadOnlyList<string> UnlistedInputs { get; init; } = [];

    /// <summary>Wanted rows left alone (held by another owner, or refused by the server).</summary>
    public int Conflicts { get; init; }

    /// <summary>Port groups the desired state holds.</summary>
    public int PortGroups { get; init; }

    /// <summary>Address sets the desired state holds.</summary>
    public int AddressSets { get; init; }

    /// <summary>Transactions the reconciler sent since the start, whatever their outcome.</summary>
    public long Transactions { get; init; }

    /// <summary>Transactions committed since the start.</summary>
    public long Committed { get; init; }

    /// <summary>Transactions the server refused since the start.</summary>
    public long Failed { get; init; }

    /// <summary>Why the service stopped, when it stopped on an error.</summary>
    public Exception? Error { get; init; }
}
