using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

using OvsdbClient = OvnAcl.Ovsdb.OvsdbClient;

[Collection(FixtureCollections.StandaloneNb)]
public sealed class StandaloneClientTests(StandaloneNbFixture fixture) : IAsyncLifetime
{
    private readonly StandaloneNb _nb = fixture.Nb;

    public Task InitializeAsync() => _nb.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<OvsdbClient> StartClientAsync(IReadOnlyList<OvsdbTableMonitor>? tables = null)
    {
        var client = new OvsdbClient(_nb.UnixRemote, OvsdbClientOptions.Default with { Tables = tables });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.StartAsync(cts.Token);
        return client;
    }

    [Fact]
    public async Task Lists_databases_gets_schema_and_echoes()
    {
        await using var connection = await OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(_nb.UnixRemote));
        Assert.Equal(["OVN_Northbound", "_Server"], (await connection.ListDatabasesAsync()).Order());
        var schema = await connection.GetSchemaAsync("OVN_Northbound");
        Assert.Equal(32767, schema.GetTable("ACL").GetColumn("priority").Type.Key.MaxInteger);
        await connection.EchoAsync();
        var error = await Assert.ThrowsAsync<OvsdbServerException>(() => connection.GetSchemaAsync("No_Such_Db"));
        Assert.Contains("unknown database", error.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_written_by_the_client_read_back_identically_through_ovsdb_client_and_nbctl()
    {
        await using var client = await StartClientAsync();
        var txn = client.CreateTransaction();
        var acl = txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
        {
            ["direction"] = OvsdbDatum.FromString("to-lport"),
            ["priority"] = OvsdbDatum.FromInteger(1002),
            ["match"] = OvsdbDatum.FromString("outport == @pg_web && ip4 && ip4.src == $as_web && tcp && 80 <= tcp.dst <= 81"),
            ["action"] = OvsdbDatum.FromString("allow-related"),
            ["label"] = OvsdbDatum.FromInteger(4294967295),
            ["severity"] = OvsdbDatum.FromString("info"),
            ["log"] = OvsdbDatum.FromBoolean(true),
            ["external_ids"] = OvsdbDatum.StringMap([new("owner", "ovnacl"), new("policy", "ns/web é ✓")]),
        });
        txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum>
        {
            ["name"] = OvsdbDatum.FromString("pg_web"),
            ["acls"] = OvsdbDatum.Set(OvsdbAtom.NamedUuid(acl)),
        });
        var explicitUuid = Guid.NewGuid();
        txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
        {
            ["name"] = OvsdbDatum.FromString("as_web"),
            ["addresses"] = OvsdbDatum.StringSet(["10.0.0.1", "10.0.0.2", "fd00::1"]),
        }, uuid: explicitUuid);
        var result = await client.TransactAsync(txn);
        Assert.Equal(OvsdbTransactionStatus.Committed, result.Status);
        Assert.True(client.Replica.TryGetRow("Address_Set", explicitUuid, out _), "explicit-uuid insert keeps its uuid");

        await ReplicaComparison.AssertMatchesServerAsync(client.Replica, _nb.UnixRemote);
        var listed = await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "acl-list", "pg_web"]);
        Assert.Contains("to-lport  1002 (outport == @pg_web && ip4 && ip4.src == $as_web && tcp && 80 <= tcp.dst <= 81) allow-related", listed.Stdout, StringComparison.Ordinal);
        var label = await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "get", "ACL", result.GetInsertedUuid(acl).ToString(), "label", "external_ids:policy"]);
        Assert.Equal("4294967295\n\"ns/web é ✓\"\n", label.Stdout);
    }

    [Fact]
    public async Task Rows_written_by_nbctl_appear_in_the_replica_with_change_events()
    {
        await using var client = await StartClientAsync();
        var inserted = new TaskCompletionSource<OvsdbRowChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Replica.Changed += changes =>
        {
            foreach (var change in changes.Changes.Where(c => c.Table == "Port_Group" && c.Kind == OvsdbRowChangeKind.Insert))
            {
                inserted.TrySetResult(change);
            }
        };
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "pg-add", "pg_db", "--", "acl-add", "pg_db", "to-lport", "1001", "outport == @pg_db && ip", "drop"]);
        var change = await inserted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("pg_db", change.New!.GetString("name"));
        Assert.Equal(1, change.New["acls"].Count);
        await ReplicaComparison.AssertMatchesServerAsync(client.Replica, _nb.UnixRemote);
    }

    [Fact]
    public async Task A_subscriber_that_throws_neither_stops_other_subscribers_nor_the_client()
    {
        await using var client = await StartClientAsync([new OvsdbTableMonitor("Port_Group")]);
        var seen = 0;
        client.Replica.Changed += _ => throw new InvalidOperationException("subscriber bug");
        client.Replica.Changed += _ => Interlocked.Increment(ref seen);
        for (var i = 0; i < 3; i++)
        {
            var txn = client.CreateTransaction();
            txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString($"pg_s{i}") });
            Assert.True((await client.TransactAsync(txn)).Succeeded);
        }

        Assert.Equal(3, Volatile.Read(ref seen));
        Assert.Equal(1, client.SessionCount);
        Assert.Equal(3, client.Replica.Count("Port_Group"));
    }

    [Fact]
    public async Task A_disposed_client_and_its_replica_are_collectable()
    {
        var (client, replica) = await StartAndDisposeAsync();
        for (var i = 0; i < 5 && (client.IsAlive || replica.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(50);
        }

        Assert.False(client.IsAlive, "the client is still reachable after DisposeAsync");
        Assert.False(replica.IsAlive, "the replica is still reachable after DisposeAsync");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task<(WeakReference Client, WeakReference Replica)> StartAndDisposeAsync()
    {
        var client = await StartClientAsync([new OvsdbTableMonitor("Port_Group")]);
        var refs = (new WeakReference(client), new WeakReference(client.Replica));
        await client.DisposeAsync();
        return refs;
    }

    [Fact]
    public async Task An_unknown_table_fails_start_with_a_clear_error_instead_of_retrying_forever()
    {
        await using var client = new OvsdbClient(_nb.UnixRemote, OvsdbClientOptions.Default with { Tables = [new OvsdbTableMonitor("No_Such_Table")] });
        var error = await Assert.ThrowsAsync<OvsdbException>(() => client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token));
        Assert.Contains("No_Such_Table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_with_a_timeout_gives_up_with_the_last_reason_when_no_server_answers()
    {
        var path = Path.Combine(_nb.Dir, "nobody.sock");
        await using var client = new OvsdbClient("unix:" + path);
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() => client.StartAsync(TimeSpan.FromSeconds(1)));
        Assert.Contains("no usable server within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Contains($"no socket at {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_unix_socket_is_named_in_the_error()
    {
        var path = Path.Combine(_nb.Dir, "absent.sock");
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() => OvsdbConnection.ConnectAsync(OvsdbRemote.Parse("unix:" + path)));
        Assert.Contains($"no socket at {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replica_lookups_by_name_and_external_id_follow_updates()
    {
        await using var client = await StartClientAsync(
            [new OvsdbTableMonitor("Address_Set") { Indexes = ["name", "external_ids:owner"] }]);
        var txn = client.CreateTransaction();
        foreach (var (name, owner) in new[] { ("a", "x"), ("b", "x"), ("c", "y") })
        {
            txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(name),
                ["external_ids"] = OvsdbDatum.StringMap([new("owner", owner)]),
            });
        }

        Assert.True((await client.TransactAsync(txn)).Succeeded);
        Assert.Equal(2, client.Replica.Lookup("Address_Set", "external_ids:owner", "x").Count);
        var b = Assert.Single(client.Replica.Lookup("Address_Set", "name", "b"));

        var update = client.CreateTransaction();
        update.Update("Address_Set", [OvsdbCondition.UuidEquals(b.Uuid)], new Dictionary<string, OvsdbDatum>
        {
            ["external_ids"] = OvsdbDatum.StringMap([new("owner", "y")]),
        });
        Assert.True((await client.TransactAsync(update)).Succeeded);
        Assert.Single(client.Replica.Lookup("Address_Set", "external_ids:owner", "x"));
        Assert.Equal(2, client.Replica.Lookup("Address_Set", "external_ids:owner", "y").Count);
    }

    [Fact]
    public async Task Mutations_change_members_without_rewriting_the_set()
    {
        await using var client = await StartClientAsync();
        var txn = client.CreateTransaction();
        txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
        {
            ["name"] = OvsdbDatum.FromString("as_m"),
            ["addresses"] = OvsdbDatum.StringSet(["10.0.0.1", "10.0.0.2"]),
        });
        Assert.True((await client.TransactAsync(txn)).Succeeded);

        var mutate = client.CreateTransaction();
        mutate.Mutate("Address_Set", [OvsdbCondition.Equal("name", "as_m")],
        [
            new OvsdbMutation("addresses", OvsdbMutator.Insert, OvsdbDatum.StringSet(["10.0.0.3"])),
            new OvsdbMutation("addresses", OvsdbMutator.Delete, OvsdbDatum.StringSet(["10.0.0.1"])),
        ]);
        var result = await client.TransactAsync(mutate);
        Assert.True(result.Succeeded);
        Assert.Equal(1, result.Operations[0].Count);
        var row = Assert.Single(client.Replica.GetRows("Address_Set"));
        Assert.Equal(OvsdbDatum.StringSet(["10.0.0.2", "10.0.0.3"]), row["addresses"]);
        await ReplicaComparison.AssertMatchesServerAsync(client.Replica, _nb.UnixRemote);
    }

    [Fact]
    public async Task Server_errors_surface_with_error_and_details()
    {
        await using var client = await StartClientAsync();
        var txn = client.CreateTransaction();
        for (var i = 0; i < 2; i++)
        {
            txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString("dup") });
        }

        var result = await client.TransactAsync(txn);
        Assert.Equal(OvsdbTransactionStatus.Failed, result.Status);
        Assert.Equal("constraint violation", result.Error!.Error);
        Assert.Contains("Port_Group", result.Error.Details, StringComparison.Ordinal);
        Assert.Empty(client.Replica.GetRows("Port_Group"));
    }

    [Fact]
    public async Task A_bad_value_is_refused_before_sending_naming_table_column_and_value()
    {
        await using var client = await StartClientAsync();
        var txn = client.CreateTransaction();
        var error = Assert.Throws<OvsdbValueException>(() => txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
        {
            ["direction"] = OvsdbDatum.FromString("sideways"),
        }));
        Assert.Equal("ACL", error.Table);
        Assert.Equal("direction", error.Column);
        Assert.Contains("sideways", error.Message, StringComparison.Ordinal);

        var priority = Assert.Throws<OvsdbValueException>(() => txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
        {
            ["priority"] = OvsdbDatum.FromInteger(40000),
        }));
        Assert.Equal("priority", priority.Column);
    }

    [Fact]
    public async Task Lock_steal_and_unlock_between_two_connections()
    {
        var remote = OvsdbRemote.Parse(_nb.UnixRemote);
        await using var a = await OvsdbConnection.ConnectAsync(remote);
        await using var b = await OvsdbConnection.ConnectAsync(remote);
        var stolen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var granted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.LockStolen += name => stolen.TrySetResult(name);
        a.LockGranted += name => granted.TrySetResult(name);

        Assert.True(await a.LockAsync("ovnacl_leader"));
        Assert.False(await b.LockAsync("ovnacl_leader"));

        // RFC 7047 §4.1.8: a client waiting for a lock must unlock before it may steal it.
        await b.UnlockAsync("ovnacl_leader");
        Assert.True(await b.StealAsync("ovnacl_leader"));
        Assert.Equal("ovnacl_leader", await stolen.Task.WaitAsync(TimeSpan.FromSeconds(5)));

        // a asks again, waits, and is granted the lock when b releases it.
        await a.UnlockAsync("ovnacl_leader");
        Assert.False(await a.LockAsync("ovnacl_leader"));
        await b.UnlockAsync("ovnacl_leader");
        Assert.Equal("ovnacl_leader", await granted.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Assert_of_a_lock_not_held_fails_the_transaction()
    {
        await using var client = await StartClientAsync();
        var txn = client.CreateTransaction();
        txn.Assert("not_held");
        txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString("guarded") });
        var result = await client.TransactAsync(txn);
        Assert.Equal(OvsdbTransactionStatus.Failed, result.Status);
        Assert.Equal("not owner", result.Error!.Error);
    }

    [Fact]
    public async Task Monitor_conditions_select_rows_and_can_be_changed()
    {
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "pg-add", "pg_a", "--", "pg-add", "pg_b"]);
        await using var connection = await OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(_nb.UnixRemote));
        var schema = await connection.GetSchemaAsync("OVN_Northbound");
        var replica = await connection.MonitorAsync(schema,
            [new OvsdbTableMonitor("Port_Group") { Where = [OvsdbCondition.Equal("name", "pg_a")] }]);
        Assert.Equal(["pg_a"], replica.GetRows("Port_Group").Select(r => r.GetString("name")));

        await connection.ChangeConditionsAsync(replica, new Dictionary<string, IReadOnlyList<OvsdbCondition>?>
        {
            ["Port_Group"] = [OvsdbCondition.Equal("name", "pg_b")],
        });
        await Eventually(() => replica.GetRows("Port_Group").Select(r => r.GetString("name")).SequenceEqual(["pg_b"]));
    }

    [Fact]
    public async Task Replica_resyncs_after_the_server_restarts_and_misses_nothing()
    {
        await using var client = await StartClientAsync();
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "pg-add", "before"]);
        await ReplicaComparison.EventuallyMatchesServerAsync(client.Replica, _nb.UnixRemote, TimeSpan.FromSeconds(5));
        var sessions = client.SessionCount;

        await _nb.KillAndRestartAsync();
        // Written while the client is (probably) still reconnecting: the full resync must bring it in.
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", "pg-add", "after", "--", "pg-del", "before"]);
        await Eventually(() => client.SessionCount > sessions && client.IsConnected);
        await ReplicaComparison.EventuallyMatchesServerAsync(client.Replica, _nb.UnixRemote, TimeSpan.FromSeconds(10));
        Assert.Equal(["after"], client.Replica.GetRows("Port_Group").Select(r => r.GetString("name")));
    }

    [Fact]
    public async Task A_committed_transaction_is_in_the_replica_and_its_change_event_raised_when_TransactAsync_returns()
    {
        // ovsdb-server(7) §4.1.6: the updates of a transaction on monitored tables precede its reply, and the client
        // applies them on its receive path before completing the reply. The reconciler relies on it.
        await using var client = await StartClientAsync([new OvsdbTableMonitor("Address_Set")]);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<Guid, bool>();
        client.Replica.Changed += changes =>
        {
            foreach (var change in changes.Changes)
            {
                seen[change.Uuid] = true;
            }
        };

        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var txn = client.CreateTransaction();
            var name = txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString($"as_order_{i}") });
            var result = await client.TransactAsync(txn, token);
            Assert.Equal(OvsdbTransactionStatus.Committed, result.Status);
            var uuid = result.GetInsertedUuid(name);
            Assert.True(client.Replica.TryGetRow("Address_Set", uuid, out _), $"row {i} not in the replica when its commit returned");
            Assert.True(seen.ContainsKey(uuid), $"row {i}'s change event not raised when its commit returned");
        });
    }

    private static async Task Eventually(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
