using System.Collections.Immutable;
using k8s.Models;

namespace OvnAcl.Kubernetes;

/// <summary>A Kubernetes object and where it came from (null for objects passed in memory, e.g. from an informer).</summary>
public sealed record SourcedObject<T>(T Object, ObjectSource? Source)
    where T : class;

/// <summary>
/// What the compiler reads: NetworkPolicies with the Pods and Namespaces they select and the Nodes the pods run on, plus whatever problems loading
/// them found. Build one with <see cref="KubernetesInputLoader"/> (files) or <see cref="FromObjects"/> (objects a
/// controller holds).
/// </summary>
public sealed class KubernetesInput
{
    /// <summary>No objects.</summary>
    public static KubernetesInput Empty { get; } = new([], [], [], []);

    /// <summary>Objects read elsewhere, with their sources and the problems found while reading them.</summary>
    public KubernetesInput(
        ImmutableArray<SourcedObject<V1NetworkPolicy>> policies,
        ImmutableArray<SourcedObject<V1Pod>> pods,
        ImmutableArray<SourcedObject<V1Namespace>> namespaces,
        ImmutableArray<Diagnostic> loadDiagnostics,
        ImmutableArray<SourcedObject<V1Node>> nodes = default)
    {
        Nodes = nodes.IsDefault ? [] : nodes;
        Policies = policies.IsDefault ? [] : policies;
        Pods = pods.IsDefault ? [] : pods;
        Namespaces = namespaces.IsDefault ? [] : namespaces;
        LoadDiagnostics = loadDiagnostics.IsDefault ? [] : loadDiagnostics;
    }

    /// <summary>The NetworkPolicies, each with the file and document it came from.</summary>
    public ImmutableArray<SourcedObject<V1NetworkPolicy>> Policies { get; }

    /// <summary>
    /// The Pods, each with its source. From <see cref="KubernetesInputLoader"/>: only the part OvnAcl reads of each
    /// (see <see cref="KubernetesLoadOptions.WholePods"/>); from <see cref="FromObjects"/>: the objects given.
    /// </summary>
    public ImmutableArray<SourcedObject<V1Pod>> Pods { get; }

    /// <summary>The Namespaces, each with its source.</summary>
    public ImmutableArray<SourcedObject<V1Namespace>> Namespaces { get; }

    /// <summary>The nodes whose traffic to and from their own pods is always allowed (see docs/kubernetes.md, Nodes).</summary>
    public ImmutableArray<SourcedObject<V1Node>> Nodes { get; }

    /// <summary>
    /// The Services <c>explain</c> resolves a ClusterIP (or <c>service/NAMESPACE/NAME</c>) through, to their backends;
    /// the compiler does not read them (NetworkPolicies select pods, not Services).
    /// </summary>
    public ImmutableArray<SourcedObject<V1Service>> Services { get; init; } = [];

    /// <summary>The EndpointSlices naming the Services' backends (label <c>kubernetes.io/service-name</c>).</summary>
    public ImmutableArray<SourcedObject<V1EndpointSlice>> EndpointSlices { get; init; } = [];

    /// <summary>
    /// The cluster-scoped policies: AdminNetworkPolicies, the BaselineAdminNetworkPolicy and ClusterNetworkPolicies,
    /// as their JSON (validated by the compiler).
    /// </summary>
    public ImmutableArray<SourcedObject<ClusterPolicyObject>> ClusterPolicies { get; init; } = [];

    /// <summary>Problems found while reading files (unparseable documents, unknown kinds); errors among them stop compilation.</summary>
    public ImmutableArray<Diagnostic> LoadDiagnostics { get; }

    /// <summary>Input from objects held in memory (an informer's cache, a test's): no sources and no load diagnostics.</summary>
    public static KubernetesInput FromObjects(
        IEnumerable<V1NetworkPolicy> policies, IEnumerable<V1Pod> pods, IEnumerable<V1Namespace> namespaces, IEnumerable<V1Node>? nodes = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(namespaces);
        return new(
            [.. policies.Select(p => new SourcedObject<V1NetworkPolicy>(p, null))],
            [.. pods.Select(p => new SourcedObject<V1Pod>(p, null))],
            [.. namespaces.Select(n => new SourcedObject<V1Namespace>(n, null))],
            [],
            [.. (nodes ?? []).Select(n => new SourcedObject<V1Node>(n, null))]);
    }

    /// <summary>Both inputs together, e.g. several directories loaded apart.</summary>
    public KubernetesInput Concat(KubernetesInput other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Policies.AddRange(other.Policies), Pods.AddRange(other.Pods), Namespaces.AddRange(other.Namespaces),
            LoadDiagnostics.AddRange(other.LoadDiagnostics), Nodes.AddRange(other.Nodes))
        {
            Services = Services.AddRange(other.Services),
            EndpointSlices = EndpointSlices.AddRange(other.EndpointSlices),
            ClusterPolicies = ClusterPolicies.AddRange(other.ClusterPolicies),
        };
    }

    /// <summary>This input with <paramref name="policies"/> (cluster-scoped policies held in memory, e.g. an informer's) added.</summary>
    public KubernetesInput WithClusterPolicies(IEnumerable<ClusterPolicyObject> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return Concat(new KubernetesInput([], [], [], [])
        {
            ClusterPolicies = [.. policies.Select(p => new SourcedObject<ClusterPolicyObject>(p, null))],
        });
    }

    /// <summary>This input with <paramref name="services"/> and <paramref name="endpointSlices"/> (held in memory) added.</summary>
    public KubernetesInput WithServices(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice>? endpointSlices = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Concat(new KubernetesInput([], [], [], [])
        {
            Services = [.. services.Select(s => new SourcedObject<V1Service>(s, null))],
            EndpointSlices = [.. (endpointSlices ?? []).Select(e => new SourcedObject<V1EndpointSlice>(e, null))],
        });
    }
}
