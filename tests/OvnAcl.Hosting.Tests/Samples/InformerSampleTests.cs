using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Samples.Informer;

namespace OvnAcl.Hosting.Tests.Samples;

/// <summary>
/// samples/informer end to end, wired as its Program.cs wires it: a host with AddOvnAcl(...).AddKubernetesEngine()
/// and the sample's AclController as a hosted service, KubernetesClient's list and watch against a fake API server
/// holding the three-tier sample, a real Northbound database. The database follows the cluster: first the sample, then
/// a pod added, a pod deleted and a policy changed through watch events.
/// </summary>
public sealed class InformerSampleTests : IAsyncLifetime
{
    private StandaloneNb _nb = null!;

    public async Task InitializeAsync() => _nb = await StandaloneNb.StartAsync(StandaloneNbOptions.Default with { Tcp = false });

    public async Task DisposeAsync() => await _nb.DisposeAsync();

    [Fact]
    public async Task The_informer_sample_keeps_the_database_in_step_with_the_cluster()
    {
        var input = await HostedNb.ThreeTierAsync();
        var namespaces = input.Namespaces.Select(n => n.Object).ToList();
        var pods = input.Pods.Select(p => p.Object).ToDictionary(p => p.Metadata.Name);
        var policies = input.Policies.Select(p => p.Object).ToDictionary(p => p.Metadata.Name);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, pods.Keys.Append("web-3").Select(p => "three-tier_" + p));

        await using var api = new FakeKubernetesApi();
        foreach (var item in namespaces.Cast<IKubernetesObject<V1ObjectMeta>>().Concat(pods.Values).Concat(policies.Values))
        {
            api.Put(item);
        }

        using var kubernetes = api.CreateClient();
        using var host = Controller(kubernetes);
        var controller = host.Services.GetServices<IHostedService>().OfType<AclController>().Single();
        await host.StartAsync();

        await ConvergedAsync(host, controller, namespaces, pods.Values, policies.Values);
        await WaitUntilAsync(() => api.Watchers == 4, "the four watches to start");

