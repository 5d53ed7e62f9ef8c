using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Hosting.Tests;

/// <summary>
/// AddOvnAcl in a real host against a real NB: the sample lands and the health check says Healthy; the server killed
/// makes it Unhealthy and the service keeps going, back it is Healthy with what changed meanwhile; stopping the host
/// closes the connection.
/// </summary>
public sealed class OvnAclHostingTests : IAsyncLifetime
{
    private StandaloneNb _nb = null!;

    public async Task InitializeAsync() => _nb = await StandaloneNb.StartAsync(StandaloneNbOptions.Default with { Tcp = false });

    public async Task DisposeAsync() => await _nb.DisposeAsync();

    [Fact]
    public async Task A_host_converges_a_compiled_policy_and_reports_healthy()
    {
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        Assert.NotEmpty(expected.PortGroups);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, expected);
        var logs = new LogSink();
        var host = HostedNb.Build(HostedNb.Settings(_nb.UnixRemote), logs);
        var engine = host.Services.GetRequiredService<KubernetesEngine>();
        Assert.Same(host.Services.GetRequiredService<DesiredState>(), engine.Desired);
        engine.Load(input);
        engine.MarkAllListed();

        await host.StartAsync();
        var entry = await HostedNb.EventuallyAsync(host, HealthStatus.Healthy);
        Assert.Equal(true, entry.Data["connected"]);
        Assert.Equal(true, entry.Data["converged"]);
        Assert.Equal(expected.PortGroups.Count, entry.Data["portGroups"]);
        Assert.False(entry.Data.ContainsKey("lock"));
        await HostedNb.AssertHoldsAsync(_nb.UnixRemote, expected);

