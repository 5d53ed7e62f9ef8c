using k8s;
using Microsoft.Extensions.Logging;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Samples.Informer;

// ovnacl-informer [--nb REMOTE] [--controller NAME] [--kubeconfig FILE]
// Watches the cluster of the kubeconfig (or the in-cluster service account) and keeps the NB's ACLs in step.
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

var remote = Arg("--nb") ?? Environment.GetEnvironmentVariable("OVN_NB_DB") ?? "unix:/var/run/ovn/ovnnb_db.sock";
var controller = Arg("--controller") ?? "ovnacl";
var config = KubernetesClientConfiguration.IsInCluster()
    ? KubernetesClientConfiguration.InClusterConfig()
    : KubernetesClientConfiguration.BuildConfigFromConfigFile(Arg("--kubeconfig"));

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

using var kubernetes = new Kubernetes(config);
await using var northbound = new OvsdbClient(remote, OvsdbClientOptions.Default with
{
    Tables = AclReconciler.MonitoredTables(),
    Connection = OvsdbConnectionOptions.Default with { LoggerFactory = loggerFactory },
});
await northbound.StartAsync(stop.Token);
try
{
    await new AclController(kubernetes, northbound, controller, loggerFactory).RunAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
