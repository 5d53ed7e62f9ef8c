using System.Buffers;
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
    /// document's top level has <c>security_groups</c>, <c>ports</c> or <c>address_groups</c> and no Kubernetes
    /// <c>apiVersion</c> or <c>kind</c>, Kubernetes otherwise.
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

    /// <summary>
    /// Whether <paramref name="file"/> is a valid JSON document whose top level is an object with a Neutron key and
    /// neither <c>apiVersion</c> nor <c>kind</c>. Read as a stream of tokens through a small buffer, and only up to a
    /// top-level <c>apiVersion</c> or <c>kind</c>: a Kubernetes dump of many megabytes was parsed into a whole document
    /// only to be told apart (0.9 s and 400 MB for a 100 MB dump).
    /// </summary>
    private static bool IsNeutron(string file)
    {
        if (!file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || !File.Exists(file))
        {
            return false;
        }

        using var stream = File.OpenRead(file);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var state = new JsonReaderState();
            int filled = 0, start = 0;
            bool final = false, root = false, found = false, first = true;
            while (true)
            {
                while (!final && filled < buffer.Length)
                {
                    var read = stream.Read(buffer, filled, buffer.Length - filled);
                    final = read == 0;
                    filled += read;
                }

                if (first)
                {
                    first = false;
                    start = buffer.AsSpan(0, filled).StartsWith("\uFEFF"u8) ? 3 : 0; // a BOM: JsonDocument.Parse(Stream) skips it too, as the loader does
                }

                var reader = new Utf8JsonReader(buffer.AsSpan(start, filled - start), final, state);
                while (reader.Read())
                {
                    if (!root)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            return false; // valid or not, not an object: not Neutron
                        }

                        root = true;
                    }
                    else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                    {
                        if (reader.ValueTextEquals("apiVersion"u8) || reader.ValueTextEquals("kind"u8))
                        {
                            return false; // a Kubernetes object or List (no Neutron document has either): no need to read on
                        }

                        found |= s_neutronKeys.Contains(reader.GetString(), StringComparer.Ordinal);
                    }
                }

                if (final)
                {
                    return found; // the reader threw on anything left that is not whitespace
                }

                // Keep the unread tail (part of a token) and read on; a token longer than the buffer grows it.
                var consumed = start + checked((int)reader.BytesConsumed);
                state = reader.CurrentState;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                (filled, start) = (filled - consumed, 0);
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch (JsonException)
        {
            // Not valid JSON: the Kubernetes loader reports it with its position.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