        // The client's and the reconciler's logs went to the host's logging.
        Assert.Contains(logs.Entries, e => e.Category == typeof(AclReconciler).FullName && e.Message.Contains(HostedNb.Controller, StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Category == typeof(OvnAclReconcilerService).FullName);

        var client = host.Services.GetRequiredService<OvsdbClient>();
        var service = host.Services.GetRequiredService<OvnAclReconcilerService>();
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.WaitForConnectionAsync());
        var stopped = await service.GetStatusAsync();
        Assert.Equal(HealthStatus.Unhealthy, stopped.Health);
        Assert.False(stopped.Running);
        host.Dispose();
    }

    [Fact]
    public async Task Health_follows_the_server_away_and_back_and_what_changed_meanwhile_lands()
    {
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, expected);
        using var host = HostedNb.Build(HostedNb.Settings(_nb.UnixRemote));
        var engine = host.Services.GetRequiredService<KubernetesEngine>();
        engine.Load(input);
        engine.MarkAllListed();
        await host.StartAsync();
        await HostedNb.EventuallyAsync(host, HealthStatus.Healthy);

        _nb.Process.Kill();
        var down = await HostedNb.EventuallyAsync(host, HealthStatus.Unhealthy);
        Assert.Equal(false, down.Data["connected"]);
        Assert.Contains("not connected", down.Description, StringComparison.Ordinal);

        // The app goes on feeding the engine while the database is away: a web pod added.
        var web3 = HostedNb.Pod("three-tier", "web-3", "web", "10.244.0.13");
        Assert.DoesNotContain(engine.UpsertPod(web3), d => d.IsError);
        await _nb.Process.RestartAsync();
        await HostedNb.AddPortsAsync(_nb.UnixRemote, ["three-tier_web-3"]);

        var back = await HostedNb.EventuallyAsync(host, HealthStatus.Healthy);
        Assert.True((long)back.Data["sessions"] >= 2);
        var now = HostedNb.Compile(KubernetesInput.FromObjects(
            input.Policies.Select(p => p.Object), input.Pods.Select(p => p.Object).Append(web3), input.Namespaces.Select(n => n.Object)));
        await HostedNb.AssertHoldsAsync(_nb.UnixRemote, now);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_host_starts_without_the_database_and_converges_once_it_comes()
    {
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, expected);
        _nb.Process.Kill();
        using var host = HostedNb.Build(HostedNb.Settings(_nb.UnixRemote));
        host.Services.GetRequiredService<KubernetesEngine>().Load(input);
        var service = host.Services.GetRequiredService<OvnAclReconcilerService>();

        // The start does not wait for the database; the plain status (no health-check service involved) says why.
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var absent = await service.GetStatusAsync();
        Assert.Equal(HealthStatus.Unhealthy, absent.Health);
        Assert.True(absent.Running);
        Assert.False(absent.Connected);
        Assert.Equal(0, absent.Sessions);

        await _nb.Process.RestartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        OvnAclStatus status;
        while ((status = await service.GetStatusAsync()).Health != HealthStatus.Healthy)
        {
            Assert.True(DateTime.UtcNow < deadline, $"status stayed {status.Health}: {status.Description}");
            await Task.Delay(100);
        }

        Assert.True(status.Converged);
        Assert.Equal(_nb.UnixRemote, status.Remote);
        Assert.True(status.Committed > 0);
        await HostedNb.AssertHoldsAsync(_nb.UnixRemote, expected);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_wanted_row_held_by_another_owner_makes_it_degraded()
    {
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, expected);
        var taken = expected.PortGroups[0].Name;
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "pg-add", taken]);
        using var host = HostedNb.Build(HostedNb.Settings(_nb.UnixRemote));
        host.Services.GetRequiredService<KubernetesEngine>().Load(input);
        await host.StartAsync();

        // Degraded while converging too: wait for the reconciler to have settled around the conflict.
        var entry = await HostedNb.EventuallyAsync(host, e => (bool)e.Data["converged"], "convergence around the conflict");
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(1, entry.Data["conflicts"]);
        Assert.Contains("left alone", entry.Description, StringComparison.Ordinal);
        Assert.Equal(taken, Assert.Single(host.Services.GetRequiredService<AclReconciler>().Conflicts).Name);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Until_every_input_is_listed_nothing_is_written_and_health_is_degraded()
    {
        using var host = HostedNb.Build(HostedNb.Settings(_nb.UnixRemote));
        var engine = host.Services.GetRequiredService<KubernetesEngine>();
        var input = await HostedNb.ThreeTierAsync();
        foreach (var ns in input.Namespaces)
        {
            engine.UpsertNamespace(ns.Object);
        }

        foreach (var policy in input.Policies)
        {
            engine.UpsertPolicy(policy.Object);
        }

        engine.MarkListed(KubernetesInputKind.Namespace);
        await host.StartAsync();

        var waiting = await HostedNb.EventuallyAsync(host, HealthStatus.Degraded);
        Assert.Contains("Pod", (string)waiting.Data["unlistedInputs"], StringComparison.Ordinal);
        Assert.Equal(0L, waiting.Data["transactions"]);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task With_a_lock_one_host_writes_and_the_other_is_a_healthy_standby()
    {
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, expected);
        var settings = HostedNb.Settings(_nb.UnixRemote);
        settings["OvnAcl:LockName"] = "ovnacl_hosting_test";
        using var first = HostedNb.Build(settings);
        using var second = HostedNb.Build(settings);
        foreach (var host in new[] { first, second })
        {
            var engine = host.Services.GetRequiredService<KubernetesEngine>();
            engine.Load(input);
            engine.MarkAllListed();
            await host.StartAsync();
        }

        // Until the lock is granted both are standbys: wait for one to hold it and have converged.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HealthReportEntry a, b;
        while (true)
        {
            (a, b) = (await HostedNb.HealthAsync(first), await HostedNb.HealthAsync(second));
            if (a.Status == HealthStatus.Healthy && b.Status == HealthStatus.Healthy && (bool)a.Data["lockHeld"] != (bool)b.Data["lockHeld"]
                && (bool)((bool)a.Data["lockHeld"] ? a : b).Data["converged"])
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"first: {a.Status} {a.Description}; second: {b.Status} {b.Description}");
            await Task.Delay(100);
        }

        Assert.Equal("ovnacl_hosting_test", a.Data["lock"]);
        var standby = (bool)a.Data["lockHeld"] ? b : a;
        Assert.Contains("standby", standby.Description, StringComparison.Ordinal);
        Assert.Equal(false, standby.Data["converged"]);
        await HostedNb.AssertHoldsAsync(_nb.UnixRemote, expected);
        await first.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await second.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
