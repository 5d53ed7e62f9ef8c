using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OvnAcl.Hosting.Health;

/// <summary>The <see cref="OvnAclStatus"/> as an ASP.NET-style health check: its health, description and facts as data entries.</summary>
internal sealed class OvnAclHealthCheck(OvnAclReconcilerService service) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await service.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["connected"] = status.Connected,
            ["remote"] = status.Remote ?? "",
            ["sessions"] = status.Sessions,
            ["converged"] = status.Converged,
            ["unlistedInputs"] = string.Join(",", status.UnlistedInputs),
            ["conflicts"] = status.Conflicts,
            ["portGroups"] = status.PortGroups,
            ["addressSets"] = status.AddressSets,
            ["transactions"] = status.Transactions,
            ["transactionsFailed"] = status.Failed,
        };
        if (status.LockName is { } lockName)
        {
            data["lock"] = lockName;
            data["lockHeld"] = status.HoldsLock;
        }

        // A check's own failure status (AddOvnAcl(failureStatus: ...)) replaces Unhealthy, as for any registered check.
        var health = status.Health == HealthStatus.Unhealthy ? context.Registration.FailureStatus : status.Health;
        return new HealthCheckResult(health, status.Description, status.Error, data);
    }
}
