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

    /// <summary>
    /// The leader is frozen (SIGSTOP) so that the reconciler's next transaction is surely in flight, then killed: the
    /// transaction's outcome is unknown, and the reconciler must re-derive from the new leader's data instead of
    /// re-sending: every ACL of the port groups that transaction carried exists exactly once.
    /// </summary>
    [Fact]
    public async Task Leader_killed_with_a_transaction_in_flight_leaves_nothing_missing_or_twice()
    {
        await _cluster.EnsureHealthyAsync();
        var leader = await _cluster.WaitForLeaderAsync();
        var prefix = $"u{Guid.NewGuid():N}"[..9];
        await using var h = await StartAsync(_cluster.Remotes);
        h.State.PutAddressSet($"{prefix}_as", Ids());
        h.Run();
        await h.ConvergeAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var pid = _cluster.Nodes[leader].Process.Pid ?? throw new InvalidOperationException("the leader is not running");
        Signal("STOP", pid);
        var sentBefore = h.Reconciler.Stats.Transactions;
        for (var i = 0; i < 5; i++)
        {
            h.State.PutPortGroup($"{prefix}_pg{i}", Ids(), [MakeAcl($"{prefix}_pg{i}", "a", 1001), MakeAcl($"{prefix}_pg{i}", "b", 1002, afterLb: true)]);
            h.State.AddAddress($"{prefix}_as", $"10.6.0.{i}");
        }

        while (h.Reconciler.Stats.Transactions == sentBefore)
        {
            await Task.Delay(5, deadline.Token);
        }

        _cluster.Nodes[leader].Process.Kill();
        Signal("CONT", pid);
        for (var i = 5; i < 50; i++)
        {
            h.State.AddAddress($"{prefix}_as", $"10.6.0.{i}");
            await Task.Delay(5, deadline.Token);
        }

        await h.ConvergeAsync(TimeSpan.FromSeconds(30));
        await _cluster.RestartNodeAsync(leader, deadline.Token);
        var now = await _cluster.WaitForLeaderAsync();
        await NbContents.EventuallyEqualAsync(_cluster.Nodes[now].TcpRemote, h.State, TimeSpan.FromSeconds(5));
        output.WriteLine($"froze and killed node {leader}; {h.Reconciler.Stats}");
        Assert.True(h.Reconciler.Stats.OutcomeUnknown >= 1, "the frozen leader's transaction had no answer");
        Assert.Equal(0, h.Reconciler.Stats.Failed);
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
