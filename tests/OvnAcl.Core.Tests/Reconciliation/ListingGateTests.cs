using OvnAcl.Kubernetes;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary>
/// A controller restarted against a database that holds its rows: its informers list pods before policies, and a
/// reconciler comparing that partial state with the database would delete every policy's rows (and with them every
/// isolation) until the policies arrive. The reconciler writes nothing before every kind the engine reads is listed.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class ListingGateTests(StandaloneNbFixture fixture)
{
    private readonly StandaloneNb _nb = fixture.Nb;

    [Fact]
    public async Task A_restarted_controller_writes_nothing_until_every_kind_is_listed_then_converges_with_no_transaction()
    {
        await _nb.ResetAsync();
        await ReconcilerHarness.AddThreeTierPortsAsync(_nb.UnixRemote);
        var input = await KubernetesInputLoader.LoadAsync([Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier")]);
        await using (var first = await ReconcilerHarness.StartAsync(_nb.UnixRemote))
        {
            new KubernetesEngine(first.State).Load(input);
            first.Run();
            await first.ConvergeAsync();
        }

        var before = await NbContents.ReadAsync(_nb.UnixRemote, ReconcilerHarness.Controller);
        Assert.NotEqual("", before);

        await using var restarted = await ReconcilerHarness.StartAsync(_nb.UnixRemote);
        var engine = new KubernetesEngine(restarted.State);
        foreach (var ns in input.Namespaces)
        {
            engine.UpsertNamespace(ns.Object);
        }

        foreach (var pod in input.Pods)
        {
            engine.UpsertPod(pod.Object);
        }

        engine.MarkListed(KubernetesInputKind.Namespace);
        engine.MarkListed(KubernetesInputKind.Pod);
        engine.MarkListed(KubernetesInputKind.Node);
        Assert.Equal(["NetworkPolicy"], restarted.State.UnlistedInputs);
        var once = await Assert.ThrowsAsync<InvalidOperationException>(() => restarted.Reconciler.ReconcileOnceAsync());
        Assert.Contains("NetworkPolicy not yet listed", once.Message, StringComparison.Ordinal);

        // Without the gate the reconciler deletes the policies' rows within milliseconds of starting.
        restarted.Run();
        await Task.Delay(TimeSpan.FromMilliseconds(750));
        Assert.Empty(restarted.Transactions);
        Assert.Equal(before, await NbContents.ReadAsync(_nb.UnixRemote, ReconcilerHarness.Controller));

        foreach (var policy in input.Policies)
        {
            engine.UpsertPolicy(policy.Object);
        }

        engine.MarkListed(KubernetesInputKind.NetworkPolicy);
        await restarted.ConvergeAsync();
        Assert.Empty(restarted.Transactions);
        Assert.Equal(before, await NbContents.ReadAsync(_nb.UnixRemote, ReconcilerHarness.Controller));
    }
}
