using System.Collections.Concurrent;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.OvsdbClient.Tests.Integration;

using OvsdbClient = OvnAcl.Ovsdb.OvsdbClient;

[Collection(FixtureCollections.RaftNb)]
public sealed class RaftClientTests(RaftNbFixture fixture, ITestOutputHelper output)
{
    private readonly RaftNb _cluster = fixture.Cluster;

    [Fact]
    public async Task Connects_to_the_leader_only()
    {
        await _cluster.EnsureHealthyAsync();
        await using var client = new OvsdbClient(_cluster.Remotes, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("NB_Global")],
        });
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var leader = await _cluster.GetLeaderIndexAsync();
        Assert.Equal(_cluster.Nodes[leader].TcpRemote, client.CurrentRemote!.Text);
    }

    [Fact]
    public async Task Leader_killed_during_a_stream_of_transactions_loses_nothing_silently()
    {
        await _cluster.EnsureHealthyAsync();
        await using var client = new OvsdbClient(_cluster.Remotes, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Address_Set")],
            Connection = OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.FromSeconds(2) },
        });
        var sessions = new ConcurrentQueue<OvsdbSessionEvent>();
        client.SessionChanged += sessions.Enqueue;
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var prefix = $"raft-kill-{Guid.NewGuid():N}"[..20];

        const int Total = 300;
        var results = new OvsdbTransactionResult[Total];
        var committedSoFar = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        using var window = new SemaphoreSlim(16);

        // The leader dies while transactions are in flight: kill it once a third have committed.
        var killer = Task.Run(async () =>
        {
            while (Volatile.Read(ref committedSoFar) < Total / 3)
            {
                await Task.Delay(1, deadline.Token);
            }

            return await _cluster.KillLeaderAsync(deadline.Token);
        });
        var producers = new List<Task>();
        for (var i = 0; i < Total; i++)
        {
            await window.WaitAsync(deadline.Token);
            var index = i;
            var txn = client.CreateTransaction();
            txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString($"{prefix}_{index}"),
                ["addresses"] = OvsdbDatum.StringSet([$"10.1.{index / 256}.{index % 256}"]),
            });
            producers.Add(Task.Run(async () =>
            {
                try
                {
                    results[index] = await client.TransactAsync(txn, deadline.Token);
                    Interlocked.Increment(ref committedSoFar);
                }
                finally
                {
                    window.Release();
                }
            }));
        }

        await Task.WhenAll(producers);
        int? killedNode = await killer;
        Assert.NotNull(killedNode);
        await _cluster.RestartNodeAsync(killedNode!.Value);

        var names = await ReadNamesAsync(prefix);
        var committed = results.Count(r => r.Status == OvsdbTransactionStatus.Committed);
        var unknown = results.Count(r => r.Status == OvsdbTransactionStatus.OutcomeUnknown);
        var failed = results.Where(r => r.Status == OvsdbTransactionStatus.Failed).ToList();
        output.WriteLine($"committed {committed}, outcome unknown {unknown}, failed {failed.Count}, rows in the database {names.Count}, killed node {killedNode}");
        Assert.Empty(failed);
        for (var i = 0; i < Total; i++)
        {
            if (results[i].Status == OvsdbTransactionStatus.Committed)
            {
                Assert.Contains($"{prefix}_{i}", names);
            }
        }

        // Every row the database holds was asked for, and no row is there twice.
        Assert.True(names.Count >= committed && names.Count <= committed + unknown);
        Assert.Contains(sessions, e => !e.Ready);

        var leader = await _cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        await ReplicaComparison.EventuallyMatchesServerAsync(client.Replica, _cluster.Nodes[leader].TcpRemote, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Reconnect_after_a_leader_change_resumes_from_history()
    {
        await _cluster.EnsureHealthyAsync();
        await using var client = new OvsdbClient(_cluster.Remotes, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group")],
        });
        var starts = new ConcurrentQueue<OvsdbMonitorStart>();
        client.SessionChanged += e =>
        {
            if (e.Monitor is { } m)
            {
                starts.Enqueue(m);
            }
        };
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var txn = client.CreateTransaction();
        txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString($"pg_{Guid.NewGuid():N}") });
        Assert.True((await client.TransactAsync(txn)).Succeeded);

        await _cluster.TransferLeadershipAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (starts.Count < 2 || !client.IsConnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "client did not reconnect to the new leader");
            await Task.Delay(50);
        }

        var resumed = starts.ToArray()[^1];
        Assert.Equal(OvsdbMonitorMethod.MonitorCondSince, resumed.Method);
        Assert.True(resumed.ResumedFromHistory, "a clustered server keeps history: the resync should not be a full copy");
        var leader = await _cluster.GetLeaderIndexAsync();
        Assert.Equal(_cluster.Nodes[leader].TcpRemote, client.CurrentRemote!.Text);
        await ReplicaComparison.EventuallyMatchesServerAsync(client.Replica, _cluster.Nodes[leader].TcpRemote, TimeSpan.FromSeconds(10));
    }

    private async Task<HashSet<string>> ReadNamesAsync(string prefix)
    {
        var leader = await _cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        var dump = await OvsdbTool.DumpJsonAsync(_cluster.Nodes[leader].TcpRemote, "OVN_Northbound");
        var names = dump["Address_Set"].Select(r => r["name"].GetString()!).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        return [.. names];
    }
}
