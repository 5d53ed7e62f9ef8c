using k8s;
using System.Text.Json;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Samples.Informer;

/// <summary>
/// A NetworkPolicy controller for OVN in a few hundred lines: informers of Namespaces, Pods, Nodes, NetworkPolicies and
/// the cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) feed the <see cref="KubernetesEngine"/> that <c>AddOvnAcl(...).AddKubernetesEngine()</c> registered; the hosted
/// reconciler of OvnAcl.Hosting pushes what changed to the Northbound database. An object the engine refuses (an
/// invalid policy) is logged with the field at fault and skipped: the rows of its previous version stay.
/// </summary>
public sealed class AclController(IKubernetes kubernetes, KubernetesEngine engine, ILogger<AclController> logger) : BackgroundService
{
    private readonly ILogger _logger = logger;

    public DesiredState Desired => engine.Desired;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var namespaces = new Informer<V1Namespace, V1NamespaceList>("namespaces",
            ct => kubernetes.CoreV1.ListNamespaceAsync(cancellationToken: ct),
            (version, onError, ct) => kubernetes.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: version, onError: onError, cancellationToken: ct),
            ns => Guard(ns, () => engine.UpsertNamespace(ns)),
            ns => Guard(ns, () => engine.DeleteNamespace(ns.Metadata.Name)),
            _logger);
        var pods = new Informer<V1Pod, V1PodList>("pods",
            ct => kubernetes.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct),
            (version, onError, ct) => kubernetes.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: version, onError: onError, cancellationToken: ct),
            pod => Guard(pod, () => engine.UpsertPod(pod)),
            pod => Guard(pod, () => engine.DeletePod(pod.Metadata.NamespaceProperty, pod.Metadata.Name)),
            _logger);
        var nodes = new Informer<V1Node, V1NodeList>("nodes",
            ct => kubernetes.CoreV1.ListNodeAsync(cancellationToken: ct),
            (version, onError, ct) => kubernetes.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: version, onError: onError, cancellationToken: ct),
            node => Guard(node, () => engine.UpsertNode(node)),
            node => Guard(node, () => engine.DeleteNode(node.Metadata.Name)),
            _logger);
        var policies = new Informer<V1NetworkPolicy, V1NetworkPolicyList>("networkpolicies",
            ct => kubernetes.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(cancellationToken: ct),
            (version, onError, ct) => kubernetes.NetworkingV1.WatchListNetworkPolicyForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: version, onError: onError, cancellationToken: ct),
            policy => Guard(policy, () => engine.UpsertPolicy(policy)),
            policy => Guard(policy, () => engine.DeletePolicy(policy.Metadata.NamespaceProperty, policy.Metadata.Name)),
            _logger);

        // The cluster-scoped policies are custom resources: a cluster without their CRDs (404) has none, and is
        // listed again now and then in case they are installed later.
        engine.ExpectClusterPolicies();
        var clusterPolicies = ClusterPolicyResources.All.Select(r => new Informer<ClusterPolicyResource, ClusterPolicyResourceList>(r.Plural,
            ct => kubernetes.CustomObjects.ListClusterCustomObjectAsync<ClusterPolicyResourceList>(ClusterPolicyResources.Group, r.Version, r.Plural, cancellationToken: ct),
            (version, onError, ct) => WatchClusterPolicies(r.Version, r.Plural, version, onError, ct),
            policy => Guard(policy, () => engine.UpsertClusterPolicy(ClusterPolicyObject.Parse(KubernetesJson.Serialize(policy)))),
            policy => Guard(policy, () => engine.DeleteClusterPolicy(policy.Kind, policy.Metadata.Name)),
            _logger,
            optional: true)).ToList();

        var informers = new[] { namespaces.RunAsync(stoppingToken), pods.RunAsync(stoppingToken), nodes.RunAsync(stoppingToken), policies.RunAsync(stoppingToken) }
            .Concat(clusterPolicies.Select(i => i.RunAsync(stoppingToken))).ToArray();

        // The engine declared its four kinds to the desired state; the reconciler writes nothing until each is marked
        // listed (before that the state lacks rows the database rightly has, and comparing would delete them).
        async Task Listed(Task synced, KubernetesInputKind kind)
        {
            await synced.WaitAsync(stoppingToken).ConfigureAwait(false);
            engine.MarkListed(kind);
        }

        await Task.WhenAll(Listed(namespaces.Synced, KubernetesInputKind.Namespace), Listed(pods.Synced, KubernetesInputKind.Pod),
            Listed(nodes.Synced, KubernetesInputKind.Node), Listed(policies.Synced, KubernetesInputKind.NetworkPolicy),
            Listed(Task.WhenAll(clusterPolicies.Select(i => i.Synced)), KubernetesInputKind.ClusterPolicy)).ConfigureAwait(false);
        _logger.LogInformation("synced: {PortGroups} port groups, {AddressSets} address sets wanted", Desired.PortGroupCount, Desired.AddressSetCount);
        await Task.WhenAll(informers).ConfigureAwait(false);
    }

    /// <summary>A watch of one cluster policy resource, each event's object read as a <see cref="ClusterPolicyResource"/>.</summary>
    private async IAsyncEnumerable<(WatchEventType, ClusterPolicyResource)> WatchClusterPolicies(string version, string plural, string? resourceVersion,
        Action<Exception> onError, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (type, item) in kubernetes.CustomObjects.WatchListClusterCustomObjectAsync(ClusterPolicyResources.Group, version, plural,
                           allowWatchBookmarks: true, resourceVersion: resourceVersion, onError: onError, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (type is WatchEventType.Bookmark)
            {
                continue;
            }

            var json = item is JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(item);
            yield return (type, KubernetesJson.Deserialize<ClusterPolicyResource>(json));
        }
    }

    private void Guard(IKubernetesObject<V1ObjectMeta> item, Func<IReadOnlyList<Diagnostic>> apply)
    {
        try
        {
            foreach (var warning in apply())
            {
                _logger.LogWarning("{Diagnostic}", warning.ToString());
            }
        }
        catch (AclCompileException ex)
        {
            _logger.LogError("{Kind} {Namespace}/{Name} refused, its previous version stays: {Errors}",
                item.Kind, item.Metadata.NamespaceProperty, item.Metadata.Name, string.Join("; ", ex.Diagnostics.Where(d => d.IsError)));
        }
    }
}
