using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using OvnAcl.Kubernetes.Input;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes;

/// <summary>
/// Reads NetworkPolicies, Pods, Namespaces, Nodes, Services and EndpointSlices from YAML or JSON files: several documents per file, <c>kind: List</c>
/// (and <c>PodList</c>, …), directories recursively (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>, in ordinal order).
/// Input is taken as users hold it: other kinds are skipped (one note per file counts them), <c>status</c> is set
/// aside, and an unknown field of a context object (Pod, Namespace) is a warning; a NetworkPolicy's <c>spec</c> is
/// read strictly (an unknown or mistyped field is an error), as are what the API server refuses (quoted numeric
/// ports, labels that are not strings). Every diagnostic names the file, the document, the object and the field.
/// </summary>
public static partial class KubernetesInputLoader
{
    /// <summary>The path that stands for standard input, as for kubectl.</summary>
    public const string StandardInputPath = "-";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Reads every <c>.yaml</c>, <c>.yml</c> and <c>.json</c> file under <paramref name="paths"/> (directories recursively, in ordinal order) and keeps the NetworkPolicies, Pods and Namespaces, each with its source; problems become diagnostics of the result, not exceptions.</summary>
    public static Task<KubernetesInput> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        LoadAsync(paths, null, cancellationToken);

    /// <summary>Reads every path (<c>-</c>: <see cref="KubernetesLoadOptions.StandardInput"/>) in order.</summary>
    public static async Task<KubernetesInput> LoadAsync(IEnumerable<string> paths, KubernetesLoadOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= KubernetesLoadOptions.Default;
        var result = KubernetesInput.Empty;
        foreach (var path in paths)
        {
            IEnumerable<string> files;
            if (path == StandardInputPath)
            {
                var text = await (options.StandardInput ?? Console.In).ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                result = result.Concat(LoadText(text, "stdin", options));
                continue;
            }

            if (Directory.Exists(path))
            {
                files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
            }
            else if (File.Exists(path))
            {
                files = [path];
            }
            else
            {
                result = result.Concat(Failed(path, "no such file or directory"));
                continue;
            }

            foreach (var file in files)
            {
                try
                {
                    // A JSON file is read as the bytes System.Text.Json reads; a YAML file as text. The bytes are read
                    // synchronously, as the reading of them that follows is: File.ReadAllBytesAsync leaves its array
                    // reachable until the process's next asynchronous file read (.NET 10), which kept a 100 MB dump
                    // alive through the whole compile.
                    cancellationToken.ThrowIfCancellationRequested();
                    result = result.Concat(options.JsonFastPath && Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase)
                        ? LoadUtf8(File.ReadAllBytes(file), file, options)
                        : LoadText(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), file, options));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result = result.Concat(Failed(file, ex.Message));
                }
            }
        }

        return result;
    }

    /// <summary>Reads one file's content; <paramref name="file"/> is only used to name where objects and problems are.</summary>
    public static KubernetesInput LoadText(string text, string file) => LoadText(text, file, null);

    /// <summary>Reads one file's content with <paramref name="options"/> (the namespace of objects without one).</summary>
    public static KubernetesInput LoadText(string text, string file, KubernetesLoadOptions? options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var builder = new Builder(file, options ?? KubernetesLoadOptions.Default);
        var trimmed = text.TrimStart();
        if (Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith('{'))
        {
            builder.ReadJson(text);
        }
        else
        {
            builder.ReadYaml(text);
        }

        return builder.Build();
    }

    /// <summary>
    /// A <c>.json</c> file's bytes: valid UTF-8 (a byte order mark skipped) goes to the reader as it is; anything else is
    /// decoded as <see cref="File.ReadAllTextAsync(string, CancellationToken)"/> decodes it and read as text.
    /// </summary>
    private static KubernetesInput LoadUtf8(byte[] bytes, string file, KubernetesLoadOptions options)
    {
        var body = bytes.AsMemory();
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return LoadText(reader.ReadToEnd(), file, options);
        }

        var builder = new Builder(file, options);
        builder.ReadJson(body);
        return builder.Build();
    }

    private static KubernetesInput Failed(string path, string message) =>
        new([], [], [], [Diagnostic.Error(CompileDiagnosticCodes.UnreadableInput, message, new DiagnosticLocation(new ObjectSource(path)))]);

    /// <summary>The object being read, for diagnostics; <see cref="Line"/> is the <c>line N: </c> prefix when the text has lines.</summary>
    private sealed record ObjectContext(string Kind, string? Where, ObjectSource Source, int? LineOffset)
    {
        public string Line(Mark mark) => LineOffset is { } offset
            ? $"line {(offset + mark.Line).ToString(CultureInfo.InvariantCulture)}: "
            : "";
    }

    private sealed record UnknownField(int Count, ObjectContext First, string Path);

    private sealed partial class Builder(string file, KubernetesLoadOptions options)
    {
        private readonly List<SourcedObject<V1NetworkPolicy>> _policies = [];
        private readonly List<SourcedObject<V1Pod>> _pods = [];
        private readonly List<SourcedObject<V1Namespace>> _namespaces = [];
        private readonly List<SourcedObject<V1Node>> _nodes = [];
        private readonly List<SourcedObject<V1Service>> _services = [];
        private readonly List<SourcedObject<V1EndpointSlice>> _endpointSlices = [];
        private readonly List<SourcedObject<ClusterPolicyObject>> _clusterPolicies = [];
        private readonly List<Diagnostic> _diagnostics = [];

        private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Kind, string Path), UnknownField> _unknownFields = [];

        public KubernetesInput Build()
        {
            foreach (var ((kind, _), unknown) in _unknownFields)
            {
                _diagnostics.Add(Diagnostic.Warning(CompileDiagnosticCodes.UnknownContextField,
                    $"unknown field ignored in {unknown.Count.ToString(CultureInfo.InvariantCulture)} {kind}(s) (from a newer Kubernetes?); first here",
                    new DiagnosticLocation(unknown.First.Source, unknown.First.Where, unknown.Path)));
            }

            if (_skipped.Count > 0)
            {
                var kinds = string.Join(", ", _skipped.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Value.ToString(CultureInfo.InvariantCulture)} {k.Key}"));
                _diagnostics.Add(Diagnostic.Note(CompileDiagnosticCodes.SkippedKinds,
                    $"skipped {kinds}: not NetworkPolicies, Pods, Namespaces, Nodes, Services or EndpointSlices",
                    new DiagnosticLocation(new ObjectSource(file))));
            }

            return new([.. _policies], [.. _pods], [.. _namespaces], [.. _diagnostics], [.. _nodes])
            {
                Services = [.. _services],
                EndpointSlices = [.. _endpointSlices],
                ClusterPolicies = [.. _clusterPolicies],
            };
        }

        /// <summary>
        /// The careful way, and the way the fast one compares with: the whole text as a JsonDocument, every object
        /// written out again and read by the strict YAML reader, so JSON and YAML input share one set of checks.
        /// </summary>
        private void ReadJsonDocument(Func<JsonDocument> parse)
        {
            var source = new ObjectSource(file);
            try
            {
                using var document = parse();
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    Error(CompileDiagnosticCodes.UnparseableDocument, "expected a JSON object (a Kubernetes object or a List)", source);
                    return;
                }

                if (!TryStringField(root, "apiVersion", source, out var apiVersion) || !TryStringField(root, "kind", source, out var kind))
                {
                    return;
                }

                if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
                {
                    var items = root.TryGetProperty("items", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().ToList() : [];
                    for (var index = 0; index < items.Count; index++)
                    {
                        ReadListItem(items[index], source with { Item = index }, apiVersion, kind);
                    }

                    return;
                }

                // Compact JSON is YAML flow syntax: the strict YAML reader checks it like any other document.
                AddJson(apiVersion, kind, root, source);
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException) // ArgumentException: an unpaired surrogate in the text
            {
                Error(CompileDiagnosticCodes.UnparseableDocument,
                    $"not JSON: {ex.Message}", source);
            }
        }

        public void ReadYaml(string text)
        {
            var document = 0;
            foreach (var (chunk, firstLine) in SplitDocuments(text))
            {
                var stream = new YamlStream();
                var parser = new GuardedYamlParser(new Parser(new StringReader(chunk)));
                try
                {
                    stream.Load(parser);
                }
                catch (YamlException ex)
                {
                    document++;
                    // An error at the end of the document (an unclosed bracket) is reported past its last line: name that line instead.
                    var lastLine = firstLine + Math.Max(0, chunk.Count(c => c == '\n') - 1);
                    Error(CompileDiagnosticCodes.UnparseableDocument,
                        $"not YAML at line {Math.Min(firstLine + ex.Start.Line - 1, lastLine)}: {ex.Message}", new ObjectSource(file, document));
                    continue;
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // YamlDotNet's representation model fails so on some malformed documents (found by fuzzing).
                    document++;
                    Error(CompileDiagnosticCodes.UnparseableDocument,
                        $"not YAML after line {firstLine + Math.Max(1, parser.LastGood.Line) - 1}: {ex.Message}", new ObjectSource(file, document));
                    continue;
                }

                if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
                {
                    continue; // an empty document (comments only, a trailing ---)
                }

                document++;
                var source = new ObjectSource(file, document);
                if (stream.Documents[0].RootNode is not YamlMappingNode root)
                {
                    Error(CompileDiagnosticCodes.UnparseableDocument, "expected a mapping (a Kubernetes object or a List)", source);
                    continue;
                }

                var apiVersion = Scalar(root, "apiVersion");
                var kind = Scalar(root, "kind");
                if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
                {
                    var items = root.Children.TryGetValue(new YamlScalarNode("items"), out var node) && node is YamlSequenceNode seq ? seq.Children : [];
                    for (var index = 0; index < items.Count; index++)
                    {
                        var itemSource = source with { Item = index };
                        if (items[index] is not YamlMappingNode item)
                        {
                            Error(CompileDiagnosticCodes.UnparseableDocument, "a List item must be a mapping", itemSource);
                            continue;
                        }

                        Add(Scalar(item, "apiVersion") ?? ItemApiVersion(apiVersion, kind), Scalar(item, "kind") ?? ItemKind(kind),
                            item, chunk.Length, NameOf(item), itemSource, firstLine - 1);
                    }

                    continue;
                }

                Add(apiVersion, kind, root, chunk.Length, NameOf(root), source, firstLine - 1);
            }
        }

        /// <summary>One item of a List the careful way: an object, whose apiVersion and kind are strings when given.</summary>
        private void ReadListItem(JsonElement item, ObjectSource itemSource, string? listApiVersion, string listKind)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                Error(CompileDiagnosticCodes.UnparseableDocument, "a List item must be an object", itemSource);
                return;
            }

            if (!TryStringField(item, "apiVersion", itemSource, out var itemApi) || !TryStringField(item, "kind", itemSource, out var itemKind))
            {
                return;
            }

            AddJson(itemApi ?? ItemApiVersion(listApiVersion, listKind), itemKind ?? ItemKind(listKind), item, itemSource);
        }

        private void AddJson(string? apiVersion, string? kind, JsonElement element, ObjectSource source)
        {
            var text = JsonSerializer.Serialize(element);
            var stream = new YamlStream();
            try
            {
                stream.Load(new GuardedYamlParser(new Parser(new StringReader(text))));
            }
            catch (YamlException ex)
            {
                Error(CompileDiagnosticCodes.UnparseableDocument, ex.Message, source);
                return;
            }

            if (stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode node)
            {
                Add(apiVersion, kind, node, text.Length, NameOf(element), source, null);
            }
        }

        /// <summary>
        /// One object, by kind: the three compiled kinds deserialized strictly (with <c>status</c> set aside, and the
        /// checks the API server makes that the models cannot: strings that must be strings, quoted numeric ports),
        /// cluster-scoped policies refused, other kinds counted and skipped. <paramref name="lineOffset"/> is the
        /// line the node's text starts after; null when the text has no lines of its own (JSON, one line per object).
        /// </summary>
        private void Add(string? apiVersion, string? kind, YamlMappingNode node, int textLength, string? name, ObjectSource source, int? lineOffset)
        {
            var where = kind is null ? null : kind + (name is null ? "" : " " + name);
            var context = new ObjectContext(kind ?? "", where, source, lineOffset);
            switch (apiVersion, kind)
            {
                case ("networking.k8s.io/v1", "NetworkPolicy"):
                {
                    var ok = CheckNamespace(node, context) & CheckStrings(node, context, includeSelectors: true) & CheckPorts(node, context);
                    node.Children.Remove(new YamlScalarNode("status"));
                    if (Deserialize<V1NetworkPolicy>(node, textLength, context, strictUnder: "spec") is { } policy && ok)
                    {
                        _policies.Add(new(policy, source));
                    }

                    break;
                }

                case ("v1", "Pod"):
                {
                    var ok = CheckNamespace(node, context) & CheckStrings(node, context, includeSelectors: false);
                    var status = ReadPodStatus(node, context);
                    node.Children.Remove(new YamlScalarNode("status"));
                    if (Deserialize<V1Pod>(node, textLength, context, strictUnder: null) is { } pod && ok && status.Ok)
                    {
                        pod.Status = status.Status;
                        _pods.Add(new(options.WholePods ? pod : KeptPod.Of(pod), source));
                    }

                    break;
                }

                case ("v1", "Namespace"):
                {
                    var ok = CheckStrings(node, context, includeSelectors: false);
                    node.Children.Remove(new YamlScalarNode("status"));
                    if (Deserialize<V1Namespace>(node, textLength, context, strictUnder: null) is { } ns && ok)
                    {
                        _namespaces.Add(new(ns, source));
                    }

                    break;
                }

                case ("v1", "Node"):
                {
                    var ok = CheckStrings(node, context, includeSelectors: false);
                    var status = ReadNodeStatus(node, context);
                    node.Children.Remove(new YamlScalarNode("status"));
                    if (Deserialize<V1Node>(node, textLength, context, strictUnder: null) is { } read && ok && status.Ok)
                    {
                        read.Status = status.Status;
                        _nodes.Add(new(read, source));
                    }

                    break;
                }

                case ("v1", "Service"):
                {
                    // Context for explain (a ClusterIP resolved to its backends): status is set aside, unknown fields warn.
                    var ok = CheckNamespace(node, context) & CheckStrings(node, context, includeSelectors: false) & CheckServiceSelector(node, context)
                        & CheckPorts(node, context, "].targetPort");
                    node.Children.Remove(new YamlScalarNode("status"));
                    if (Deserialize<V1Service>(node, textLength, context, strictUnder: null) is { } service && ok)
                    {
                        _services.Add(new(service, source));
                    }

                    break;
                }

                case ("discovery.k8s.io/v1", "EndpointSlice"):
                {
                    var ok = CheckNamespace(node, context) & CheckStrings(node, context, includeSelectors: false);
                    if (Deserialize<V1EndpointSlice>(node, textLength, context, strictUnder: null) is { } slice && ok)
                    {
                        _endpointSlices.Add(new(slice, source));
                    }

                    break;
                }

                case (_, null):
                    Error(CompileDiagnosticCodes.UnknownKind, "no kind: expected a NetworkPolicy, Pod, Namespace, Node, Service, EndpointSlice or List", source, where, "kind");
                    break;
                case (_, "NetworkPolicy" or "Pod" or "Namespace" or "Node" or "Service" or "EndpointSlice"):
                    Error(CompileDiagnosticCodes.UnknownKind,
                        $"apiVersion '{apiVersion}' is not supported for {kind} (expected {kind switch { "NetworkPolicy" => "networking.k8s.io/v1", "EndpointSlice" => "discovery.k8s.io/v1", _ => "v1" }})",
                        source, where, "apiVersion");
                    break;
                case ("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy" or "BaselineAdminNetworkPolicy")
                    or ("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"):
                    // Validated by the compiler from the JSON, with the rest of the input (PolicyReader.Admin).
                    _clusterPolicies.Add(new(ClusterPolicyObject.FromJson(YamlTree.ToJson(node)), source));
                    break;
                case (_, "AdminNetworkPolicy" or "BaselineAdminNetworkPolicy" or "ClusterNetworkPolicy")
                    when apiVersion?.StartsWith("policy.networking.k8s.io/", StringComparison.Ordinal) == true:
                    Error(CompileDiagnosticCodes.UnsupportedPolicyKind,
                        $"{kind} {apiVersion} is not a version OvnAcl reads (AdminNetworkPolicy and BaselineAdminNetworkPolicy " +
                        "policy.networking.k8s.io/v1alpha1, ClusterNetworkPolicy v1alpha2): refused rather than left unenforced",
                        source, where, "apiVersion");
                    break;
                default:
                    _skipped[kind] = _skipped.GetValueOrDefault(kind) + 1;
                    break;
            }
        }

        private T? Deserialize<T>(YamlMappingNode node, int textLength, ObjectContext context, string? strictUnder)
            where T : class
        {
            // managedFields is the API server's bookkeeping (nearly half of a live dump): set aside, as status is.
            if (YamlTree.Child(node, "metadata") is YamlMappingNode metadata)
            {
                metadata.Children.Remove(new YamlScalarNode("managedFields"));
            }

            // Fields found unknown in an earlier object of the kind (every pod of a newer cluster has them) go first.
            foreach (var known in _unknownFields.Where(k => k.Key.Kind == context.Kind).ToList())
            {
                if (YamlTree.RemovePath(node, known.Key.Path) > 0)
                {
                    _unknownFields[known.Key] = known.Value with { Count = known.Value.Count + 1 };
                }
            }

            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return StrictKubernetesYaml.Deserialize<T>(node, textLength);
                }
                catch (YamlException ex) when (attempt < 64 && YamlTree.UnknownKeyAt(node, ex) is { } unknown)
                {
                    if (strictUnder is not null && unknown.Path.StartsWith(strictUnder + ".", StringComparison.Ordinal))
                    {
                        Error(CompileDiagnosticCodes.UnparseableDocument, context.Line(ex.Start) + $"unknown field '{unknown.Name}'",
                            context.Source, context.Where, unknown.Path);
                        return null;
                    }

                    // A context object from a newer Kubernetes: the field cannot change what the policies mean.
                    YamlTree.RemovePath(node, unknown.Pattern);
                    var key = (context.Kind, unknown.Pattern);
                    _unknownFields[key] = _unknownFields.TryGetValue(key, out var seen) ? seen with { Count = seen.Count + 1 } : new(1, context, unknown.Path);
                }
                catch (YamlException ex)
                {
                    Error(CompileDiagnosticCodes.UnparseableDocument, context.Line(ex.Start) + DeserializationMessage.Describe(node, ex),
                        context.Source, context.Where, YamlTree.PathAt(node, ex.Start));
                    return null;
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // The deserializer's own failures on hostile text, as the representation model's in ReadYaml.
                    Error(CompileDiagnosticCodes.UnparseableDocument, DeserializationMessage.WithoutTypeNames(ex.Message), context.Source, context.Where, null);
                    return null;
                }
            }
        }

        /// <summary>
        /// <see cref="KubernetesLoadOptions.Namespace"/> given to an object without one; an object in another namespace
        /// is an error, as with <c>kubectl apply -n</c>.
        /// </summary>
        private bool CheckNamespace(YamlMappingNode node, ObjectContext context)
        {
            if (options.Namespace is not { } ns)
            {
                return true;
            }

            if (YamlTree.Child(node, "metadata") is not YamlMappingNode metadata)
            {
                return true; // no name either: the reader reports it
            }

            switch (YamlTree.Child(metadata, "namespace"))
            {
                case null or YamlScalarNode { Value: null or "" }:
                case YamlScalarNode plain when YamlTree.PlainType(plain) == "null": // namespace: null (or ~) is no namespace, as for kubectl
                    metadata.Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
                    return true;
                case YamlScalarNode { Value: { } given } when given == ns:
                    return true;
                case YamlScalarNode { Value: { } given } other:
                    Error(CompileDiagnosticCodes.NamespaceMismatch,
                        context.Line(other.Start) + $"the object's namespace '{given}' is not the namespace given ('{ns}'), as kubectl refuses it",
                        context.Source, context.Where, "metadata.namespace");
                    return false;
                default:
                    return true; // not a string: the deserializer reports it
            }
        }

        /// <summary>
        /// Label keys and values, annotation values and (for policies) selector values that YAML reads as other than a
        /// string: kubectl turns them into JSON numbers, booleans or nulls, and the API server refuses them.
        /// </summary>
        private bool CheckStrings(YamlMappingNode node, ObjectContext context, bool includeSelectors)
        {
            var ok = true;
            if (YamlTree.Child(node, "metadata") is YamlMappingNode metadata)
            {
                ok &= CheckStringMap(YamlTree.Child(metadata, "labels"), "metadata.labels", "label", context, keys: true);
                ok &= CheckStringMap(YamlTree.Child(metadata, "annotations"), "metadata.annotations", "annotation", context, keys: true);
            }

            if (includeSelectors && YamlTree.Child(node, "spec") is { } spec)
            {
                foreach (var (path, selector) in YamlTree.Descendants(spec, "spec").Where(d => d.Path.EndsWith("Selector", StringComparison.Ordinal)))
                {
                    if (selector is not YamlMappingNode mapping)
                    {
                        continue;
                    }

                    ok &= CheckStringMap(YamlTree.Child(mapping, "matchLabels"), path + ".matchLabels", "label", context, keys: true);
                    if (YamlTree.Child(mapping, "matchExpressions") is YamlSequenceNode expressions)
                    {
                        for (var i = 0; i < expressions.Children.Count; i++)
                        {
                            if (expressions.Children[i] is YamlMappingNode expression && YamlTree.Child(expression, "values") is YamlSequenceNode values)
                            {
                                for (var j = 0; j < values.Children.Count; j++)
                                {
                                    ok &= CheckString(values.Children[j], $"{path}.matchExpressions[{i}].values[{j}]", "selector value", context);
                                }
                            }
                        }
                    }
                }
            }

            return ok;
        }

        private bool CheckStringMap(YamlNode? map, string path, string what, ObjectContext context, bool keys)
        {
            if (map is not YamlMappingNode mapping)
            {
                return true;
            }

            var ok = true;
            foreach (var (key, value) in mapping.Children)
            {
                var name = key is YamlScalarNode { Value: { } k } ? k : "?";
                ok &= (!keys || CheckString(key, path + "." + name, what + " key", context)) && CheckString(value, path + "." + name, what + " value", context);
            }

            return ok;
        }

        private bool CheckString(YamlNode node, string path, string what, ObjectContext context)
        {
            if (node is not YamlScalarNode scalar || YamlTree.PlainType(scalar) is not { } type)
            {
                return true; // strings, and lists or mappings, which the deserializer reports with its own message
            }

            Error(CompileDiagnosticCodes.NotAString,
                context.Line(node.Start) + $"{what} {scalar.Value} is read as {type}, and the API server refuses it: a {what} is a string; write \"{scalar.Value}\"",
                context.Source, context.Where, path);
            return false;
        }

        /// <summary>A Service's <c>spec.selector</c> is a map of strings, as labels are: the API server refuses other values.</summary>
        private bool CheckServiceSelector(YamlMappingNode node, ObjectContext context) =>
            YamlTree.Child(node, "spec") is not YamlMappingNode spec
            || CheckStringMap(YamlTree.Child(spec, "selector"), "spec.selector", "selector", context, keys: true);

        /// <summary>A quoted number (<c>port: "80"</c>) is a port name for the API server, and a name must contain a letter.</summary>
        private bool CheckPorts(YamlMappingNode node, ObjectContext context, string field = "].port")
        {
            var ok = true;
            if (YamlTree.Child(node, "spec") is not { } spec)
            {
                return true;
            }

            foreach (var (path, port) in YamlTree.Descendants(spec, "spec").Where(d => d.Path.EndsWith(field, StringComparison.Ordinal)))
            {
                if (port is YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted, Value: { Length: > 0 } value }
                    && value.All(char.IsAsciiDigit))
                {
                    Error(CompileDiagnosticCodes.InvalidPortName,
                        context.Line(port.Start) + $"port \"{value}\" is quoted, so a port name, and a port name must contain a letter; write {value} without quotes for the port number",
                        context.Source, context.Where, path);
                    ok = false;
                }
            }

            return ok;
        }

        /// <summary>
        /// What a pod's <c>status</c> says that counts (phase, IPs), read from the node; every other status field is
        /// ignored, so a status from a newer Kubernetes is never an error. A pod IP field that is not a string is.
        /// </summary>
        private (bool Ok, V1PodStatus? Status) ReadPodStatus(YamlMappingNode node, ObjectContext context)
        {
            if (YamlTree.Child(node, "status") is not YamlMappingNode status)
            {
                return (true, null);
            }

            var result = new V1PodStatus();
            var ok = true;
            if (YamlTree.Child(status, "phase") is YamlScalarNode phase)
            {
                result.Phase = phase.Value;
            }

            switch (YamlTree.Child(status, "podIP"))
            {
                case YamlScalarNode ip:
                    result.PodIP = ip.Value;
                    break;
                case { } other:
                    ok = BadPodIp(other, "status.podIP", context);
                    break;
            }

            switch (YamlTree.Child(status, "podIPs"))
            {
                case YamlSequenceNode ips:
                    result.PodIPs = [];
                    for (var i = 0; i < ips.Children.Count; i++)
                    {
                        if (ips.Children[i] is YamlMappingNode entry && YamlTree.Child(entry, "ip") is YamlScalarNode ip)
                        {
                            result.PodIPs.Add(new V1PodIP { Ip = ip.Value });
                        }
                        else
                        {
                            ok = BadPodIp(ips.Children[i], $"status.podIPs[{i}]", context);
                        }
                    }

                    break;
                case YamlScalarNode { Value: null or "" or "~" or "null" }:
                    break;
                case { } other:
                    ok = BadPodIp(other, "status.podIPs", context);
                    break;
            }

            return (ok, result);
        }

        /// <summary>Of a node's <c>status</c>, only <c>addresses</c> (<c>{type, address}</c>) counts; the rest is ignored.</summary>
        private (bool Ok, V1NodeStatus? Status) ReadNodeStatus(YamlMappingNode node, ObjectContext context)
        {
            if (YamlTree.Child(node, "status") is not YamlMappingNode status)
            {
                return (true, null);
            }

            var result = new V1NodeStatus();
            switch (YamlTree.Child(status, "addresses"))
            {
                case YamlSequenceNode addresses:
                    result.Addresses = [];
                    for (var i = 0; i < addresses.Children.Count; i++)
                    {
                        if (addresses.Children[i] is YamlMappingNode entry && YamlTree.Child(entry, "address") is YamlScalarNode address)
                        {
                            result.Addresses.Add(new V1NodeAddress { Address = address.Value, Type = (YamlTree.Child(entry, "type") as YamlScalarNode)?.Value });
                        }
                        else
                        {
                            Error(CompileDiagnosticCodes.InvalidNodeAddress, context.Line(addresses.Children[i].Start) + "expected a mapping with type and address, as {type: InternalIP, address: 10.0.0.1}",
                                context.Source, context.Where, $"status.addresses[{i}]");
                            return (false, null);
                        }
                    }

                    break;
                case null or YamlScalarNode { Value: null or "" or "~" or "null" }:
                    break;
                case { } other:
                    Error(CompileDiagnosticCodes.InvalidNodeAddress, context.Line(other.Start) + "expected a list of {type, address}", context.Source, context.Where, "status.addresses");
                    return (false, null);
            }

            return (true, result);
        }

        private bool BadPodIp(YamlNode node, string path, ObjectContext context)
        {
            Error(CompileDiagnosticCodes.InvalidPodIp, context.Line(node.Start) + (path.StartsWith("status.podIPs[", StringComparison.Ordinal)
                    ? "expected a mapping with an ip field, as {ip: 10.0.0.5}"
                    : path == "status.podIPs" ? "expected a list of {ip: …}" : "expected an IP address"),
                context.Source, context.Where, path);
            return false;
        }

        /// <summary>A top-level string field, null when absent; false (with an error naming the field) when it is not a string.</summary>
        private bool TryStringField(JsonElement element, string name, ObjectSource source, out string? value)
        {
            value = null;
            if (!element.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (field.ValueKind != JsonValueKind.String)
            {
                Error(CompileDiagnosticCodes.UnparseableDocument, $"{name} must be a string, not {field.ValueKind.ToString().ToLowerInvariant()}", source, null, name);
                return false;
            }

            value = field.GetString();
            return true;
        }

        private void Error(string code, string message, ObjectSource source, string? where = null, string? field = null) =>
            _diagnostics.Add(Diagnostic.Error(code, message, new DiagnosticLocation(source, where, field)));

        private static string? ItemApiVersion(string? listApiVersion, string listKind) =>
            listKind switch
            {
                "NetworkPolicyList" => "networking.k8s.io/v1",
                "EndpointSliceList" => "discovery.k8s.io/v1",
                "PodList" or "NamespaceList" or "NodeList" or "ServiceList" => "v1",
                _ => listApiVersion,
            };

        private static string? ItemKind(string listKind) => listKind == "List" ? null : listKind[..^"List".Length];

        private static string? Scalar(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

        private static string? NameOf(YamlMappingNode node)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) || m is not YamlMappingNode metadata)
            {
                return null;
            }

            var name = Scalar(metadata, "name");
            var ns = Scalar(metadata, "namespace");
            return name is null ? null : ns is null ? name : ns + "/" + name;
        }

        private static string? NameOf(JsonElement element)
        {
            if (!element.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var name = metadata.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var ns = metadata.TryGetProperty("namespace", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return name is null ? null : ns is null ? name : ns + "/" + name;
        }

        /// <summary>Documents split at <c>---</c> lines (YAML's document marker at column 0), each with its first line number.</summary>
        private static IEnumerable<(string Text, int FirstLine)> SplitDocuments(string text)
        {
            var lines = text.ReplaceLineEndings("\n").Split('\n');
            var current = new StringBuilder();
            var first = 1;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal))
                {
                    yield return (current.ToString(), first);
                    current.Clear();
                    first = i + 2;
                    var rest = line[3..].Trim();
                    if (rest.Length > 0 && !rest.StartsWith('#'))
                    {
                        // Content on the marker line itself (`--- {…}`): keep it, on its own line.
                        current.Append(rest).Append('\n');
                        first = i + 1;
                    }

                    continue;
                }

                current.Append(line).Append('\n');
            }

            yield return (current.ToString(), first);
        }
    }
}
