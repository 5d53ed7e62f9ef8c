using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Reconciliation.ReconcilerHarness;

namespace OvnAcl.Core.Tests.Reconciliation;

[Collection(FixtureCollections.RaftNb)]
public sealed class AclReconcilerRaftTests(RaftNbFixture fixture, ITestOutputHelper output)
{
    private readonly RaftNb _cluster = fixture.Cluster;

    [Fact]
    public async Task Leader_killed_while_changes_flow_converges_with_nothing_missing_or_twice()
    {
        await _cluster.EnsureHealthyAsync();
        var leader = await _cluster.WaitForLeaderAsync();
        var prefix = $"r{Guid.NewGuid():N}"[..9];
        await using var h = await StartAsync(_cluster.Remotes);
        h.State.PutAddressSet($"{prefix}_as", Ids());
        h.Run();
        await h.ConvergeAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                h.State.AddAddress($"{prefix}_as", $"10.5.{i / 200}.{i % 200}");
                if (i % 30 == 0)
                {
                    h.State.PutPortGroup($"{prefix}_pg{i}", Ids(), [MakeAcl($"{prefix}_pg{i}", "a", 1001), MakeAcl($"{prefix}_pg{i}", "b", 1002, afterLb: true)]);
                }

                await Task.Delay(3, deadline.Token);
            }
        });
        while (h.Reconciler.Stats.Committed < 5)
        {
            await Task.Delay(5, deadline.Token);
        }

        var killed = await _cluster.KillLeaderAsync(deadline.Token);
        await producer;
        await h.ConvergeAsync(TimeSpan.FromSeconds(25));
        await _cluster.RestartNodeAsync(killed, deadline.Token);
        leader = await _cluster.WaitForLeaderAsync();
        await NbContents.EventuallyEqualAsync(_cluster.Nodes[leader].TcpRemote, h.State, TimeSpan.FromSeconds(5));
        output.WriteLine($"killed node {killed}; {h.Reconciler.Stats}");
        Assert.True(h.Reconciler.Stats.FullResyncs >= 2, "the new leader's session is compared whole");
    }
}
