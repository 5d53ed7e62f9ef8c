using System.Collections.Concurrent;
using k8s.Models;
using OvnAcl.Core.Tests.Kubernetes;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary>
/// Pods isolated from birth, and a controller that never fails open at start-up, on a real NB with ovn-northd and
/// ovn-trace: a CNI creates a Pending pod's logical switch port (its IP from IPAM, not yet in the pod's status) in the
/// same transaction that adds it to its port groups; a watcher's replica, which sees every committed transaction
/// whole, never holds the port outside its groups, and ovn-trace drops traffic to and from it at once.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class PodBirthTests(OvnSandboxFixture fixture)
{
    private const string Controller = "ovnacl";
    private const string Switch = "pods";

    private const string Policies = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny-all, namespace: shop}
        spec:
          podSelector: {}
          policyTypes: [Ingress, Egress]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from: [{podSelector: {matchLabels: {app: client}}}]
            ports: [{port: 80}]
        """;

    private readonly OvnSandbox _sandbox = fixture.Sandbox;

    [Fact]
    public async Task A_pending_pod_created_with_its_port_groups_is_never_outside_them_and_isolated_from_its_first_instant()
    {
        await _sandbox.ResetAsync();
        await _sandbox.RunNbctlAsync(["ls-add", Switch, "--", "lsp-add", Switch, "shop_client-0", "--", "lsp-set-addresses", "shop_client-0", "0a:58:0a:00:00:0a 10.0.0.10",
            "--", "lsp-add", Switch, ProbePod.Port, "--", "lsp-set-addresses", ProbePod.Port, ProbePod.Mac + " " + ProbePod.Ip]);
        await using var nb = new OvsdbClient(_sandbox.NbRemote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
        await nb.StartAsync(TimeSpan.FromSeconds(20));
        var desired = new DesiredState(Controller);
        var engine = new KubernetesEngine(desired);
        engine.Load(K8s.Input(Policies, [K8s.Pod("shop", "client-0", "app=client", "10.0.0.10"), K8s.Pod("other", "probe-0", "app=probe", ProbePod.Ip)],
            [K8s.Namespace("shop"), K8s.Namespace("other")]));
        await using var reconciler = new AclReconciler(nb, desired);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => reconciler.RunAsync(stop.Token));
        using (var converge = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await reconciler.WaitForConvergenceAsync(converge.Token);
        }

        // A second session watches every committed state: the port must never be there without its groups.
        await using var watcher = new OvsdbClient(_sandbox.NbRemote, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Logical_Switch_Port") { Indexes = ["name"] }, new OvsdbTableMonitor("Port_Group") { Indexes = ["name"] }],
        });
        await watcher.StartAsync(TimeSpan.FromSeconds(20));
        var violations = new ConcurrentQueue<string>();
        var sawPort = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IReadOnlyList<string>? groups = null;
        watcher.Replica.Changed += _ =>
        {
            if (watcher.Replica.Lookup("Logical_Switch_Port", "name", "shop_web-0") is not [var port] || groups is null)
            {
                return;
            }

            foreach (var group in groups)
            {
                if (watcher.Replica.Lookup("Port_Group", "name", group) is not [var row] || !row["ports"].Contains(OvsdbAtom.Uuid(port.Uuid)))
                {
                    violations.Enqueue($"shop_web-0 exists outside {group}");
                }
            }

            sawPort.TrySetResult();
        };

        // The CNI's order: the pod to the engine first (Pending, no IP: a subject already), then one transaction that
        // creates the port, puts it on the switch and adds it to every group.
        var pending = K8s.Pod("shop", "web-0", "app=web", "10.0.0.20");
        pending.Status = new V1PodStatus { Phase = "Pending" };
        engine.UpsertPod(pending);
        var lsp = engine.Options.LogicalSwitchPortName("shop", "web-0");
        groups = desired.PortGroupsOf(lsp);
        Assert.Equal(4, groups.Count); // the namespace's ingress and egress default deny, policies shop/deny-all and shop/web
        var txn = nb.CreateTransaction();
        var portName = txn.Insert("Logical_Switch_Port", new Dictionary<string, OvsdbDatum>
        {
            ["name"] = OvsdbDatum.FromString(lsp),
            ["addresses"] = OvsdbDatum.StringSet(["0a:58:0a:00:00:14 10.0.0.20"]),
        });
        txn.Mutate("Logical_Switch", [OvsdbCondition.Equal("name", Switch)],
            [new OvsdbMutation("ports", OvsdbMutator.Insert, OvsdbDatum.Scalar(OvsdbAtom.NamedUuid(portName)))]);
        Assert.Equal(groups, desired.AddPortToGroups(txn, lsp, OvsdbAtom.NamedUuid(portName)));
        var result = await nb.TransactAsync(txn);
        Assert.True(result.Succeeded, result.Error?.Message);
        await sawPort.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using (var converge = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await reconciler.WaitForConvergenceAsync(converge.Token);
        }

        Assert.Empty(violations);
        Assert.Equal(NbContents.FromDesired(desired), await NbContents.ReadAsync(_sandbox.NbRemote, Controller));

        // Isolated at once: a pod of an unpoliced namespace cannot reach it (only app=client pods of shop may, on 80),
        // and it cannot send (shop's egress default deny).
        await _sandbox.WaitForNorthdSyncAsync();
        Assert.False(await DeliveredAsync(ProbePod, "shop_web-0", "0a:58:0a:00:00:14", "10.0.0.20"), "the pending pod was reachable from another namespace");
        Assert.False(await DeliveredAsync("shop_web-0", "0a:58:0a:00:00:14", "10.0.0.20", ProbePod), "the pending pod could send under an egress default deny");

        // The same port created without its groups (a CNI that ignored them) is open: the assertions above can fail.
        await _sandbox.RunNbctlAsync(["lsp-add", Switch, "shop_web-9", "--", "lsp-set-addresses", "shop_web-9", "0a:58:0a:00:00:1d 10.0.0.29"]);
        await _sandbox.WaitForNorthdSyncAsync();
        Assert.True(await DeliveredAsync(ProbePod, "shop_web-9", "0a:58:0a:00:00:1d", "10.0.0.29"));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A pod of namespace <c>other</c>, which has no policies: its own traffic is never the one denied.</summary>
    private static readonly (string Port, string Mac, string Ip) ProbePod = ("other_probe-0", "0a:58:0a:00:01:0a", "10.0.1.10");

    private Task<bool> DeliveredAsync((string Port, string Mac, string Ip) src, string dst, string dstMac, string dstIp) =>
        DeliveredAsync(src.Port, src.Mac, src.Ip, dst, dstMac, dstIp);

    private Task<bool> DeliveredAsync(string src, string srcMac, string srcIp, (string Port, string Mac, string Ip) dst) =>
        DeliveredAsync(src, srcMac, srcIp, dst.Port, dst.Mac, dst.Ip);

    private async Task<bool> DeliveredAsync(string src, string srcMac, string srcIp, string dst, string dstMac, string dstIp)
    {
        var flow = $"inport == \"{src}\" && eth.src == {srcMac} && eth.dst == {dstMac} && ip4.src == {srcIp} && ip4.dst == {dstIp} && ip.ttl == 64 && tcp && tcp.src == 40000 && tcp.dst == 80";
        var (delivered, _) = await _sandbox.TraceNewConnectionAsync(Switch, flow, dst);
        return delivered;
    }
}
