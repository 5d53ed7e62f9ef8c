using FsCheck.Xunit;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Kubernetes.Incremental;

/// <summary>
/// The engine and the reconciler together on a real Northbound database: random streams of cluster events flow while
/// the reconciler runs (so transactions are in flight as the desired state moves); afterwards the server's dump holds
/// exactly the rows of a compile from scratch, and rows of other owners are byte for byte what they were.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class EngineOnNbProperties(StandaloneNbFixture fixture, ITestOutputHelper output)
{
    private const string Controller = "ovnacl";
    private static readonly string[] Namespaces = ["x", "y", "z", "w"];
    private static readonly string[] Pods = ["a", "b", "c", "d", "e"];

    [Property(MaxTest = 8)]
    public async Task<bool> After_random_events_the_database_holds_exactly_the_compiled_rows_and_nothing_else_changed(int seed)
    {
        var nb = fixture.Nb;
        await nb.ResetAsync();
        var ports = Namespaces.SelectMany(n => Pods.Select(p => n + "_" + p)).ToList();

        // Every pod's logical switch port but one exists (that pod's member waits for it); other owners' rows around.
        var nbctl = new List<string> { "ls-add", "pods" };
        foreach (var port in ports.Where(p => p != "w_e"))
        {
            nbctl.AddRange(["--", "lsp-add", "pods", port]);
        }

        nbctl.AddRange(["--", "pg-add", "theirs_pg", "x_a", "y_b", "--", "set", "port_group", "theirs_pg", "external_ids:owner-controller=someone-else"]);
        nbctl.AddRange(["--", "acl-add", "theirs_pg", "to-lport", "1001", "outport == @theirs_pg && tcp.dst == 22", "allow-related"]);
        nbctl.AddRange(["--", "create", "address_set", "name=theirs_as", "addresses=10.244.0.11", "external_ids:owner-controller=someone-else"]);
        nbctl.AddRange(["--", "pg-add", "bare_pg", "z_c"]);
        await ReconcilerHarness.NbctlAsync(nb.UnixRemote, [.. nbctl]);
        var othersBefore = await OthersAsync(nb.UnixRemote);

        await using var client = new OvsdbClient(nb.UnixRemote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var desired = new DesiredState(Controller);
        var engine = new KubernetesEngine(desired);
        engine.MarkAllListed(); // the stream starts from an empty cluster, fully listed
        await using var reconciler = new AclReconciler(client, desired);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reconciler.RunAsync(stop.Token));

        var world = new RandomWorld(seed);
        var cluster = new ClusterObjects();
        var random = new Random(seed);
        for (var step = 0; step < 60; step++)
        {
            world.NextEvent(cluster, engine);
            if (random.Next(4) == 0)
            {
                // Sometimes let a transaction go out before the next event, sometimes pile events up.
                await Task.Delay(random.Next(3));
            }
        }

        await reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var expected = KubernetesCompiler.Compile(cluster.Input(), KubernetesCompileOptions.Default with { ControllerName = Controller }).GetRowsOrThrow();
        AssertSameRows(expected, desired.Snapshot(), $"seed {seed}: engine");
        var existing = ports.Where(p => p != "w_e").ToHashSet(StringComparer.Ordinal);
        await NbContents.EventuallyEqualAsync(nb.UnixRemote, desired, TimeSpan.FromSeconds(10), existing);
        Assert.Equal(othersBefore, await OthersAsync(nb.UnixRemote));

        // The missing port appears: its pod joins the groups that want it.
        await ReconcilerHarness.NbctlAsync(nb.UnixRemote, "lsp-add", "pods", "w_e");
        await NbContents.EventuallyEqualAsync(nb.UnixRemote, desired, TimeSpan.FromSeconds(10));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"seed {seed}: {reconciler.Stats}");
        Assert.Equal(0, reconciler.Stats.Failed);
        return true;
    }

    /// <summary>
    /// The three-tier sample in a live database, then one pod added through the engine: the server's own log (ovsdb-tool
    /// show-log) records one transaction touching exactly the rows whose members change and no ACL.
    /// </summary>
    [Fact]
    public async Task A_pod_add_through_the_engine_is_recorded_by_the_server_as_member_changes_only()
    {
        var nb = fixture.Nb;
        await nb.ResetAsync();
        await ReconcilerHarness.AddThreeTierPortsAsync(nb.UnixRemote, "web-3");
        await using var client = new OvsdbClient(nb.UnixRemote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var desired = new DesiredState(Controller);
        var engine = new KubernetesEngine(desired);
        engine.Load(await KubernetesInputLoader.LoadAsync([Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier")]));
        await using var reconciler = new AclReconciler(client, desired);
        Assert.True((await reconciler.ReconcileOnceAsync()).Converged);
        var recordsBefore = await LogRecordsAsync(nb.DbPath);
        var transactions = new List<ReconcileTransactionInfo>();
        reconciler.TransactionCompleted += transactions.Add;
        using var stop = new CancellationTokenSource();

        // The event before the loop starts: a loop already running may drain the desired state between two of the
        // rows the event changes (seen once on a loaded machine as two transactions), which is not what this checks.
        engine.UpsertPod(K8s.Pod("three-tier", "web-3", "app=web", ["10.244.0.13", "fd00:10:244::13"]));
        var run = Task.Run(() => reconciler.RunAsync(stop.Token));
        await reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        var records = await LogRecordsAsync(nb.DbPath);
        var added = Assert.Single(records.Skip(recordsBefore.Count));
        var touched = added.Split('\n').Where(l => l.TrimStart().StartsWith("table ", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Trim().Split(' ').Take(4))).Order(StringComparer.Ordinal).ToList();
        var rows = desired.Snapshot();
        string[] expected =
        [
            .. rows.AddressSets.Where(a => a.Addresses.Contains("10.244.0.13") || a.Addresses.Contains("fd00:10:244::13")).Select(a => $"table Address_Set row \"{a.Name}\""),
            .. rows.PortGroups.Where(p => p.Ports.Contains("three-tier_web-3")).Select(p => $"table Port_Group row \"{p.Name}\""),
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), touched);
        Assert.DoesNotContain("table ACL", added, StringComparison.Ordinal);
        var transaction = Assert.Single(transactions);
        output.WriteLine($"pod add: {touched.Count} rows, {transaction.Operations} operations, {transaction.RequestBytes} bytes, {transaction.Latency.TotalMilliseconds:F2} ms");
        Assert.Equal(touched.Count, transaction.Operations);
    }

    private static async Task<List<string>> LogRecordsAsync(string dbPath)
    {
        var log = await OvsdbTool.RunAsync("ovsdb-tool", ["show-log", "-m", dbPath]);
        return [.. System.Text.RegularExpressions.Regex.Split(log.Stdout, @"^record \d+:", System.Text.RegularExpressions.RegexOptions.Multiline).Where(r => r.Length > 0).Skip(1)];
    }

    /// <summary>Rows of other owners (and of none) as the server dumps them, uuids included.</summary>
    private static async Task<string> OthersAsync(string remote)
    {
        var dump = await OvsdbTool.DumpJsonAsync(remote, "OVN_Northbound");
        var rows = dump["Port_Group"].Concat(dump["Address_Set"]).Concat(dump["ACL"])
            .Where(r => !r["external_ids"].GetRawText().Contains($"\"owner-controller\",\"{Controller}\"", StringComparison.Ordinal))
            .Select(r => string.Join(";", r.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + c.Value.GetRawText())))
            .Order(StringComparer.Ordinal);
        return string.Join("\n", rows);
    }
}
