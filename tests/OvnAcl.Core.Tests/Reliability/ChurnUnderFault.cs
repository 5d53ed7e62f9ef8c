using System.Diagnostics;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>What one churn run under a fault produced, before the database is checked.</summary>
internal sealed record ChurnRun(
    DesiredState Desired,
    ClusterObjects Cluster,
    ReconcilerStats Stats,
    int Offered,
    int Confirmed,
    TimeSpan FaultDuration,
    TimeSpan ConvergeAfterFault,
    IReadOnlyList<string> ReadySessions);

/// <summary>
/// Pod churn through the engine and the reconciler while the database fails: random cluster events keep flowing
/// (100 before the fault, 200 while it lasts, 100 after); every event's desired-state version is waited for, so an
/// event counts as confirmed only when the reconciler reports a commit that covers it.
/// </summary>
internal static class ChurnUnderFault
{
    public const string Controller = "ovnacl";

    public static readonly string[] Ports = [.. new[] { "x", "y", "z", "w" }.SelectMany(n => new[] { "a", "b", "c", "d", "e" }.Select(p => n + "_" + p))];

    /// <summary>ovn-nbctl arguments creating the switch and the ports the churn's pods plug into (idempotent).</summary>
    public static string[] PortsCommand() =>
        ["--may-exist", "ls-add", "pods", .. Ports.SelectMany(p => new[] { "--", "--may-exist", "lsp-add", "pods", p })];

    /// <param name="clientOptions">Changes to the client's options, e.g. <c>LeaderOnly = false</c>.</param>
    public static async Task<ChurnRun> RunAsync(string remotes, int seed, Func<Task> fault, ITestOutputHelper output, TimeSpan? probeInterval = null,
        Func<OvsdbClientOptions, OvsdbClientOptions>? clientOptions = null)
    {
        var options = OvsdbClientOptions.Default with
        {
            Tables = AclReconciler.MonitoredTables(),
            Connection = OvsdbConnectionOptions.Default with { ProbeInterval = probeInterval ?? TimeSpan.FromSeconds(2) },
            MaxBackoff = TimeSpan.FromSeconds(1),
        };
        await using var client = new OvsdbClient(remotes, clientOptions?.Invoke(options) ?? options);
        var ready = new List<string>();
        client.SessionChanged += e =>
        {
            if (e.Ready)
            {
                lock (ready)
                {
                    ready.Add(e.Remote.ToString());
                }
            }
        };
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var desired = new DesiredState(Controller);
        var engine = new KubernetesEngine(desired);
        engine.MarkAllListed(); // the stream starts from an empty cluster, fully listed
        await using var reconciler = new AclReconciler(client, desired);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reconciler.RunAsync(stop.Token));

        var world = new RandomWorld(seed);
        var cluster = new ClusterObjects();
        var confirmations = new List<Task>();
        async Task ChurnAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                world.NextEvent(cluster, engine);
                confirmations.Add(reconciler.WaitForConvergenceAsync(stop.Token));
                await Task.Delay(2);
            }
        }

        await ChurnAsync(100);
        var faultStarted = Stopwatch.StartNew();
        var faulting = Task.Run(async () =>
        {
            await fault();
            return faultStarted.Elapsed;
        });
        await ChurnAsync(200);
        var faultDuration = await faulting;
        // Timed when the reconciler reports the commit covering every event offered until the fault ended, not when
        // the test gets round to looking (the churn goes on meanwhile).
        var sinceFaultEnd = Stopwatch.StartNew();
        var convergeAfterFault = TimeSpan.Zero;
        var afterFault = reconciler.WaitForConvergenceAsync(stop.Token)
            .ContinueWith(t => convergeAfterFault = t.IsCompletedSuccessfully ? sinceFaultEnd.Elapsed : TimeSpan.MaxValue, TaskScheduler.Default);
        await ChurnAsync(100);
        await afterFault.WaitAsync(TimeSpan.FromSeconds(30));
        await reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            await Task.WhenAll(confirmations).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        var confirmed = confirmations.Count(t => t.IsCompletedSuccessfully);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{confirmations.Count} events; {reconciler.Stats}; sessions on {string.Join(", ", ready)}");
        lock (ready)
        {
            return new ChurnRun(desired, cluster, reconciler.Stats, confirmations.Count, confirmed, faultDuration, convergeAfterFault, [.. ready]);
        }
    }
}
