using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OvnAcl.Samples.Informer;

// ovnacl-informer [--nb REMOTE] [--controller NAME] [--kubeconfig FILE], or any OvnAcl:* key (--OvnAcl:LockName=ovnacl,
// OvnAcl__Northbound=... in the environment). Watches the cluster of the kubeconfig (or the in-cluster service account)
// and keeps the NB's ACLs in step; Ctrl-C (SIGINT/SIGTERM) stops the host, which closes the NB connection.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--nb"] = "OvnAcl:Northbound",
    ["--controller"] = "OvnAcl:ControllerName",
    ["--kubeconfig"] = "Kubeconfig",
});
builder.Configuration["OvnAcl:Northbound"] ??= Environment.GetEnvironmentVariable("OVN_NB_DB") ?? "unix:/var/run/ovn/ovnnb_db.sock";
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

// The NB client and the reconciler run as a hosted service; the engine they reconcile is a singleton the informers feed.
builder.Services.AddOvnAcl(builder.Configuration.GetSection("OvnAcl")).AddKubernetesEngine();
builder.Services.AddHealthChecks().AddOvnAcl();
builder.Services.AddHostedService<HealthLogger>();

var kubeconfig = builder.Configuration["Kubeconfig"];
builder.Services.AddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.IsInCluster()
    ? KubernetesClientConfiguration.InClusterConfig()
    : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)));
builder.Services.AddHostedService<AclController>();

await builder.Build().RunAsync();
