using System.Text.Json;

namespace OvnAcl.Kubernetes;

/// <summary>
/// A cluster-scoped network policy as its JSON: an AdminNetworkPolicy or BaselineAdminNetworkPolicy
/// (<c>policy.networking.k8s.io/v1alpha1</c>) or a ClusterNetworkPolicy (<c>policy.networking.k8s.io/v1alpha2</c>).
/// No generated client is needed: an informer of custom objects hands out this JSON, and the loader builds it from
/// YAML or JSON files. The compiler validates it (see docs/admin-policy.md for what is accepted and refused).
/// </summary>
public sealed class ClusterPolicyObject
{
    private ClusterPolicyObject(JsonElement json) => Json = json;

    /// <summary>The whole object (<c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c>; <c>status</c> is not read).</summary>
    public JsonElement Json { get; }

    /// <summary><c>apiVersion</c>, or null when absent or not a string.</summary>
    public string? ApiVersion => Text(Json, "apiVersion");

    /// <summary><c>kind</c>, or null when absent or not a string.</summary>
    public string? Kind => Text(Json, "kind");

    /// <summary><c>metadata.name</c>, or null when absent or not a string.</summary>
    public string? Name =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("metadata", out var metadata) ? Text(metadata, "name") : null;

    /// <summary>An object from its JSON element (copied: the element's document may be disposed afterwards).</summary>
    public static ClusterPolicyObject FromJson(JsonElement json) => new(json.Clone());

    /// <summary>An object from JSON text; <see cref="JsonException"/> when the text is not JSON.</summary>
    public static ClusterPolicyObject Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        return new(document.RootElement.Clone());
    }

    /// <summary>The object as JSON text.</summary>
    public override string ToString() => Json.GetRawText();

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
