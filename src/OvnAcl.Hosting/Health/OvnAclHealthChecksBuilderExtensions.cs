using Microsoft.Extensions.Diagnostics.HealthChecks;
using OvnAcl.Hosting;
using OvnAcl.Hosting.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddHealthChecks().AddOvnAcl()</c>: OvnAcl's status as a health check (ASP.NET Core's health endpoints, or any <c>HealthCheckService</c>).</summary>
public static class OvnAclHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds the health check <paramref name="name"/>, reporting what <see cref="OvnAclReconcilerService.GetStatusAsync"/>
    /// finds: Unhealthy (or <paramref name="failureStatus"/>) when not connected or not running, Degraded when not
    /// converged, Healthy when converged or a standby; the facts (connected, lock held, converged, ...) as data.
    /// </summary>
    public static IHealthChecksBuilder AddOvnAcl(this IHealthChecksBuilder builder, string name = "ovnacl",
        HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name,
            sp => new OvnAclHealthCheck(sp.GetRequiredService<OvnAclReconcilerService>()), failureStatus, tags, timeout));
    }
}
