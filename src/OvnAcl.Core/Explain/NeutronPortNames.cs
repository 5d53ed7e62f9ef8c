using System.Text.Json;

namespace OvnAcl.Explain;

/// <summary>
/// The <c>name</c> of each port in Neutron API documents, for labels only: the translation does not need it, so
/// <c>NeutronInput</c> does not keep it. Unreadable files are skipped (the translation reports them).
/// </summary>
internal static class NeutronPortNames
{
    public static Dictionary<string, string> Read(IEnumerable<string> paths)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*.json", SearchOption.AllDirectories) : [p]))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(file));
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("ports", out var ports) || ports.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var port in ports.EnumerateArray())
                {
                    if (port.ValueKind == JsonValueKind.Object && port.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                        && port.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        names[id.GetString()!] = name.GetString()!;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                // The translation reports the file.
            }
        }

        return names;
    }
}
