using System.Text.Json;

namespace OvnAcl;

/// <summary>Which compiler an input is for.</summary>
public enum PolicyInputKind
{
    /// <summary>Kubernetes manifests: NetworkPolicies, Pods, Namespaces (YAML or JSON).</summary>
    Kubernetes,

    /// <summary>Neutron API JSON: <c>security_groups</c>, <c>ports</c>, <c>address_groups</c>.</summary>
    Neutron,
}

/// <summary>Tells Kubernetes manifests from Neutron API documents, so one <c>compile</c> verb takes both.</summary>
public static class PolicyInput
{
    private static readonly string[] s_neutronKeys = ["security_groups", "ports", "address_groups"];

    /// <summary>
    /// The kind of every file under <paramref name="paths"/> (directories recursively): Neutron when a JSON
    /// document's top level has <c>security_groups</c>, <c>ports</c> or <c>address_groups</c>, Kubernetes otherwise.
    /// </summary>
    /// <exception cref="OvnAclException">The inputs mix both kinds.</exception>
    public static PolicyInputKind Detect(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        string? firstNeutron = null;
        string? firstKubernetes = null;
        foreach (var file in Files(paths))
        {
            if (IsNeutron(file))
            {
                firstNeutron ??= file;
            }
            else
            {
                firstKubernetes ??= file;
            }
        }

        if (firstNeutron is not null && firstKubernetes is not null)
        {
            throw new OvnAclException(
                $"the inputs mix Neutron API JSON ({firstNeutron}) and Kubernetes manifests ({firstKubernetes}); compile them separately");
        }

        return firstNeutron is not null ? PolicyInputKind.Neutron : PolicyInputKind.Kubernetes;
    }

    private static IEnumerable<string> Files(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static bool IsNeutron(string file)
    {
        if (!file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || !File.Exists(file))
        {
            return false;
        }

        try
        {
            using var stream = File.OpenRead(file);
            using var document = JsonDocument.Parse(stream);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && s_neutronKeys.Any(k => document.RootElement.TryGetProperty(k, out _));
        }
        catch (JsonException)
        {
            // Not valid JSON: the Kubernetes loader reports it with its position.
            return false;
        }
    }
}
