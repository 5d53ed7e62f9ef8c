using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OvnAcl.Samples.Informer;

/// <summary>
/// The health checks without ASP.NET: every few seconds, logs the OvnAcl check's status when it changes. A web host
/// would map them instead (<c>app.MapHealthChecks("/healthz")</c>) for Kubernetes' probes.
/// </summary>
public sealed class HealthLogger(HealthCheckService health, ILogger<HealthLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? last = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            var report = await health.CheckHealthAsync(stoppingToken).ConfigureAwait(false);
            foreach (var (name, entry) in report.Entries)
            {
                var line = $"{name}: {entry.Status}: {entry.Description}";
                if (line != last)
                {
                    logger.LogInformation("{Health}", line);
                    last = line;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
