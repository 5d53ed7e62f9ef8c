using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace OvnAcl.Samples.Informer;

/// <summary>
/// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy as the API serves it (custom resources of
/// kubernetes-sigs/network-policy-api): no generated client, the spec kept as JSON for OvnAcl's own reader, which
/// validates it field by field (<see cref="OvnAcl.Kubernetes.ClusterPolicyObject"/>).
/// </summary>
public sealed class ClusterPolicyResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonElement Spec { get; set; }
}

/// <summary>A list of <see cref="ClusterPolicyResource"/>, as a list call returns it.</summary>
public sealed class ClusterPolicyResourceList : IItems<ClusterPolicyResource>, IMetadata<V1ListMeta>
{
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<ClusterPolicyResource> Items { get; set; } = [];
}

/// <summary>The three cluster-scoped policy resources, by API group, version and plural.</summary>
public static class ClusterPolicyResources
{
    public const string Group = "policy.networking.k8s.io";

    public static IReadOnlyList<(string Version, string Plural)> All { get; } =
    [
        ("v1alpha1", "adminnetworkpolicies"),
        ("v1alpha1", "baselineadminnetworkpolicies"),
        ("v1alpha2", "clusternetworkpolicies"),
    ];
}
