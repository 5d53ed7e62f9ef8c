using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Kubernetes.Incremental;

/// <summary>
/// Pod churn through the engine and the reconciler while the database fails: random cluster events keep flowing
/// while the server is killed; afterwards the database holds exactly the compile of the final cluster.
/// </summary>
internal static class ChurnUnderFault
{
    public static readonly string[] Ports = [.. new[] { "x", "y", "z", "w" }.SelectMany(n => new[] { "a", "b", "c", "d", "e" }.Select(p => n + "_" + p))];

    public static async Task<(DesiredState Desired, ClusterObjects Cluster, ReconcilerStats Stats)> RunAsync(
        string remotes, int seed, Func<Task> fault, ITestOutputHelper output)
    {
        await using var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Tables = AclReconciler.MonitoredTables(),
            Connection = OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.FromSeconds(2) },
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        await using var reconciler = new AclReconciler(client, desired);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reconciler.RunAsync(stop.Token));

        var world = new RandomWorld(seed);
        var cluster = new ClusterObjects();
        var events = 0;
        async Task ChurnAsync(int count)
        {
            for (var i = 0; i < count; i++, events++)
            {
                world.NextEvent(cluster, engine);
                await Task.Delay(2);
            }
        }

        await ChurnAsync(100);
        var faulting = fault();
        await ChurnAsync(200);
        await faulting;
        await ChurnAsync(100);
        await reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run;
        output.WriteLine($"{events} events; {reconciler.Stats}");
        return (desired, cluster, reconciler.Stats);
    }
}

[Collection(FixtureCollections.StandaloneNb)]
public sealed class StandaloneChurnFaultTests(StandaloneNbFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Pod_churn_across_a_server_kill_and_restart_converges_to_the_compiled_rows()
    {
        var nb = fixture.Nb;
        await nb.ResetAsync();
        await ReconcilerHarness.NbctlAsync(nb.UnixRemote, ["ls-add", "pods", .. ChurnUnderFault.Ports.SelectMany(p => new[] { "--", "lsp-add", "pods", p })]);
        var (desired, cluster, stats) = await ChurnUnderFault.RunAsync(nb.UnixRemote, 7, async () =>
        {
            await Task.Delay(100);
            await nb.KillAndRestartAsync();
        }, output);

        AssertSameRows(KubernetesCompiler.CompileOrThrow(cluster.Input()), desired.Snapshot(), "engine");
        await NbContents.EventuallyEqualAsync(nb.UnixRemote, desired, TimeSpan.FromSeconds(10));
        Assert.True(stats.FullResyncs >= 2, "the restarted server's data is compared whole");
    }
}

[Collection(FixtureCollections.RaftNb)]
public sealed class RaftChurnFaultTests(RaftNbFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Pod_churn_across_a_leader_kill_converges_to_the_compiled_rows()
    {
        var cluster = fixture.Cluster;
        await cluster.EnsureHealthyAsync();
        var leader = await cluster.WaitForLeaderAsync();
        await ReconcilerHarness.NbctlAsync(cluster.Nodes[leader].TcpRemote,
            ["--may-exist", "ls-add", "pods", .. ChurnUnderFault.Ports.SelectMany(p => new[] { "--", "--may-exist", "lsp-add", "pods", p })]);
        var killed = -1;
        var (desired, objects, _) = await ChurnUnderFault.RunAsync(cluster.Remotes, 11, async () =>
        {
            await Task.Delay(100);
            killed = await cluster.KillLeaderAsync();
        }, output);

        AssertSameRows(KubernetesCompiler.CompileOrThrow(objects.Input()), desired.Snapshot(), "engine");
        await cluster.RestartNodeAsync(killed);
        var now = await cluster.WaitForLeaderAsync();
        await NbContents.EventuallyEqualAsync(cluster.Nodes[now].TcpRemote, desired, TimeSpan.FromSeconds(10));
    }
}
