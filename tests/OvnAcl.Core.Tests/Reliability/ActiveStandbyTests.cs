using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;
using Xunit.Abstractions;
using static OvnAcl.Core.Tests.Kubernetes.Incremental.EngineModelProperties;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>
/// Active/standby: two controller instances see the same cluster events and share an OVSDB lock. Only the holder
/// writes (the standby's transactions would assert a lock it does not hold, and it sends none); when the holder dies
/// the standby is granted the lock, compares everything and converges the database to the cluster.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class ActiveStandbyTests(StandaloneNbFixture fixture, ITestOutputHelper output)
{
    private sealed class Instance : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _run;

        private Instance(OvsdbClient client)
        {
            Client = client;
            Desired = new DesiredState("ovnacl");
            Engine = new KubernetesEngine(Desired);
            Engine.MarkAllListed(); // the cluster starts empty, fully listed
            Reconciler = new AclReconciler(client, Desired);
        }

        public OvsdbClient Client { get; }

        public DesiredState Desired { get; }

        public KubernetesEngine Engine { get; }

        public AclReconciler Reconciler { get; }

        public static async Task<Instance> StartAsync(string remote)
        {
            var client = new OvsdbClient(remote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables(), LockName = "ovnacl_controller" });
            await client.StartAsync(TimeSpan.FromSeconds(20));
            var instance = new Instance(client);
            instance._run = Task.Run(() => instance.Reconciler.RunAsync(instance._stop.Token));
            return instance;
        }

        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            await _stop.CancelAsync();
            if (_run is not null)
            {
                // Bounded: a loop that ignores its stop token fails the test instead of hanging the run.
                await _run.WaitAsync(TimeSpan.FromSeconds(30));
            }

            await Reconciler.DisposeAsync();
            await Client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Only_the_lock_holder_writes_and_the_standby_takes_over_when_it_dies()
    {
        var nb = fixture.Nb;
        await nb.ResetAsync();
        await ReconcilerHarness.NbctlAsync(nb.UnixRemote, ["ls-add", "pods", .. ChurnUnderFault.Ports.SelectMany(p => new[] { "--", "lsp-add", "pods", p })]);
        await using var active = await Instance.StartAsync(nb.UnixRemote);
        await Eventually(() => active.Client.HasLock);
        await using var standby = await Instance.StartAsync(nb.UnixRemote);

        var world = new RandomWorld(23);
        var cluster = new ClusterObjects();
        var shadow = new RandomWorld(23);
        var shadowCluster = new ClusterObjects();
        async Task ChurnAsync(int events)
        {
            for (var i = 0; i < events; i++)
            {
                // Both instances see the same events, as two replicas of a controller watching one cluster do.
                world.NextEvent(cluster, active.Engine);
                shadow.NextEvent(shadowCluster, standby.Engine);
                await Task.Delay(1);
            }
        }

        await ChurnAsync(150);
        await active.Reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await NbContents.EventuallyEqualAsync(nb.UnixRemote, active.Desired, TimeSpan.FromSeconds(10));
        Assert.False(standby.Client.HasLock);
        Assert.Equal(0, standby.Reconciler.Stats.Transactions);
        Assert.True(active.Reconciler.Stats.Committed > 0);

        // The active instance dies (its connection, and with it the lock, goes); events keep coming.
        var dying = active.DisposeAsync();
        await ChurnAsync(150);
        await dying;
        await Eventually(() => standby.Client.HasLock);
        await standby.Reconciler.WaitForConvergenceAsync().WaitAsync(TimeSpan.FromSeconds(20));
        AssertSameRows(KubernetesCompiler.CompileOrThrow(shadowCluster.Input()), standby.Desired.Snapshot(), "standby engine");
        await NbContents.EventuallyEqualAsync(nb.UnixRemote, standby.Desired, TimeSpan.FromSeconds(10));
        output.WriteLine($"standby after take-over: {standby.Reconciler.Stats}");
        Assert.True(standby.Reconciler.Stats.Committed > 0);
        Assert.Equal(0, standby.Reconciler.Stats.Failed);
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
