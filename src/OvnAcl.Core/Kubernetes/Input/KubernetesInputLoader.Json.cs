using System.Text;
using System.Text.Json;
using k8s.Models;
using OvnAcl.Kubernetes.Input;

namespace OvnAcl.Kubernetes;

public static partial class KubernetesInputLoader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Items this thread read the fast way so far: how the tests know the way they compare was taken.</summary>
    [ThreadStatic]
    internal static int FastItemsRead;

    /// <summary>
    /// Where one item of a List is in the bytes, and what one pass over them showed. <see cref="Plain"/>: an object whose
    /// apiVersion and kind are each given at most once and are strings when given. <see cref="HasNull"/>: a <c>null</c>
    /// somewhere outside its status and metadata.managedFields, which both ways set aside (a live pod's status has several;
    /// elsewhere the two readers differ on some, e.g. a null resource quantity, so the careful way reads the item).
    /// <see cref="QuotedDigits"/>: some <c>port</c> is a quoted number, which is an error the careful way names.
    /// </summary>
    private readonly record struct JsonItem(int Start, int Length, string? ApiVersion, string? Kind, bool Plain, bool HasNull, bool QuotedDigits);

    /// <summary>A List's apiVersion and kind and where its items are.</summary>
    private sealed record JsonOutline(string? ApiVersion, string Kind, List<JsonItem> Items);

    private sealed partial class Builder
    {
        /// <summary>
        /// JSON text: the fast way when it applies (see <see cref="ReadJson(ReadOnlyMemory{byte})"/>); text that is not
        /// valid Unicode (an unpaired surrogate) is left to the careful way, which reports it.
        /// </summary>
        public void ReadJson(string text)
        {
            if (options.JsonFastPath && StrictKubernetesJson.Options is not null && StrictlyEncoded(text) is { } utf8)
            {
                ReadJson(utf8);
                return;
            }

            ReadJsonDocument(() => JsonDocument.Parse(text, DocumentOptions));
        }

        private static byte[]? StrictlyEncoded(string text)
        {
            try
            {
                return StrictUtf8.GetBytes(text);
            }
            catch (EncoderFallbackException)
            {
                return null;
            }
        }

        /// <summary>
        /// UTF-8 JSON. A List (the shape of every <c>kubectl get -o json</c>) is outlined in one pass without building a
        /// document; then each Pod, Namespace and NetworkPolicy is deserialized straight from its bytes by
        /// <see cref="StrictKubernetesJson"/>, and each skipped kind only counted. An item the fast way is not sure of
        /// (it throws, or the outline flagged it) is read the careful way, alone, and so is any file that is not a
        /// well-formed List: every diagnostic comes from the careful way, and is the same as without the fast one.
        /// </summary>
        public void ReadJson(ReadOnlyMemory<byte> utf8)
        {
            if (!options.JsonFastPath || StrictKubernetesJson.Options is null || Outline(utf8.Span) is not { } outline)
            {
                ReadJsonDocument(() => JsonDocument.Parse(utf8, DocumentOptions));
                return;
            }

            var source = new ObjectSource(file);
            for (var index = 0; index < outline.Items.Count; index++)
            {
                var item = outline.Items[index];
                var itemSource = source with { Item = index };
                var bytes = utf8.Slice(item.Start, item.Length);
                if (item.Plain && TryAddFast(item.ApiVersion ?? ItemApiVersion(outline.ApiVersion, outline.Kind), item.Kind ?? ItemKind(outline.Kind), bytes.Span, item, itemSource))
                {
                    continue;
                }

                using var document = JsonDocument.Parse(bytes, DocumentOptions);
                ReadListItem(document.RootElement, itemSource, outline.ApiVersion, outline.Kind);
            }
        }

        /// <summary>The fast way for one item; false leaves it to the careful way, having added nothing.</summary>
        private bool TryAddFast(string? apiVersion, string? kind, ReadOnlySpan<byte> json, JsonItem item, ObjectSource source)
        {
            switch (apiVersion, kind)
            {
                case ("networking.k8s.io/v1", "NetworkPolicy") when !item.QuotedDigits && !item.HasNull:
                    return TryAddFast(json, source, _policies, static p => p.Metadata, inNamespace: true);
                case ("v1", "Pod") when !item.HasNull:
                    return TryAddFast(json, source, _pods, static p => p.Metadata, inNamespace: true, options.WholePods ? null : KeptPod.Of);
                case ("v1", "Namespace") when !item.HasNull:
                    return TryAddFast(json, source, _namespaces, static n => n.Metadata, inNamespace: false);
                case (_, { } skipped) when IsSkipped(apiVersion, skipped) && !HasRepeatedKey(json):
                    _skipped[skipped] = _skipped.GetValueOrDefault(skipped) + 1;
                    FastItemsRead++;
                    return true;
                default:
                    return false; // Nodes, Services and EndpointSlices are few: the careful way reads them
            }
        }

        private bool TryAddFast<T>(ReadOnlySpan<byte> json, ObjectSource source, List<SourcedObject<T>> into, Func<T, V1ObjectMeta?> metadata, bool inNamespace,
            Func<T, T>? kept = null)
            where T : class
        {
            T? value;
            try
            {
                value = JsonSerializer.Deserialize<T>(json, StrictKubernetesJson.Options!);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException or NotSupportedException)
            {
                return false;
            }

            if (value is null || metadata(value) is { } m && (HasNullValue(m.Labels) || HasNullValue(m.Annotations)))
            {
                return false; // a null label or annotation: the careful way says the API server refuses it
            }

            if (inNamespace && options.Namespace is { } ns && metadata(value) is { } meta)
            {
                if (string.IsNullOrEmpty(meta.NamespaceProperty))
                {
                    meta.NamespaceProperty = ns; // as kubectl apply -n NS gives it
                }
                else if (meta.NamespaceProperty != ns)
                {
                    return false; // the careful way names the mismatch
                }
            }

            into.Add(new(kept is null ? value : kept(value), source));
            FastItemsRead++;
            return true;
        }

        private static bool HasNullValue(IDictionary<string, string>? map) => map is not null && map.Values.Any(v => v is null);

        /// <summary>The kinds the careful way counts and skips (the default of its switch).</summary>
        private static bool IsSkipped(string? apiVersion, string kind) =>
            kind is not ("NetworkPolicy" or "Pod" or "Namespace" or "Node" or "Service" or "EndpointSlice")
            && !(kind is "AdminNetworkPolicy" or "BaselineAdminNetworkPolicy" or "ClusterNetworkPolicy"
                && apiVersion?.StartsWith("policy.networking.k8s.io/", StringComparison.Ordinal) == true);

        /// <summary>Whether some object in <paramref name="json"/> repeats a key, which the careful way's YAML reader refuses even in a skipped kind.</summary>
        private static bool HasRepeatedKey(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            try
            {
                reader.Read();
                StrictKubernetesJson.SkipChecked(ref reader);
                return false;
            }
            catch (JsonException)
            {
                return true;
            }
        }

        /// <summary>
        /// One pass over a List's bytes: its apiVersion and kind and, for every item, where it is and what the careful
        /// way would have to say of it. Null for anything else (one object, a List whose apiVersion, kind or items are
        /// repeated or not strings, text that is not JSON): the careful way reads that whole.
        /// </summary>
        private static JsonOutline? Outline(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                string? apiVersion = null, kind = null;
                bool seenApiVersion = false, seenKind = false, seenItems = false;
                var items = new List<JsonItem>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("apiVersion"u8) || reader.ValueTextEquals("kind"u8))
                    {
                        var isKind = reader.ValueTextEquals("kind"u8);
                        if (isKind ? seenKind : seenApiVersion)
                        {
                            return null;
                        }

                        reader.Read();
                        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                        {
                            return null;
                        }

                        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (isKind)
                        {
                            (seenKind, kind) = (true, value);
                        }
                        else
                        {
                            (seenApiVersion, apiVersion) = (true, value);
                        }
                    }
                    else if (reader.ValueTextEquals("items"u8))
                    {
                        if (seenItems)
                        {
                            return null;
                        }

                        seenItems = true;
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            reader.Skip(); // not a list: no items, as the careful way takes it
                            continue;
                        }

                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            items.Add(OutlineItem(ref reader));
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (reader.Read() || kind is null || !kind.EndsWith("List", StringComparison.Ordinal))
                {
                    return null;
                }

                return new(apiVersion, kind, items);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static JsonItem OutlineItem(ref Utf8JsonReader reader)
        {
            var start = checked((int)reader.TokenStartIndex);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return new(start, checked((int)reader.BytesConsumed) - start, null, null, Plain: false, HasNull: false, QuotedDigits: false);
            }

            var depth = reader.CurrentDepth;
            string? apiVersion = null, kind = null;
            int apiVersions = 0, kinds = 0;
            bool plain = true, hasNull = false, quotedDigits = false, afterPort = false;
            bool inStatus = false, inMetadata = false, inManagedFields = false; // set aside by both ways: their nulls do not count
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
                {
                    inStatus = reader.ValueTextEquals("status"u8);
                    inMetadata = reader.ValueTextEquals("metadata"u8);
                    inManagedFields = false;
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 2)
                {
                    inManagedFields = inMetadata && reader.ValueTextEquals("managedFields"u8);
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.EndObject when reader.CurrentDepth == depth:
                        return new(start, checked((int)reader.BytesConsumed) - start, apiVersion, kind, plain && apiVersions <= 1 && kinds <= 1, hasNull, quotedDigits);
                    case JsonTokenType.PropertyName when reader.CurrentDepth == depth + 1 && (reader.ValueTextEquals("apiVersion"u8) || reader.ValueTextEquals("kind"u8)):
                    {
                        var isKind = reader.ValueTextEquals("kind"u8);
                        reader.Read();
                        string? value = null;
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            value = reader.GetString();
                        }
                        else
                        {
                            plain = false; // not a string: the careful way says so (a nested value's tokens follow in the loop)
                        }

                        if (isKind)
                        {
                            (kind, kinds) = (value, kinds + 1);
                        }
                        else
                        {
                            (apiVersion, apiVersions) = (value, apiVersions + 1);
                        }

                        afterPort = false;
                        continue;
                    }

                    case JsonTokenType.PropertyName:
                        afterPort = reader.ValueTextEquals("port"u8);
                        continue;
                    case JsonTokenType.Null:
                        hasNull |= !inStatus && !inManagedFields;
                        break;
                    case JsonTokenType.String when afterPort:
                        quotedDigits |= reader.ValueIsEscaped || IsDigits(reader.ValueSpan);
                        break;
                }

                afterPort = false;
            }

            throw new JsonException("unterminated item"); // not reached: the reader throws at the end of incomplete text
        }

        private static bool IsDigits(ReadOnlySpan<byte> value)
        {
            if (value.IsEmpty)
            {
                return false;
            }

            foreach (var b in value)
            {
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
