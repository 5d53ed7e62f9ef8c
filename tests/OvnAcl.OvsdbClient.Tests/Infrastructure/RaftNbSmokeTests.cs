using System.Diagnostics;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

[Collection(FixtureCollections.RaftNb)]
public sealed class RaftNbSmokeTests(RaftNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private RaftNb Cluster => fixture.Cluster;

    public Task InitializeAsync() => Cluster.EnsureHealthyAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Has_one_leader_that_every_member_follows()
    {
        output.WriteLine($"cluster of {Cluster.Nodes.Count} came up in {Cluster.StartupDuration.TotalMilliseconds:0} ms: {Cluster.Remotes}");
        var leader = await Cluster.GetLeaderIndexAsync();

        var statuses = await Task.WhenAll(Cluster.Nodes.Select(n => n.GetStatusAsync()));
        Assert.All(statuses, s => Assert.True(s.IsMember, s.Raw));
        Assert.Single(statuses, s => s.IsLeader);
        Assert.All(statuses, s => Assert.Equal(statuses[leader].ServerId, s.LeaderId));
    }

    [Fact]
    public async Task Killing_the_leader_elects_another_and_nbctl_still_writes_through_all_remotes()
    {
        var killed = await Cluster.KillLeaderAsync();
        var election = Stopwatch.StartNew();
        var leader = await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"node{killed} killed; node{leader} elected after {election.ElapsedMilliseconds} ms");

        Assert.NotEqual(killed, leader);
        await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + Cluster.Remotes, "--timeout=20", "ls-add", "after-failover"]);
        var switches = await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + Cluster.Nodes[leader].TcpRemote, "ls-list"]);
        Assert.Contains("after-failover", switches.Stdout, StringComparison.Ordinal);

        var restart = Stopwatch.StartNew();
        await Cluster.RestartNodeAsync(killed);
        output.WriteLine($"node{killed} restarted and following again after {restart.ElapsedMilliseconds} ms");
        var dump = await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + Cluster.Nodes[killed].UnixRemote, "--no-leader-only", "ls-list"]);
        Assert.Contains("after-failover", dump.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leadership_can_be_transferred()
    {
        var old = await Cluster.GetLeaderIndexAsync();

        var leader = await Cluster.TransferLeadershipAsync();

        Assert.NotEqual(old, leader);
    }

    [Fact]
    public async Task A_node_that_left_is_joined_back_by_ensure_healthy()
    {
        var leader = await Cluster.GetLeaderIndexAsync();
        var follower = (leader + 1) % Cluster.Nodes.Count;

        await Cluster.LeaveAsync(follower);
        var leaderStatus = await Cluster.Nodes[leader].GetStatusAsync();
        Assert.Equal(Cluster.Nodes.Count - 1, leaderStatus.Raw.Split('\n').Count(l => l.Contains(" at tcp:127.0.0.1:", StringComparison.Ordinal)));

        var rejoin = Stopwatch.StartNew();
        await Cluster.EnsureHealthyAsync();
        output.WriteLine($"node{follower} rejoined in {rejoin.ElapsedMilliseconds} ms");
        Assert.True((await Cluster.Nodes[follower].GetStatusAsync()).IsMember);
    }
}
