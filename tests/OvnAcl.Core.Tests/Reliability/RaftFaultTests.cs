using System.Globalization;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>Faults of a 3-node RAFT Northbound during pod churn: the client follows the leader wherever it goes.</summary>
[Collection(FixtureCollections.RaftNb)]
public sealed class RaftFaultTests(RaftNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RaftNb _cluster = fixture.Cluster;
    private string _others = "";

    public async Task InitializeAsync()
    {
        await _cluster.EnsureHealthyAsync();
        var leader = await _cluster.WaitForLeaderAsync();
        await ReconcilerHarness.NbctlAsync(_cluster.Nodes[leader].TcpRemote, ChurnUnderFault.PortsCommand());
        _others = await FaultReport.SeedOthersAsync(_cluster.Nodes[leader].TcpRemote);
    }

    public async Task DisposeAsync() => await _cluster.EnsureHealthyAsync();

    [Fact]
    public async Task Leader_killed_during_churn_converges_to_the_compiled_rows()
    {
        var killed = -1;
        var run = await ChurnUnderFault.RunAsync(_cluster.Remotes, 11, async () =>
        {
            await Task.Delay(100);
            killed = await _cluster.KillLeaderAsync();
        }, output);

        AssertSameRows(KubernetesCompiler.CompileOrThrow(run.Cluster.Input()), run.Desired.Snapshot(), "engine");
        await _cluster.RestartNodeAsync(killed);
        await FaultReport.CheckAsync("RAFT leader SIGKILL", run, await LeaderRemoteAsync(), _others, output);
    }

    [Fact]
    public async Task Leader_leaving_the_cluster_during_churn_converges_to_the_compiled_rows()
    {
        var left = -1;
        var run = await ChurnUnderFault.RunAsync(_cluster.Remotes, 29, async () =>
        {
            await Task.Delay(100);
            left = await _cluster.GetLeaderIndexAsync();
            await _cluster.LeaveAsync(left);
        }, output);

        var remote = await LeaderRemoteAsync();
        Assert.NotEqual(_cluster.Nodes[left].TcpRemote, remote);
        await FaultReport.CheckAsync("RAFT leader cluster/leave", run, remote, _others, output);
        Assert.Equal(remote, run.ReadySessions[^1]);
    }

    [Fact]
    public async Task Election_forced_with_failure_test_during_churn_converges_to_the_compiled_rows()
    {
        var run = await ChurnUnderFault.RunAsync(_cluster.Remotes, 31, async () =>
        {
            await Task.Delay(100);
            await _cluster.TransferLeadershipAsync();
        }, output);

        var remote = await LeaderRemoteAsync();
        await FaultReport.CheckAsync("RAFT election forced (failure-test transfer-leadership)", run, remote, _others, output);
        Assert.Equal(remote, run.ReadySessions[^1]);
    }

    /// <summary>
    /// A follower frozen with SIGSTOP for 3 s: it answers neither the cluster nor clients, but neither does it run its
    /// election timer (for a real partition, see <see cref="RaftPartitionTests"/>). The leader keeps a majority; the
    /// client stays on it.
    /// </summary>
    [Fact]
    public async Task A_follower_frozen_with_SIGSTOP_does_not_move_the_client_off_the_leader()
    {
        var leader = await _cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % _cluster.Nodes.Count;
        var pid = _cluster.Nodes[follower].Process.Pid!.Value;
        var run = await ChurnUnderFault.RunAsync(_cluster.Remotes, 37, async () =>
        {
            await Task.Delay(100);
            Signal("STOP", pid);
            try
            {
                await Task.Delay(3000);
            }
            finally
            {
                Signal("CONT", pid);
            }
        }, output);

        Assert.Equal(leader, await _cluster.WaitForLeaderAsync());
        await FaultReport.CheckAsync("RAFT follower frozen 3 s (SIGSTOP)", run, _cluster.Nodes[leader].TcpRemote, _others, output);
        Assert.All(run.ReadySessions, r => Assert.Equal(_cluster.Nodes[leader].TcpRemote, r));
    }

    private async Task<string> LeaderRemoteAsync() => _cluster.Nodes[await _cluster.WaitForLeaderAsync()].TcpRemote;

    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
