using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// KubernetesClient's own System.Text.Json options (its converters for dates, durations, enums, quantities and
/// IntOrString), made as strict as the YAML reader: an unmapped field or a repeated key throws, a number is never
/// read from a string. It is the loader's fast way for JSON; whatever it throws on, the loader reads again the careful
/// way, which names the problem, so the fast way needs no diagnostics of its own.
/// </summary>
/// <remarks>
/// What the loader sets aside is skipped here as it is there: a Namespace's <c>status</c> (a NetworkPolicy has none in
/// this client's model, so one with a status takes the careful way, which drops it), and
/// <c>metadata.managedFields</c> (the server's bookkeeping, nearly half of a live dump's bytes). Of a Pod's status
/// only phase, podIP and podIPs are read, in the one shape the API server writes them; any other shape throws, so the
/// careful way reports it.
/// </remarks>
internal static class StrictKubernetesJson
{
    /// <summary>Null when a KubernetesClient version no longer holds its options where they were found: then every JSON object takes the careful way.</summary>
    public static JsonSerializerOptions? Options { get; } = Create();

    private static JsonSerializerOptions? Create()
    {
        if (typeof(KubernetesJson).GetField("JsonSerializerOptions", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            is not JsonSerializerOptions client)
        {
            return null;
        }

        var options = new JsonSerializerOptions(client)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowDuplicateProperties = false,
            NumberHandling = JsonNumberHandling.Strict,
            PropertyNameCaseInsensitive = false,
        };
        options.Converters.Add(new SetAside<V1NamespaceStatus>());
        options.Converters.Add(new SetAside<IList<V1ManagedFieldsEntry>>());
        options.Converters.Add(new PodStatusReader());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Skips a value, still refusing what the careful way would refuse in it: a key repeated in one object.</summary>
    internal static void SkipChecked(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                HashSet<string>? names = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!(names ??= new(StringComparer.Ordinal)).Add(reader.GetString()!))
                    {
                        throw new JsonException("a key repeated in one object");
                    }

                    reader.Read();
                    SkipChecked(ref reader);
                }

                break;
            }

            case JsonTokenType.StartArray:
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    SkipChecked(ref reader);
                }

                break;
        }
    }

    /// <summary>A part the loader does not keep: read past (repeated keys still refused) and left null.</summary>
    private sealed class SetAside<T> : JsonConverter<T>
        where T : class
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            SkipChecked(ref reader);
            return null;
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            throw new NotSupportedException("the loader's options only read");
    }

    /// <summary>phase, podIP and podIPs (<c>[{"ip": …}]</c>) as strings; every other status field skipped; any other shape of those three throws.</summary>
    private sealed class PodStatusReader : JsonConverter<V1PodStatus>
    {
        public override V1PodStatus? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                SkipChecked(ref reader);
                return null; // the careful way ignores a status that is not a mapping too
            }

            var status = new V1PodStatus();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!names.Add(name))
                {
                    throw new JsonException("a key repeated in status");
                }

                reader.Read();
                switch (name)
                {
                    case "phase":
                        status.Phase = String(ref reader);
                        break;
                    case "podIP":
                        status.PodIP = String(ref reader);
                        break;
                    case "podIPs":
                        status.PodIPs = PodIps(ref reader);
                        break;
                    default:
                        SkipChecked(ref reader);
                        break;
                }
            }

            return status;
        }

        public override void Write(Utf8JsonWriter writer, V1PodStatus value, JsonSerializerOptions options) =>
            throw new NotSupportedException("the loader's options only read");

        private static string String(ref Utf8JsonReader reader) =>
            reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("not a string");

        private static List<V1PodIP> PodIps(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("podIPs is not a list");
            }

            var ips = new List<V1PodIP>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException("a podIPs entry is not a mapping");
                }

                string? ip = null;
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    if (!names.Add(name))
                    {
                        throw new JsonException("a key repeated in a podIPs entry");
                    }

                    reader.Read();
                    if (name == "ip")
                    {
                        ip = String(ref reader);
                    }
                    else
                    {
                        SkipChecked(ref reader);
                    }
                }

                ips.Add(new V1PodIP { Ip = ip ?? throw new JsonException("a podIPs entry without ip") });
            }

            return ips;
        }
    }
}
