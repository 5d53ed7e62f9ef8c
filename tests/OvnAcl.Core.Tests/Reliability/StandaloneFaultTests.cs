using System.Text.Json.Nodes;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>Faults of a standalone Northbound server and of the network to it, during pod churn.</summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class StandaloneFaultTests(StandaloneNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly StandaloneNb _nb = fixture.Nb;
    private string _others = "";

    public async Task InitializeAsync()
    {
        await _nb.ResetAsync();
        await ReconcilerHarness.NbctlAsync(_nb.UnixRemote, ChurnUnderFault.PortsCommand());
        _others = await FaultReport.SeedOthersAsync(_nb.UnixRemote);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Server_killed_and_restarted_during_churn_converges_to_the_compiled_rows()
    {
        var run = await ChurnUnderFault.RunAsync(_nb.UnixRemote, 7, async () =>
        {
            await Task.Delay(100);
            await _nb.KillAndRestartAsync();
        }, output);

        AssertSameRows(KubernetesCompiler.CompileOrThrow(run.Cluster.Input()), run.Desired.Snapshot(), "engine");
        await FaultReport.CheckAsync("standalone NB SIGKILL + restart", run, _nb.UnixRemote, _others, output);
        Assert.True(run.Stats.FullResyncs >= 2, "the restarted server's data is compared whole");
    }

    [Fact]
    public async Task Connections_cut_twice_and_refused_for_a_while_converge_to_the_compiled_rows()
    {
        await using var proxy = FaultProxy.Start(_nb.TcpRemote!);
        var run = await ChurnUnderFault.RunAsync(proxy.Remote, 13, async () =>
        {
            await Task.Delay(100);
            proxy.CutAll();
            await Task.Delay(300);
            proxy.RefuseFor(TimeSpan.FromSeconds(1));
            proxy.CutAll();
            await Task.Delay(1000);
        }, output);

        await FaultReport.CheckAsync("proxy: connections cut (RST) twice, refused 1 s", run, _nb.UnixRemote, _others, output);
        Assert.True(proxy.Accepted >= 3, $"the client reconnected after each cut ({proxy.Accepted} connections, {proxy.Refused} refused)");
        Assert.True(proxy.Refused >= 1, "a reconnect was refused while the proxy refused");
    }

    /// <summary>A stall longer than two probe intervals: nothing closes the socket, only the client's echo probe can tell.</summary>
    [Fact]
    public async Task A_stalled_connection_is_detected_by_the_probe_and_replaced()
    {
        await using var proxy = FaultProxy.Start(_nb.TcpRemote!);
        var run = await ChurnUnderFault.RunAsync(proxy.Remote, 17, async () =>
        {
            await Task.Delay(100);
            proxy.Stall(TimeSpan.FromSeconds(5));
            await Task.Delay(5000);
        }, output, probeInterval: TimeSpan.FromSeconds(1));

        await FaultReport.CheckAsync("proxy: stalled 5 s (probe 1 s)", run, _nb.UnixRemote, _others, output);
        Assert.True(proxy.Accepted >= 2, $"the stalled connection was given up and a new one made ({proxy.Accepted} connections)");
    }

    [Fact]
    public async Task A_slowed_connection_still_converges()
    {
        await using var proxy = FaultProxy.Start(_nb.TcpRemote!);
        var run = await ChurnUnderFault.RunAsync(proxy.Remote, 19, async () =>
        {
            proxy.ChunkDelay = TimeSpan.FromMilliseconds(30);
            proxy.BytesPerSecond = 20_000;
            await Task.Delay(3000);
            proxy.ChunkDelay = TimeSpan.Zero;
            proxy.BytesPerSecond = 0;
        }, output);

        await FaultReport.CheckAsync("proxy: slowed 3 s (30 ms/chunk, 20 kB/s)", run, _nb.UnixRemote, _others, output);
        Assert.Equal(1, proxy.Accepted);
    }

    /// <summary>
    /// <c>ovsdb-client convert</c> to a schema with a new version and an extra column in a table the reconciler does not
    /// read: the server cancels the monitors (<c>monitor_canceled</c>); the client must subscribe again and the reconciler
    /// compare whole. On a server of its own, so the fixture's schema stays the installed one.
    /// </summary>
    [Fact]
    public async Task A_schema_conversion_while_connected_is_followed_by_a_resubscription_and_convergence()
    {
        await using var nb = await StandaloneNb.StartAsync(StandaloneNbOptions.Default with { Tcp = false });
        await ReconcilerHarness.NbctlAsync(nb.UnixRemote, ChurnUnderFault.PortsCommand());
        var others = await FaultReport.SeedOthersAsync(nb.UnixRemote);
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(OvnSchemas.Northbound))!;
        var version = schema["version"]!.GetValue<string>().Split('.');
        schema["version"] = $"{version[0]}.{version[1]}.{int.Parse(version[2], provider: null) + 1}";
        schema["tables"]!["NB_Global"]!["columns"]!["ovnacl_fault_test"] = JsonNode.Parse("""{"type": {"key": "string", "min": 0, "max": 1}}""");
        var converted = Path.Combine(nb.Dir, "converted.ovsschema");
        await File.WriteAllTextAsync(converted, schema.ToJsonString());

        var run = await ChurnUnderFault.RunAsync(nb.UnixRemote, 23, async () =>
        {
            await Task.Delay(100);
            await OvsdbTool.RunAsync("ovsdb-client", ["convert", nb.UnixRemote, converted]);
        }, output);

        var now = await OvsdbTool.RunAsync("ovsdb-client", ["get-schema-version", nb.UnixRemote, "OVN_Northbound"]);
        Assert.Equal(schema["version"]!.GetValue<string>(), now.Stdout.Trim());
        await FaultReport.CheckAsync("schema converted while connected (monitor_canceled)", run, nb.UnixRemote, others, output);
        Assert.True(run.ReadySessions.Count >= 2, "the client subscribed again, on the converted schema, after monitor_canceled");
        Assert.True(run.Stats.FullResyncs >= 2, "the reconciler compared the new replica whole");
    }
}
