using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>
/// A real network partition of one member of a 3-node RAFT Northbound during pod churn: the member runs in its own
/// network namespace and every packet over its veth is dropped (<see cref="RaftNb.PartitionAsync"/>), so it keeps
/// running, its election timer fires and it stands for election, unlike a member frozen with SIGSTOP.
/// </summary>
[Collection(FixtureCollections.PartitionableRaftNb)]
public sealed class RaftPartitionTests(PartitionableRaftNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Several election timeouts (1 s by default): the member is a candidate that failed at least once by then.</summary>
    private static readonly TimeSpan PartitionTime = TimeSpan.FromSeconds(4);

    private const int Partitioned = PartitionableRaftNbFixture.PartitionedNode;

    private readonly RaftNb _cluster = fixture.Cluster;
    private string _others = "";

    private string PartitionedRemote => _cluster.Nodes[Partitioned].TcpRemote;

    public async Task InitializeAsync()
    {
        await _cluster.EnsureHealthyAsync();
        var leader = await _cluster.WaitForLeaderAsync();
        await ReconcilerHarness.NbctlAsync(_cluster.Nodes[leader].TcpRemote, ChurnUnderFault.PortsCommand());
        _others = await FaultReport.SeedOthersAsync(_cluster.Nodes[leader].TcpRemote);
    }

    public async Task DisposeAsync() => await _cluster.EnsureHealthyAsync();

    /// <summary>
    /// A follower cut off from everyone for 4 s, then healed: the other two keep a majority and the client stays on the
    /// leader while it lasts; the cut-off member is a candidate when the partition heals.
    /// </summary>
    [Fact]
    public async Task A_follower_partitioned_from_everyone_stands_for_election_and_the_client_stays_on_connected_members()
    {
        if (await _cluster.WaitForLeaderAsync() == Partitioned)
        {
            await _cluster.TransferLeadershipAsync();
        }

        var leader = await _cluster.WaitForLeaderAsync();
        var leaderRemote = _cluster.Nodes[leader].TcpRemote;
        var termBefore = (await _cluster.Nodes[leader].GetStatusAsync()).Term;
        var (run, cutOff) = await ChurnAcrossPartitionAsync(_cluster.Remotes, 41, clientsStillReachIt: false);
        Assert.Equal("candidate", cutOff?.Role);
        // While cut off the member only raises its own term; the other two keep a majority and the leader. On the heal
        // its vote requests carry that higher term and OVS (no pre-vote) makes the leader step down: one election,
        // which either host member may win, never the returning one (its log is behind). So the client may change
        // sessions once, between the two connected members, and never uses the partitioned one.
        var leaderAfter = await _cluster.WaitForLeaderAsync();
        var termAfter = (await _cluster.Nodes[leaderAfter].GetStatusAsync()).Term;
        output.WriteLine($"leader {_cluster.Nodes[leader].Name} at term {termBefore} before, {_cluster.Nodes[leaderAfter].Name} at term {termAfter} after");
        Assert.NotEqual(Partitioned, leaderAfter);
        await FaultReport.CheckAsync("RAFT follower partitioned 4 s (netns, all traffic dropped)", run, _cluster.Nodes[leaderAfter].TcpRemote, _others, output);
        Assert.All(run.ReadySessions, r => Assert.NotEqual(PartitionedRemote, r));
        Assert.Equal(leaderRemote, run.ReadySessions[0]);
    }

    /// <summary>
    /// The client's own server, the leader, loses its peers for 4 s while the client still reaches it: the others elect
    /// a new leader, the old one steps down and says so in <c>_Server</c>, and the client moves to the new leader.
    /// </summary>
    [Fact]
    public async Task The_leader_the_client_is_on_partitioned_from_its_peers_moves_the_client_to_the_new_leader()
    {
        await _cluster.MakeLeaderAsync(Partitioned);
        var (run, cutOff) = await ChurnAcrossPartitionAsync(_cluster.Remotes, 43, clientsStillReachIt: true);
        Assert.NotEqual("leader", cutOff?.Role);
        var leader = await _cluster.WaitForLeaderAsync();
        Assert.NotEqual(Partitioned, leader);
        await FaultReport.CheckAsync("RAFT leader partitioned from its peers 4 s, client on it (netns)", run, _cluster.Nodes[leader].TcpRemote, _others, output);
        Assert.Equal(PartitionedRemote, run.ReadySessions[0]);
        Assert.True(run.ReadySessions.Count >= 2, "the client never left the partitioned leader");
        // Not "the last session is on today's leader": the healed member's vote requests, sent when its timer next
        // fires, may force one more election after the run has ended (see the first test).
        Assert.All(run.ReadySessions.Skip(1), r => Assert.NotEqual(PartitionedRemote, r));
    }

    /// <summary>
    /// A client that accepts followers (<c>LeaderOnly = false</c>) and is put on the follower that then loses its peers
    /// (its clients still reach it): the follower reports <c>_Server.Database.connected = false</c> once its election
    /// fails, and the client moves to a connected member.
    /// </summary>
    [Fact]
    public async Task A_client_on_a_follower_partitioned_from_its_peers_moves_to_a_connected_member()
    {
        if (await _cluster.WaitForLeaderAsync() == Partitioned)
        {
            await _cluster.TransferLeadershipAsync();
        }

        var remotes = string.Join(',', _cluster.Nodes.OrderBy(n => n.Index == Partitioned ? 0 : 1).Select(n => n.TcpRemote));
        var (run, cutOff) = await ChurnAcrossPartitionAsync(remotes, 47, clientsStillReachIt: true, o => o with { LeaderOnly = false, ShuffleRemotes = false });
        Assert.Equal("candidate", cutOff?.Role);
        var leader = await _cluster.WaitForLeaderAsync();
        await FaultReport.CheckAsync("RAFT follower partitioned from its peers 4 s, client on it (netns, LeaderOnly off)", run, _cluster.Nodes[leader].TcpRemote, _others, output);
        Assert.Equal(PartitionedRemote, run.ReadySessions[0]);
        Assert.True(run.ReadySessions.Count >= 2, "the client never left the partitioned follower");
        Assert.All(run.ReadySessions.Skip(1), r => Assert.NotEqual(PartitionedRemote, r));
    }

    /// <summary>
    /// Churn through a client on <paramref name="remotes"/> while <see cref="Partitioned"/> is cut off for
    /// <see cref="PartitionTime"/>; returns the run and the cut-off member's own status just before the heal.
    /// </summary>
    private async Task<(ChurnRun Run, RaftStatus? CutOff)> ChurnAcrossPartitionAsync(
        string remotes, int seed, bool clientsStillReachIt, Func<OvsdbClientOptions, OvsdbClientOptions>? clientOptions = null)
    {
        RaftStatus? cutOff = null;
        var run = await ChurnUnderFault.RunAsync(remotes, seed, async () =>
        {
            await Task.Delay(100);
            await _cluster.PartitionAsync(Partitioned, clientsStillReachIt);
            try
            {
                await Task.Delay(PartitionTime);
                cutOff = await _cluster.Nodes[Partitioned].GetStatusAsync();
            }
            finally
            {
                await _cluster.HealAsync(Partitioned);
            }
        }, output, clientOptions: clientOptions);

        output.WriteLine($"{_cluster.Nodes[Partitioned].Name} before the heal: role={cutOff?.Role} term={cutOff?.Term} leader={cutOff?.LeaderId ?? "unknown"}");
        return (run, cutOff);
    }
}
