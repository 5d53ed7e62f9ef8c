using System.Collections.Concurrent;
using OvnAcl.Collections;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary>A client on the reconciler's tables, a desired state and its reconciler, optionally running; disposed together.</summary>
internal sealed class ReconcilerHarness : IAsyncDisposable
{
    public const string Controller = "ovnacl-test";

    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    private ReconcilerHarness(OvsdbClient client, AclReconcilerOptions options)
    {
        Client = client;
        Reconciler = new AclReconciler(client, State, options);
        Reconciler.TransactionCompleted += Transactions.Enqueue;
    }

    public OvsdbClient Client { get; }

    public DesiredState State { get; } = new(Controller);

    public AclReconciler Reconciler { get; }

    public ConcurrentQueue<ReconcileTransactionInfo> Transactions { get; } = new();

    public static async Task<ReconcilerHarness> StartAsync(string remotes, AclReconcilerOptions? options = null, IEnumerable<OvsdbTableMonitor>? tables = null)
    {
        var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Tables = AclReconciler.MonitoredTables(tables),
            Connection = OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.FromSeconds(2) },
            MaxBackoff = TimeSpan.FromSeconds(1),
        });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        return new ReconcilerHarness(client, options ?? AclReconcilerOptions.Default);
    }

    public void Run() => _run = Task.Run(() => Reconciler.RunAsync(_stop.Token));

    /// <summary>Waits until the client's replica holds the row named <paramref name="name"/> (written by someone else, e.g. ovn-nbctl).</summary>
    public async Task SeeRowAsync(string table, string name, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Client.Replica.Lookup(table, "name", name).Count == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the replica never saw {table} {name}");
            }

            await Task.Delay(10);
        }
    }

    public async Task ConvergeAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        await Reconciler.WaitForConvergenceAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            // Bounded: a loop that ignores its stop token fails the test instead of hanging the run.
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await Reconciler.DisposeAsync();
        await Client.DisposeAsync();
        _stop.Dispose();
    }

    public static EquatableMap Ids(params (string Key, string Value)[] pairs) => new(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    /// <summary>An ACL of the shapes ovn-kubernetes writes, identified by its external_ids.</summary>
    public static AclRow MakeAcl(string pg, string id, int priority, string action = "allow-related", bool afterLb = false, string match = "ip4") => new()
    {
        Direction = "to-lport",
        Priority = priority,
        Match = $"outport == @{pg} && {match}",
        Action = action,
        Name = $"{pg}-{id}",
        Log = action == "drop",
        Severity = action == "drop" ? "info" : null,
        Options = afterLb ? Ids(("apply-after-lb", "true")) : EquatableMap.Empty,
        ExternalIds = Ids(("k8s.ovn.org/id", $"{pg}:{id}")),
    };

    /// <summary>A switch with the logical switch ports of samples/kubernetes/three-tier's pods (and of <paramref name="extraPods"/>).</summary>
    public static Task<ToolResult> AddThreeTierPortsAsync(string remote, params string[] extraPods) =>
        NbctlAsync(remote, ["ls-add", "pods", .. new[] { "web-1", "web-2", "bl-1", "db-1" }.Concat(extraPods).SelectMany(p => new[] { "--", "lsp-add", "pods", "three-tier_" + p })]);

    public static Task<ToolResult> NbctlAsync(string remote, params string[] arguments) =>
        OvsdbTool.RunAsync("ovn-nbctl", [$"--db={remote}", .. arguments]);
}