        // Watch events: a web pod added, another deleted, the web policy narrowed to port 8080.
        var web3 = HostedNb.Pod("three-tier", "web-3", "web", "10.244.0.13");
        api.Put(web3);
        pods["web-3"] = web3;
        api.Delete(pods["web-2"]);
        pods.Remove("web-2");
        var web = policies["web"];
        web.Spec.Ingress[0].Ports = [new V1NetworkPolicyPort { Port = 8080, Protocol = "TCP" }];
        api.Put(web);
        var rows = await ConvergedAsync(host, controller, namespaces, pods.Values, policies.Values);
        var webGroup = Assert.Single(rows.PortGroups, g => g.ExternalIds.TryGetValue("owner-type", out var type) && type == "NetworkPolicy"
                                                            && g.ExternalIds["owner"] == "three-tier/web");
        Assert.Contains("three-tier_web-3", webGroup.Ports);
        Assert.DoesNotContain("three-tier_web-2", webGroup.Ports);
        Assert.Contains("tcp.dst == 8080", Assert.Single(webGroup.Acls).Match, StringComparison.Ordinal);

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// With the network-policy-api CRDs served: the sample's guardrails (five AdminNetworkPolicies and the baseline) are
    /// listed and watched like the other kinds; the rows converge to the compile of every object, an ANP deleted by a
    /// watch event takes its rows with it, and one the engine refuses (priority out of range) leaves the previous
    /// version in force.
    /// </summary>
    [Fact]
    public async Task The_informer_sample_watches_cluster_policies()
    {
        var sample = Path.Combine(OvnAcl.Testing.Repository.Root, "samples", "admin-policy");
        var input = KubernetesInputLoader.LoadText(string.Join("\n---\n", Directory.GetFiles(sample, "*.yaml").Order().Select(File.ReadAllText)), "admin-policy.yaml");
        Assert.Empty(input.LoadDiagnostics.Where(d => d.IsError));
        var namespaces = input.Namespaces.Select(n => n.Object).ToList();
        var pods = input.Pods.Select(p => p.Object).ToList();
        var policies = input.Policies.Select(p => p.Object).ToList();
        var clusterPolicies = input.ClusterPolicies.Select(p => KubernetesJson.Deserialize<ClusterPolicyResource>(p.Object.ToString())).ToDictionary(p => p.Metadata.Name);
        await HostedNb.AddPortsAsync(_nb.UnixRemote, pods.Select(p => p.Metadata.NamespaceProperty + "_" + p.Metadata.Name));

        await using var api = new FakeKubernetesApi(clusterPolicies: true);
        foreach (var item in namespaces.Cast<IKubernetesObject<V1ObjectMeta>>().Concat(pods).Concat(policies).Concat(clusterPolicies.Values))
        {
            api.Put(item);
        }

        using var kubernetes = api.CreateClient();
        using var host = Controller(kubernetes);
        var controller = host.Services.GetServices<IHostedService>().OfType<AclController>().Single();
        await host.StartAsync();

        var rows = await ConvergedAsync(host, controller, namespaces, pods, policies, clusterPolicies.Values);
        Assert.Contains(rows.PortGroups, g => g.ExternalIds.TryGetValue("owner", out var owner) && owner == "deny-cross-tenant");
        await WaitUntilAsync(() => api.Watchers == 7, "the seven watches to start");

        // A watch deletes deny-cross-tenant; an update of allow-dns with a priority the API forbids is refused.
        api.Delete(clusterPolicies["deny-cross-tenant"]);
        clusterPolicies.Remove("deny-cross-tenant");
        var bad = KubernetesJson.Deserialize<ClusterPolicyResource>(KubernetesJson.Serialize(clusterPolicies["allow-dns"]).Replace("\"priority\":20", "\"priority\":5000", StringComparison.Ordinal));
        Assert.NotEqual(KubernetesJson.Serialize(bad), KubernetesJson.Serialize(clusterPolicies["allow-dns"]));
        api.Put(bad);
        rows = await ConvergedAsync(host, controller, namespaces, pods, policies, clusterPolicies.Values);
        Assert.DoesNotContain(rows.PortGroups, g => g.ExternalIds.TryGetValue("owner", out var owner) && owner == "deny-cross-tenant");
        Assert.Contains(rows.PortGroups, g => g.ExternalIds.TryGetValue("owner", out var owner) && owner == "allow-dns" && g.Acls.Count > 0);

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The sample's host, as its Program.cs builds it, on this NB and <paramref name="kubernetes"/>.</summary>
    private IHost Controller(IKubernetes kubernetes)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        foreach (var (key, value) in HostedNb.Settings(_nb.UnixRemote))
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddOvnAcl(builder.Configuration.GetSection("OvnAcl")).AddKubernetesEngine();
        builder.Services.AddHealthChecks().AddOvnAcl();
        builder.Services.AddSingleton(kubernetes);
        builder.Services.AddHostedService<AclController>();
        return builder.Build();
    }

    /// <summary>Waits until the controller wants the compile of these objects, the health check says converged and the database holds exactly that.</summary>
    private async Task<NorthboundRows> ConvergedAsync(IHost host, AclController controller,
        IEnumerable<V1Namespace> namespaces, IEnumerable<V1Pod> pods, IEnumerable<V1NetworkPolicy> policies, IEnumerable<ClusterPolicyResource>? clusterPolicies = null)
    {
        var expected = HostedNb.Compile(KubernetesInput.FromObjects(policies, pods, namespaces)
            .WithClusterPolicies((clusterPolicies ?? []).Select(p => ClusterPolicyObject.Parse(KubernetesJson.Serialize(p)))));
        await WaitUntilAsync(() => controller.Desired.Snapshot() == expected, "the controller to want the compiled rows");
        await HostedNb.EventuallyAsync(host, HealthStatus.Healthy);
        await HostedNb.AssertHoldsAsync(_nb.UnixRemote, expected);
        return expected;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
