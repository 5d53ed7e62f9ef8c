using System.Diagnostics;
using System.Text.RegularExpressions;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Reconciliation.ReconcilerHarness;

namespace OvnAcl.Core.Tests.Reconciliation;

[Collection(FixtureCollections.StandaloneNb)]
public sealed partial class AclReconcilerTests(StandaloneNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly StandaloneNb _nb = fixture.Nb;

    public async Task InitializeAsync()
    {
        await _nb.ResetAsync();
        await NbctlAsync(_nb.UnixRemote, "ls-add", "sw", "--", "lsp-add", "sw", "p1", "--", "lsp-add", "sw", "p2", "--", "lsp-add", "sw", "p3");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Two port groups with ACLs (one applied after load balancing), one with members, and two address sets.</summary>
    private static void LoadInitial(DesiredState state)
    {
        state.PutPortGroup("pg_a", Ids(("k8s.ovn.org/name", "ns/a")),
            [MakeAcl("pg_a", "ingress", 1001, match: "ip4.src == $as_a && tcp.dst == 80"), MakeAcl("pg_a", "deny", 1000, action: "drop", afterLb: true)]);
        state.AddPort("pg_a", "p1");
        state.AddPort("pg_a", "p2");
        state.PutPortGroup("pg_b", Ids(("k8s.ovn.org/name", "ns/b")), [MakeAcl("pg_b", "egress", 1001, afterLb: true)]);
        state.PutAddressSet("as_a", Ids(("k8s.ovn.org/name", "ns/a")));
        state.AddAddress("as_a", "10.0.0.1");
        state.AddAddress("as_a", "10.0.0.2");
        state.PutAddressSet("as_b", Ids(("k8s.ovn.org/name", "ns/b")));
        state.AddAddress("as_b", "fd00::1");
    }

    [Fact]
    public async Task Desired_rows_land_in_a_fresh_database_and_a_second_pass_finds_nothing()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);

        var before = await h.Reconciler.PlanAsync();
        Assert.Equal(4, before.Rows.Count);
        Assert.Equal(3, before.AclsInserted);
        Assert.True(before.RequestBytes > 0);

        var result = await h.Reconciler.ReconcileOnceAsync();
        Assert.True(result.Converged, result.Error);
        Assert.Equal(1, result.Transactions);
        Assert.Equal(before.Operations, result.Applied.Operations);
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));

        var again = await h.Reconciler.PlanAsync();
        Assert.Equal(0, again.Operations);
        var second = await h.Reconciler.ReconcileOnceAsync();
        Assert.Equal(0, second.Transactions);
        Assert.Empty(h.Reconciler.Conflicts);
    }

    [Fact]
    public async Task Acls_pair_by_content_then_by_external_ids_and_orphans_and_stale_ids_are_fixed()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        Assert.True((await h.Reconciler.ReconcileOnceAsync()).Converged);
        var ingress = await AclUuidAsync("pg_a-ingress");
        var egress = await AclUuidAsync("pg_b-egress");

        // An owned row nobody wants any more (left by an earlier run) goes on the next full comparison.
        await NbctlAsync(_nb.UnixRemote, "create", "Address_Set", "name=as_orphan", $"external_ids:owner-controller={Controller}");

        // ovn-nbctl's commit reaches our replica by a monitor update, a moment after ovn-nbctl exits: plan after it.
        await h.SeeRowAsync("Address_Set", "as_orphan");
        h.State.PutPortGroup("pg_a", Ids(("k8s.ovn.org/name", "ns/a2")),
            [MakeAcl("pg_a", "ingress", 1005, match: "ip4.src == $as_a && tcp.dst == 8080"), MakeAcl("pg_a", "extra", 900)]);

        var plan = await h.Reconciler.PlanAsync();
        var rows = plan.Rows.ToDictionary(r => r.Name);
        Assert.Equal(2, rows.Count);
        Assert.Equal(ReconcileRowAction.Delete, rows["as_orphan"].Action);
        Assert.Equal((1, 1, 1, true, 0, 0), (rows["pg_a"].AclsInserted, rows["pg_a"].AclsUpdated, rows["pg_a"].AclsDeleted,
            rows["pg_a"].ExternalIdsChanged, rows["pg_a"].MembersAdded, rows["pg_a"].MembersRemoved));
        // One ACL insert, one ACL update, one Port_Group update (external_ids), one mutate (acls), one delete.
        Assert.Equal(5, plan.Operations);

        Assert.True((await h.Reconciler.ReconcileOnceAsync()).Converged);
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));
        Assert.Equal(ingress, await AclUuidAsync("pg_a-ingress"));
        Assert.Equal(egress, await AclUuidAsync("pg_b-egress"));
        Assert.Equal(0, await CountAsync("Address_Set", "name=as_orphan"));
        Assert.Equal(0, await CountAsync("ACL", "name=pg_a-deny"));
    }

    private async Task<string> AclUuidAsync(string name) =>
        (await NbctlAsync(_nb.UnixRemote, "--bare", "--columns=_uuid", "find", "ACL", $"name={name}")).Stdout.Trim();

    [Fact]
    public async Task Rows_of_other_owners_stay_byte_identical_and_a_clashing_name_is_a_conflict()
    {
        await NbctlAsync(_nb.UnixRemote, "pg-add", "pg_theirs", "--", "acl-add", "pg_theirs", "to-lport", "900", "outport == @pg_theirs && ip4", "drop",
            "--", "pg-add", "pg_other");
        await NbctlAsync(_nb.UnixRemote, "create", "Address_Set", "name=as_theirs", "addresses=\"10.9.9.9\"", "external_ids:owner-controller=someone-else");
        var theirs = await DumpOthersAsync();

        await using var h = await StartAsync(_nb.UnixRemote);
        var conflicts = new List<ReconcileConflict>();
        h.Reconciler.ConflictDetected += conflicts.Add;
        LoadInitial(h.State);
        h.State.PutPortGroup("pg_theirs", Ids(), [MakeAcl("pg_theirs", "x", 1001)]);
        h.State.PutAddressSet("as_theirs", Ids());
        h.State.AddAddress("as_theirs", "10.1.1.1");

        var result = await h.Reconciler.ReconcileOnceAsync();
        Assert.True(result.Converged, result.Error);
        Assert.Equal(["Address_Set as_theirs NotOwned", "Port_Group pg_theirs NotOwned"],
            result.Conflicts.Select(c => $"{c.Table} {c.Name} {c.Kind}"));
        Assert.Equal(theirs, await DumpOthersAsync());

        // Reported once, not retried in a loop: a second pass sends nothing and raises nothing new.
        var second = await h.Reconciler.ReconcileOnceAsync();
        Assert.Equal(0, second.Transactions);
        Assert.Equal(2, conflicts.Count);
        Assert.Equal(theirs, await DumpOthersAsync());

        // The rows that are ours did land.
        var ours = await NbContents.ReadAsync(_nb.UnixRemote, Controller);
        Assert.Contains("pg pg_a ", ours, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_theirs", ours, StringComparison.Ordinal);
    }

    /// <summary>Every row not owned by the test controller, as the server prints it (uuids included).</summary>
    private async Task<string> DumpOthersAsync()
    {
        var dump = await OvsdbTool.DumpJsonAsync(_nb.UnixRemote, "OVN_Northbound");
        return string.Join("\n", new[] { "Port_Group", "Address_Set", "ACL" }.SelectMany(t => dump[t]
            .Where(r => !r["external_ids"].GetRawText().Contains(Controller, StringComparison.Ordinal))
            .Select(r => t + " " + string.Join(",", r.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.GetRawText()}"))))
            .Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_pod_add_is_one_transaction_that_the_server_records_as_touching_one_port_group_and_one_address_set()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();
        h.Transactions.Clear();
        var recordsBefore = await LogRecordsAsync();

        var stopwatch = Stopwatch.StartNew();
        using (await h.Reconciler.HoldAsync())
        {
            h.State.AddPort("pg_a", "p3");
            h.State.AddAddress("as_a", "10.0.0.3");
        }

        await h.ConvergeAsync();
        stopwatch.Stop();

        var info = Assert.Single(h.Transactions);
        Assert.Equal(OvsdbTransactionStatus.Committed, info.Status);
        Assert.Equal(2, info.Operations);
        Assert.Equal(["Address_Set as_a +1 -0 acl 0/0/0", "Port_Group pg_a +1 -0 acl 0/0/0"],
            info.Plan.Rows.Select(r => $"{r.Table} {r.Name} +{r.MembersAdded} -{r.MembersRemoved} acl {r.AclsInserted}/{r.AclsUpdated}/{r.AclsDeleted}").Order(StringComparer.Ordinal));
        output.WriteLine($"pod add: {info.Operations} operations, {info.RequestBytes} bytes of params, committed in {info.Latency.TotalMilliseconds:0.0} ms, converged in {stopwatch.Elapsed.TotalMilliseconds:0.0} ms");

        var records = await LogRecordsAsync();
        var added = Assert.Single(records.Skip(recordsBefore.Count));
        var touched = TouchedRow().Matches(added).Select(m => $"{m.Groups["table"].Value} {m.Groups["name"].Value}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Address_Set \"as_a\"", "Port_Group \"pg_a\""], touched);
        Assert.DoesNotContain("table ACL", added, StringComparison.Ordinal);
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));
    }

    /// <summary>The records of the standalone database's log, as <c>ovsdb-tool show-log -m</c> prints them (the server's own account of each commit).</summary>
    private async Task<List<string>> LogRecordsAsync()
    {
        var log = await OvsdbTool.RunAsync("ovsdb-tool", ["show-log", "-m", _nb.DbPath]);
        return [.. Record().Split(log.Stdout).Where(r => r.Length > 0).Skip(1)];
    }

    [GeneratedRegex(@"^record \d+:", RegexOptions.Multiline)]
    private static partial Regex Record();

    [GeneratedRegex(@"table (?<table>\w+) (?:insert |delete )?row (?<name>""[^""]*""|[0-9a-f]{8})")]
    private static partial Regex TouchedRow();

    [Fact]
    public async Task A_member_joins_its_port_group_when_the_port_appears_later()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.State.AddPort("pg_b", "p_late");
        var plan = await h.Reconciler.PlanAsync();
        Assert.Equal(1, plan.MissingPorts);
        h.Run();
        await h.ConvergeAsync();
        Assert.DoesNotContain("p_late", await NbContents.ReadAsync(_nb.UnixRemote, Controller), StringComparison.Ordinal);

        await NbctlAsync(_nb.UnixRemote, "lsp-add", "sw", "p_late");
        await NbContents.EventuallyEqualAsync(_nb.UnixRemote, h.State, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Drift_on_owned_rows_made_by_others_is_repaired()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();

        var acls = (await NbctlAsync(_nb.UnixRemote, "--bare", "--columns=acls", "find", "Port_Group", "name=pg_a")).Stdout
            .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, acls.Length);
        await NbctlAsync(_nb.UnixRemote, "remove", "Port_Group", "pg_a", "acls", acls[0]);
        await NbctlAsync(_nb.UnixRemote, "set", "ACL", acls[1], "match=\"ip6\"", "priority=7");
        await NbctlAsync(_nb.UnixRemote, "pg-set-ports", "pg_a", "p1");
        await NbctlAsync(_nb.UnixRemote, "destroy", "Address_Set", "as_b");
        await NbctlAsync(_nb.UnixRemote, "remove", "Address_Set", "as_a", "addresses", "10.0.0.1");
        await NbctlAsync(_nb.UnixRemote, "destroy", "Port_Group", "pg_b");

        await NbContents.EventuallyEqualAsync(_nb.UnixRemote, h.State, TimeSpan.FromSeconds(10));
        Assert.Equal(0, h.Reconciler.Stats.Failed);
    }

    [Fact]
    public async Task A_thousand_quick_changes_coalesce_into_fewer_transactions()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();
        h.Transactions.Clear();

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            h.State.AddAddress("as_b", $"10.2.{i / 250}.{i % 250}");
            if (i % 4 == 3)
            {
                h.State.RemoveAddress("as_b", $"10.2.{i / 250}.{(i % 250) - 1}");
            }

            if (i % 100 == 99)
            {
                // Let the loop start transactions meanwhile: what comes during one is carried by the next.
                await Task.Delay(1);
            }
        }

        await h.ConvergeAsync();
        stopwatch.Stop();
        var transactions = h.Transactions.ToList();
        output.WriteLine($"1250 changes: {transactions.Count} transactions, {transactions.Sum(t => t.Operations)} operations, {transactions.Sum(t => t.RequestBytes)} bytes, {stopwatch.Elapsed.TotalMilliseconds:0} ms; coalesced {h.Reconciler.Stats.ChangesCoalesced}");
        Assert.All(transactions, t => Assert.Equal(OvsdbTransactionStatus.Committed, t.Status));
        Assert.InRange(transactions.Count, 2, 999);
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));
    }

    [Fact]
    public async Task A_member_added_then_removed_before_a_flush_costs_nothing()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();
        h.Transactions.Clear();

        using (await h.Reconciler.HoldAsync())
        {
            h.State.AddAddress("as_a", "10.7.7.7");
            h.State.AddPort("pg_a", "p3");
            h.State.RemoveAddress("as_a", "10.7.7.7");
            h.State.RemovePort("pg_a", "p3");
        }

        await h.ConvergeAsync();
        Assert.Empty(h.Transactions);
    }

    [Fact]
    public async Task With_transactions_in_flight_members_flipping_and_rows_coming_and_going_still_land_exactly()
    {
        await using var h = await StartAsync(_nb.UnixRemote, AclReconcilerOptions.Default with { MaxChangesPerTransaction = 4, MaxTransactionsInFlight = 4 });
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();

        // The same few members flip while transactions carrying them are still on their way, and rows appear and go.
        for (var i = 0; i < 400; i++)
        {
            var address = $"10.4.0.{i % 13}";
            if (h.State.HasMember(DesiredRowKind.AddressSet, "as_a", address))
            {
                h.State.RemoveAddress("as_a", address);
            }
            else
            {
                h.State.AddAddress("as_a", address);
            }

            var set = $"as_flip_{i / 40}";
            if (i % 40 == 0)
            {
                h.State.PutAddressSet(set, Ids());
                h.State.AddAddress(set, "10.5.0.1");
            }
            else if (i % 40 == 39)
            {
                h.State.RemoveAddress(set, "10.5.0.1");
                h.State.RemoveAddressSet(set);
            }

            if (i % 5 == 0)
            {
                await Task.Delay(1);
            }
        }

        await h.ConvergeAsync();
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));
        Assert.All(h.Transactions, t => Assert.Equal(OvsdbTransactionStatus.Committed, t.Status));
        Assert.InRange(h.Transactions.Max(t => t.CoversDesiredVersion ?? 0), 1, h.State.Version);
    }

    [Fact]
    public async Task Changes_bigger_than_one_transaction_are_split_and_all_land()
    {
        await using var h = await StartAsync(_nb.UnixRemote, AclReconcilerOptions.Default with { MaxChangesPerTransaction = 100 });
        LoadInitial(h.State);
        for (var i = 0; i < 450; i++)
        {
            h.State.AddAddress("as_a", $"10.3.{i / 200}.{i % 200}");
        }

        var result = await h.Reconciler.ReconcileOnceAsync();
        Assert.True(result.Converged, result.Error);
        Assert.InRange(result.Transactions, 5, 7);
        Assert.Equal(NbContents.FromDesired(h.State), await NbContents.ReadAsync(_nb.UnixRemote, Controller));
    }

    [Fact]
    public async Task A_desired_acl_the_schema_cannot_hold_is_reported_naming_the_column()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.State.PutPortGroup("pg_tiered", Ids(), [MakeAcl("pg_tiered", "t", 1001) with { Tier = 2 }]);
        var result = await h.Reconciler.ReconcileOnceAsync();
        Assert.True(result.Converged, result.Error);
        var conflict = Assert.Single(result.Conflicts);
        Assert.Equal(ReconcileConflictKind.Unsupported, conflict.Kind);
        Assert.Contains("'tier'", conflict.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_tiered", await NbContents.ReadAsync(_nb.UnixRemote, Controller), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_the_server_keeps_refusing_is_set_aside_and_the_others_land()
    {
        // The client replicates only owned address sets, so an unowned one of the same name is invisible until the
        // server refuses the insert (a duplicate name: a commit error that names no operation).
        await NbctlAsync(_nb.UnixRemote, "create", "Address_Set", "name=as_hidden", "external_ids:owner-controller=someone-else");
        var ownedOnly = new OvsdbTableMonitor("Address_Set")
        {
            Where = [OvsdbCondition.Includes("external_ids", OvsdbDatum.StringMap([new(DesiredState.OwnerControllerKey, Controller)]))],
        };
        await using var h = await StartAsync(_nb.UnixRemote, AclReconcilerOptions.Default with { RetryBackoff = TimeSpan.FromMilliseconds(5) }, [ownedOnly]);
        var refused = new TaskCompletionSource<ReconcileConflict>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Reconciler.ConflictDetected += c => refused.TrySetResult(c);
        LoadInitial(h.State);
        h.State.PutAddressSet("as_hidden", Ids());
        h.Run();

        var conflict = await refused.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("Address_Set", "as_hidden", ReconcileConflictKind.Refused), (conflict.Table, conflict.Name, conflict.Kind));
        Assert.Contains("constraint violation", conflict.Reason, StringComparison.Ordinal);
        await h.ConvergeAsync();
        h.State.RemoveAddressSet("as_hidden");
        await NbContents.EventuallyEqualAsync(_nb.UnixRemote, h.State, TimeSpan.FromSeconds(5));
        Assert.InRange(h.Reconciler.Stats.Failed, 3, 10);
    }

    [Fact]
    public async Task Stopping_while_backing_off_after_a_refusal_returns_at_once()
    {
        // A refused transaction makes the loop wait before the next one. Stopping it during that wait must end
        // RunAsync; it once kept the slot it waited with and then waited for that slot forever.
        await NbctlAsync(_nb.UnixRemote, "create", "Address_Set", "name=as_hidden2", "external_ids:owner-controller=someone-else");
        var ownedOnly = new OvsdbTableMonitor("Address_Set")
        {
            Where = [OvsdbCondition.Includes("external_ids", OvsdbDatum.StringMap([new(DesiredState.OwnerControllerKey, Controller)]))],
        };
        var h = await StartAsync(_nb.UnixRemote, AclReconcilerOptions.Default with { RetryBackoff = TimeSpan.FromMinutes(5), MaxRetryBackoff = TimeSpan.FromMinutes(5) }, [ownedOnly]);
        try
        {
            var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            h.Reconciler.TransactionCompleted += t =>
            {
                if (t.Status == OvsdbTransactionStatus.Failed)
                {
                    refused.TrySetResult();
                }
            };
            h.State.PutAddressSet("as_hidden2", Ids());
            using var stop = new CancellationTokenSource();
            var run = Task.Run(() => h.Reconciler.RunAsync(stop.Token));
            await refused.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(200);
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await h.Reconciler.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await h.Client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Server_killed_and_restarted_while_changes_flow_converges_with_nothing_missing_or_twice()
    {
        await using var h = await StartAsync(_nb.UnixRemote);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                h.State.AddAddress("as_a", $"10.4.{i / 200}.{i % 200}");
                if (i % 30 == 0)
                {
                    // New port groups with ACLs: an ACL insert sent twice would show as a duplicate.
                    h.State.PutPortGroup($"pg_f{i}", Ids(), [MakeAcl($"pg_f{i}", "a", 1001), MakeAcl($"pg_f{i}", "b", 1002, afterLb: true)]);
                    h.State.AddPort($"pg_f{i}", "p3");
                }

                await Task.Delay(2, deadline.Token);
            }
        });
        while (h.Reconciler.Stats.Committed < 5)
        {
            await Task.Delay(5, deadline.Token);
        }

        await _nb.KillAndRestartAsync(deadline.Token);
        await producer;
        await h.ConvergeAsync(TimeSpan.FromSeconds(20));
        await NbContents.EventuallyEqualAsync(_nb.UnixRemote, h.State, TimeSpan.FromSeconds(5));
        var stats = h.Reconciler.Stats;
        output.WriteLine($"{stats}");
        Assert.True(stats.FullResyncs >= 2, "a reconnect compares everything again");
        Assert.Equal(1, await CountAsync("ACL", "name=pg_f0-a"));
    }

    private async Task<int> CountAsync(string table, string condition) =>
        (await NbctlAsync(_nb.UnixRemote, "--bare", "--columns=_uuid", "find", table, condition)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}
