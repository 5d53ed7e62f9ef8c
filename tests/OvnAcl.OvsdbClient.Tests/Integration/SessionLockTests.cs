using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

using OvsdbClient = OvnAcl.Ovsdb.OvsdbClient;

/// <summary>
/// The session-level lock (<see cref="OvsdbClientOptions.LockName"/>), the basis of active/standby: one holder at a time,
/// the standby granted the lock when the holder goes, the lock asked for again after a reconnect, and a transaction
/// asserting the lock refused to whoever does not hold it.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class SessionLockTests(StandaloneNbFixture fixture) : IAsyncLifetime
{
    private const string LockName = "ovnacl_test_lock";
    private readonly StandaloneNb _nb = fixture.Nb;

    public Task InitializeAsync() => _nb.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<OvsdbClient> StartAsync()
    {
        var client = new OvsdbClient(_nb.UnixRemote, OvsdbClientOptions.Default with
        {
            LockName = LockName,
            Tables = [new OvsdbTableMonitor("Address_Set")],
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        return client;
    }

    [Fact]
    public async Task One_client_holds_the_lock_and_the_standby_gets_it_when_the_holder_goes()
    {
        var active = await StartAsync();
        await Eventually(() => active.HasLock);
        await using var standby = await StartAsync();
        var granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        standby.LockChanged += held =>
        {
            if (held)
            {
                granted.TrySetResult();
            }
        };
        await Task.Delay(200);
        Assert.False(standby.HasLock);

        // The standby may not write while the active holds the lock: the server refuses an asserting transaction.
        var refused = await standby.TransactAsync(Insert(standby, "from_standby"));
        Assert.Equal(OvsdbTransactionStatus.Failed, refused.Status);
        Assert.Contains("not owner", refused.Error!.Error, StringComparison.Ordinal);
        Assert.Equal(OvsdbTransactionStatus.Committed, (await active.TransactAsync(Insert(active, "from_active"))).Status);

        await active.DisposeAsync();
        await granted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(standby.HasLock);
        Assert.Equal(OvsdbTransactionStatus.Committed, (await standby.TransactAsync(Insert(standby, "from_standby"))).Status);
    }

    [Fact]
    public async Task The_lock_is_asked_for_again_after_the_server_restarts()
    {
        await using var client = await StartAsync();
        await Eventually(() => client.HasLock);
        var changes = new List<bool>();
        client.LockChanged += held =>
        {
            lock (changes)
            {
                changes.Add(held);
            }
        };

        await _nb.KillAndRestartAsync();
        await Eventually(() =>
        {
            lock (changes)
            {
                return changes.Count >= 2;
            }
        });
        Assert.Equal([false, true], changes.Take(2));
        Assert.True(client.HasLock);
        Assert.Equal(OvsdbTransactionStatus.Committed, (await client.TransactAsync(Insert(client, "after_restart"))).Status);
    }

    private static OvsdbTransaction Insert(OvsdbClient client, string name)
    {
        var txn = client.CreateTransaction();
        txn.Assert(LockName);
        txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString(name + "_" + Guid.NewGuid().ToString("N")[..6]) });
        return txn;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
