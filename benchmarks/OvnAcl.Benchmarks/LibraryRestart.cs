using System.Diagnostics;
using System.Globalization;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Benchmarks;

/// <summary>
/// <c>restart REMOTE DUMP</c>: a controller restarted against an NB that already holds the rows of <c>DUMP</c>, from
/// informer-fed objects (docs/benchmarks.md, "Counting calls from the start"). The objects are loaded whole before the
/// clock starts, as an informer holds them; then, timed: the client's start begun, the compile, the desired state, the
/// replica awaited and one reconcile. It prints the time to ready, the transactions sent (0 when the NB already holds
/// the rows) and the managed heap's growth. Run it with <c>DOTNET_TC_CallCountingDelayMs=0</c> (what OvnAcl.Hosting
/// gives an app) and with <c>=100</c> (the runtime's default) to compare.
/// </summary>
internal static class LibraryRestart
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: restart REMOTE DUMP");
            return 2;
        }

        var loaded = await KubernetesInputLoader.LoadAsync([args[2]], KubernetesLoadOptions.Default with { WholePods = true }).ConfigureAwait(false);
        var input = KubernetesInput.FromObjects(loaded.Policies.Select(p => p.Object), loaded.Pods.Select(p => p.Object), loaded.Namespaces.Select(n => n.Object));
        loaded = null;
        var heap = GC.GetTotalMemory(forceFullCollection: true);

        var clock = Stopwatch.StartNew();
        await using var client = new OvsdbClient(args[1], OvsdbClientOptions.Default with { Database = "OVN_Northbound", Tables = AclReconciler.MonitoredTables() });
        var started = client.StartAsync(TimeSpan.FromSeconds(60));
        var compilation = PolicyCompiler.Compile(input);
        var compiled = clock.Elapsed;
        var desired = new DesiredState(KubernetesCompileOptions.Default.ControllerName);
        desired.Load(compilation.Rows ?? throw new InvalidOperationException(string.Join("\n", compilation.Diagnostics)));
        await started.ConfigureAwait(false);
        var replicated = clock.Elapsed;
        await using var reconciler = new AclReconciler(client, desired);
        var outcome = await reconciler.ReconcileOnceAsync().ConfigureAwait(false);
        var ready = clock.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ready in {ready.TotalSeconds:0.00} s (compiled at {compiled.TotalSeconds:0.00} s, replica at {replicated.TotalSeconds:0.00} s); " +
            $"{outcome.Transactions} transaction(s), converged {outcome.Converged}; managed heap +{(GC.GetTotalMemory(false) - heap) / 1e6:0} MB"));
        return outcome.Converged ? 0 : 1;
    }
}
