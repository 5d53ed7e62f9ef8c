using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using k8s.Models;
using OvnAcl.Addressing;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// Validates the Kubernetes objects against networking.k8s.io/v1 and reads them into the policy IR, collecting every
/// problem as a diagnostic rather than stopping at the first.
/// </summary>
internal sealed partial class PolicyReader
{
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";
    public const string AclLoggingAnnotation = "k8s.ovn.org/acl-logging";
    public const string NodeSourceAddressesAnnotation = "ovnacl.io/node-source-addresses";
    public const string OvnKubernetesNodeSubnetsAnnotation = "k8s.ovn.org/node-subnets";
    private const string DefaultNamespace = "default";
    private static readonly string[] Severities = ["alert", "warning", "notice", "info", "debug"];

    private readonly KubernetesCompileOptions _options;
    private readonly List<Diagnostic> _diagnostics = [];

    private PolicyReader(KubernetesCompileOptions options) => _options = options;

    public static (PolicySet Set, ImmutableArray<Diagnostic> Diagnostics) Read(KubernetesInput input, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        reader._diagnostics.AddRange(input.LoadDiagnostics);
        var set = reader.ReadAll(input);
        return (set, [.. reader._diagnostics]);
    }

    /// <summary>One Namespace on its own (an informer event); null with errors in the diagnostics when invalid.</summary>
    public static (NamespaceModel? Namespace, ImmutableArray<Diagnostic> Diagnostics) ReadNamespace(V1Namespace ns, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        var name = ns.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            reader.Error(CompileDiagnosticCodes.MissingName, "a Namespace needs metadata.name", null, "Namespace", "metadata.name");
            return (null, [.. reader._diagnostics]);
        }

        if (!reader.CheckName(name, NameKind.Label, null, "Namespace " + name, "metadata.name"))
        {
            return (null, [.. reader._diagnostics]);
        }

        var model = new NamespaceModel(name, NamespaceLabels(name, ns.Metadata!.Labels), reader.ReadLogging(ns.Metadata.Annotations, null, "Namespace " + name));
        return (model, [.. reader._diagnostics]);
    }

    /// <summary>One Node on its own (an informer event); null with errors in the diagnostics when invalid.</summary>
    public static (NodeModel? Node, ImmutableArray<Diagnostic> Diagnostics) ReadNode(V1Node node, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        var model = reader.ReadNode(node, null);
        return (model, [.. reader._diagnostics]);
    }

    /// <summary>The namespace as policies see it when no Namespace object is known: only its name label.</summary>
    public static NamespaceModel ImplicitNamespace(string name) => new(name, NamespaceLabels(name, null), null);

    /// <summary>
    /// One Pod on its own: its namespace and name, and its model, or null when it takes no part (no IP yet,
    /// host network, finished) or is invalid (then the diagnostics hold errors).
    /// </summary>
    public static (string Namespace, string? Name, PodModel? Pod, ImmutableArray<Diagnostic> Diagnostics) ReadPod(V1Pod pod, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        var name = pod.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            reader.Error(CompileDiagnosticCodes.MissingName, "a Pod needs metadata.name", null, "Pod", "metadata.name");
            return (DefaultNamespace, null, null, [.. reader._diagnostics]);
        }

        // The object's location is text built only for a diagnostic: a valid pod, the informer's common case, needs none.
        var ns = reader.ReadNamespace(pod.Metadata!.NamespaceProperty, null, "Pod", name);
        if (!IsValidName(ns, NameKind.Label) || !IsValidName(name, NameKind.Subdomain))
        {
            reader.CheckNames(ns, name, null, PodLocation(ns, name));
            return (ns, name, null, [.. reader._diagnostics]);
        }

        var model = reader.ReadPod(pod, ns, name, null, where: null);
        return (ns, name, model, [.. reader._diagnostics]);
    }

    /// <summary>
    /// Whether <see cref="ReadPod(V1Pod, KubernetesCompileOptions)"/> would read <paramref name="pod"/> as a model equal
    /// to <paramref name="model"/>, with no diagnostic: then the engine can keep the model it has (an informer resends
    /// a pod on every status change; a pod deleted and added back reads as before) and the event allocates nothing.
    /// Strict rather than clever: an address must be written exactly as the model prints it, labels and named ports
    /// must be the same, and anything else (a shorthand address, a duplicate port) answers false and is read in full.
    /// The logical switch port name is not recomputed: <see cref="KubernetesCompileOptions.LogicalSwitchPortName"/>
    /// is a function of the namespace and the name, which must be equal.
    /// </summary>
    public static bool ReadsAs(V1Pod pod, PodModel model)
    {
        var metadata = pod.Metadata;
        if (metadata is null || metadata.Name != model.Name || metadata.NamespaceProperty != model.Namespace
            || !IsValidName(model.Namespace, NameKind.Label) || !IsValidName(model.Name, NameKind.Subdomain)
            || pod.Spec?.HostNetwork == true || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return false;
        }

        return (pod.Spec?.NodeName is { Length: > 0 } node ? node : null) == model.NodeName
            && AddressesRead(pod.Status, model.AddressTexts) && LabelsRead(metadata.Labels, model.Labels) && NamedPortsRead(pod.Spec, model.NamedPorts);
    }

    /// <summary>Every address text is one of the model's, and each of the model's is among them (at most 64).</summary>
    private static bool AddressesRead(V1PodStatus? status, EquatableArray<string> texts)
    {
        if (texts.Count == 0)
        {
            // A pod without an IP yet (Pending): it reads the same while it still has none.
            return status?.PodIPs is not { Count: > 0 } && string.IsNullOrEmpty(status?.PodIP);
        }

        if (texts.Count > 64)
        {
            return false;
        }

        var seen = 0UL;
        if (status?.PodIPs is { Count: > 0 } podIps)
        {
            for (var i = 0; i < podIps.Count; i++)
            {
                if (!Mark(podIps[i]?.Ip))
                {
                    return false;
                }
            }
        }
        else if (!Mark(status?.PodIP))
        {
            return false;
        }

        return seen == ulong.MaxValue >> (64 - texts.Count);

        bool Mark(string? text)
        {
            for (var j = 0; j < texts.Count; j++)
            {
                if (string.Equals(texts[j], text, StringComparison.Ordinal))
                {
                    seen |= 1UL << j;
                    return true;
                }
            }

            return false;
        }
    }

    private static bool LabelsRead(IDictionary<string, string>? labels, EquatableMap model)
    {
        if ((labels?.Count ?? 0) != model.Count)
        {
            return false;
        }

        if (labels is Dictionary<string, string> dictionary)
        {
            // The concrete type's struct enumerator: through the interface each event would box one.
            foreach (var (key, value) in dictionary)
            {
                if (!model.TryGetValue(key, out var held) || held != value)
                {
                    return false;
                }
            }

            return true;
        }

        return labels is null || AllIn(labels, model);

        // Apart, so that the closure is made only on this path: a lambda capturing a parameter allocates on entry.
        static bool AllIn(IDictionary<string, string> labels, EquatableMap model) =>
            labels.All(p => model.TryGetValue(p.Key, out var held) && held == p.Value);
    }

    /// <summary>The named ports <see cref="ReadPod(V1Pod, string, string, ObjectSource?, string?)"/> would collect, in its order.</summary>
    private static bool NamedPortsRead(V1PodSpec? spec, EquatableArray<NamedPort> model)
    {
        var matched = 0;
        var containers = spec?.Containers;
        for (var c = 0; c < (containers?.Count ?? 0); c++)
        {
            var ports = containers![c]?.Ports;
            for (var p = 0; p < (ports?.Count ?? 0); p++)
            {
                if (ports![p] is not { } port || string.IsNullOrEmpty(port.Name) || ParseProtocol(port.Protocol) is not { } protocol
                    || IsAmongFirst(model, matched, port.Name, protocol))
                {
                    continue;
                }

                if (matched == model.Count
                    || model[matched] is not { } held || held.Name != port.Name || held.Protocol != protocol || held.Number != port.ContainerPort)
                {
                    return false;
                }

                matched++;
            }
        }

        return matched == model.Count;

        static bool IsAmongFirst(EquatableArray<NamedPort> model, int count, string name, L4Protocol protocol)
        {
            for (var i = 0; i < count; i++)
            {
                if (model[i].Name == name && model[i].Protocol == protocol)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>One NetworkPolicy on its own; null with errors in the diagnostics when invalid.</summary>
    public static (PolicyModel? Policy, ImmutableArray<Diagnostic> Diagnostics) ReadPolicy(V1NetworkPolicy policy, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        var model = reader.ReadPolicy(policy, null);
        return (model, [.. reader._diagnostics]);
    }

    private PolicySet ReadAll(KubernetesInput input)
    {
        var namespaces = new SortedDictionary<string, NamespaceModel>(StringComparer.Ordinal);
        foreach (var (ns, source) in input.Namespaces)
        {
            var name = ns.Metadata?.Name;
            if (string.IsNullOrEmpty(name))
            {
                Error(CompileDiagnosticCodes.MissingName, "a Namespace needs metadata.name", source, "Namespace", "metadata.name");
                continue;
            }

            var where = "Namespace " + name;
            if (!CheckName(name, NameKind.Label, source, where, "metadata.name"))
            {
                continue;
            }

            if (namespaces.ContainsKey(name))
            {
                Error(CompileDiagnosticCodes.DuplicateObject, "given more than once", source, where, null);
                continue;
            }

            namespaces[name] = new NamespaceModel(name, NamespaceLabels(name, ns.Metadata!.Labels), ReadLogging(ns.Metadata.Annotations, source, where));
        }

        var policies = new SortedDictionary<string, PolicyModel>(StringComparer.Ordinal);
        foreach (var (policy, source) in input.Policies)
        {
            if (ReadPolicy(policy, source) is { } model)
            {
                if (!policies.TryAdd(model.Key, model))
                {
                    Error(CompileDiagnosticCodes.DuplicateObject, "given more than once", source, "NetworkPolicy " + model.Key, null);
                }
                else
                {
                    EnsureNamespace(namespaces, model.Namespace, source, "NetworkPolicy " + model.Key);
                }
            }
        }

        var pods = new SortedDictionary<string, PodModel>(StringComparer.Ordinal);
        var seenPods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (pod, source) in input.Pods)
        {
            var name = pod.Metadata?.Name;
            if (string.IsNullOrEmpty(name))
            {
                Error(CompileDiagnosticCodes.MissingName, "a Pod needs metadata.name", source, "Pod", "metadata.name");
                continue;
            }

            var ns = ReadNamespace(pod.Metadata!.NamespaceProperty, source, "Pod", name);
            var where = $"Pod {ns}/{name}";
            if (!CheckNames(ns, name, source, where))
            {
                continue;
            }

            if (!seenPods.Add(ns + "/" + name))
            {
                Error(CompileDiagnosticCodes.DuplicateObject, "given more than once", source, where, null);
                continue;
            }

            EnsureNamespace(namespaces, ns, source, where);
            if (ReadPod(pod, ns, name, source, where) is { } model)
            {
                pods[ns + "/" + name] = model;
            }
        }

        var nodes = new SortedDictionary<string, NodeModel>(StringComparer.Ordinal);
        foreach (var (node, source) in input.Nodes)
        {
            if (ReadNode(node, source) is { } model && !nodes.TryAdd(model.Name, model))
            {
                Error(CompileDiagnosticCodes.DuplicateObject, "given more than once", source, "Node " + model.Name, null);
            }
        }

        return new PolicySet(policies.Values.ToEquatableArray(), pods.Values.ToEquatableArray(), namespaces.Values.ToEquatableArray(),
            nodes.Values.ToEquatableArray())
        {
            AdminPolicies = ReadAdminPolicies(input.ClusterPolicies).ToEquatableArray(),
        };
    }

    private static EquatableMap NamespaceLabels(string name, IDictionary<string, string>? labels)
    {
        // The API server sets this label on every namespace (Kubernetes 1.21+); hand-written manifests often lack it.
        var all = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [NamespaceNameLabel] = name,
        };
        return new EquatableMap(all);
    }

    private void EnsureNamespace(SortedDictionary<string, NamespaceModel> namespaces, string ns, ObjectSource? source, string where)
    {
        if (!namespaces.ContainsKey(ns))
        {
            Warning(CompileDiagnosticCodes.NamespaceNotGiven,
                $"namespace '{ns}' is not among the Namespaces given: only its label {NamespaceNameLabel}={ns} is known to namespaceSelectors",
                source, where, "metadata.namespace");
            namespaces[ns] = new NamespaceModel(ns, NamespaceLabels(ns, null), null);
        }
    }

    private string ReadNamespace(string? ns, ObjectSource? source, string kind, string name)
    {
        if (!string.IsNullOrEmpty(ns))
        {
            return ns;
        }

        Warning(CompileDiagnosticCodes.MissingNamespace, $"no metadata.namespace: '{DefaultNamespace}' assumed, as kubectl does",
            source, $"{kind} {DefaultNamespace}/{name}", "metadata.namespace");
        return DefaultNamespace;
    }

    private AclLogging? ReadLogging(IDictionary<string, string>? annotations, ObjectSource? source, string where)
    {
        if (annotations is null || !annotations.TryGetValue(AclLoggingAnnotation, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var field = $"metadata.annotations[{AclLoggingAnnotation}]";
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                Warning(CompileDiagnosticCodes.InvalidAclLogging, "expected a JSON object such as {\"deny\": \"alert\", \"allow\": \"notice\"}; ignored", source, where, field);
                return null;
            }

            string? Level(string key)
            {
                if (!document.RootElement.TryGetProperty(key, out var value))
                {
                    return null;
                }

                var level = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (string.IsNullOrEmpty(level))
                {
                    return null;
                }

                if (!Severities.Contains(level, StringComparer.Ordinal))
                {
                    Warning(CompileDiagnosticCodes.InvalidAclLogging,
                        $"'{key}' level '{level}' is not one of {string.Join(", ", Severities)}; {key} verdicts are not logged", source, where, field);
                    return null;
                }

                return level;
            }

            var deny = Level("deny");
            var allow = Level("allow");
            return deny is null && allow is null ? null : new AclLogging(deny, allow);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException) // ArgumentException: an unpaired surrogate (YAML's "\ud800")
        {
            Warning(CompileDiagnosticCodes.InvalidAclLogging, "not JSON (" + ex.Message + "); ignored", source, where, field);
            return null;
        }
    }

    private static string PodLocation(string ns, string name) => $"Pod {ns}/{name}";

    /// <summary>
    /// The node and the addresses its traffic to its pods comes from: the <c>ovnacl.io/node-source-addresses</c>
    /// annotation (comma-separated IPs) when present, else <see cref="KubernetesCompileOptions.NodeAddressSource"/>.
    /// An address that is not one is an error: a node silently without addresses would have its probes dropped.
    /// </summary>
    private NodeModel? ReadNode(V1Node node, ObjectSource? source)
    {
        var name = node.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            Error(CompileDiagnosticCodes.MissingName, "a Node needs metadata.name", source, "Node", "metadata.name");
            return null;
        }

        var where = "Node " + name;
        if (!CheckName(name, NameKind.Subdomain, source, where, "metadata.name"))
        {
            return null;
        }

        var addresses = new List<IPAddress>();
        var valid = true;
        var annotations = node.Metadata!.Annotations;
        if (annotations is not null && annotations.TryGetValue(NodeSourceAddressesAnnotation, out var listed))
        {
            var field = $"metadata.annotations[{NodeSourceAddressesAnnotation}]";
            foreach (var text in (listed ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Add(text, field);
            }
        }
        else if (_options.NodeAddressSource == NodeAddressSource.OvnKubernetesManagementPort)
        {
            ReadManagementPortAddresses(annotations, source, where, addresses, ref valid);
        }
        else
        {
            var statusAddresses = node.Status?.Addresses;
            for (var i = 0; i < (statusAddresses?.Count ?? 0); i++)
            {
                if (statusAddresses![i] is { Type: "InternalIP" } address)
                {
                    Add(address.Address, $"status.addresses[{i}].address");
                }
            }
        }

        if (!valid)
        {
            return null;
        }

        if (addresses.Count == 0)
        {
            Warning(CompileDiagnosticCodes.NodeWithoutAddresses,
                $"no source address ({(annotations?.ContainsKey(NodeSourceAddressesAnnotation) == true ? NodeSourceAddressesAnnotation : _options.NodeAddressSource.ToString())}): traffic from this node to its pods is decided by the policies",
                source, where, null);
        }

        var listedAddresses = new List<IPAddress>();
        foreach (var address in node.Status?.Addresses ?? [])
        {
            if (address is { Type: "InternalIP" or "ExternalIP" } && IpPrefix.TryParseAddress(address.Address, out var ip) && !listedAddresses.Contains(ip))
            {
                listedAddresses.Add(ip);
            }
        }

        return new NodeModel(name, SortedAddresses(addresses), source)
        {
            Labels = new EquatableMap(node.Metadata.Labels ?? new Dictionary<string, string>()),
            StatusAddresses = SortedAddresses(listedAddresses),
        };

        void Add(string? text, string field)
        {
            if (IpPrefix.TryParseAddress(text, out var address))
            {
                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
            else
            {
                valid = false;
                Error(CompileDiagnosticCodes.InvalidNodeAddress, $"'{text}' is not an IP address", source, where, field);
            }
        }
    }

    /// <summary>
    /// ovn-kubernetes' management port addresses: for each subnet of <c>k8s.ovn.org/node-subnets</c>
    /// (<c>{"default": ["10.244.1.0/24", "fd00:10:244:2::/64"]}</c>, or one string per network), its second address.
    /// Only the <c>default</c> network: secondary networks have their own management ports.
    /// </summary>
    private void ReadManagementPortAddresses(IDictionary<string, string>? annotations, ObjectSource? source, string where,
        List<IPAddress> addresses, ref bool valid)
    {
        if (annotations is null || !annotations.TryGetValue(OvnKubernetesNodeSubnetsAnnotation, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        var field = $"metadata.annotations[{OvnKubernetesNodeSubnetsAnnotation}]";
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("expected a JSON object such as {\"default\": [\"10.244.1.0/24\"]}");
            }

            if (!document.RootElement.TryGetProperty("default", out var subnets))
            {
                return;
            }

            var texts = subnets.ValueKind switch
            {
                JsonValueKind.String => [subnets.GetString()],
                JsonValueKind.Array => subnets.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList(),
                _ => throw new JsonException("'default' must be a subnet or a list of subnets"),
            };
            foreach (var subnet in texts)
            {
                if (!IpPrefix.TryParseCidr(subnet, out var prefix, out _) || prefix.Length >= prefix.Width - 1)
                {
                    valid = false;
                    Error(CompileDiagnosticCodes.InvalidNodeAddress, $"'{subnet}' is not a node subnet with room for a management port", source, where, field);
                    continue;
                }

                var managementPort = (prefix with { Address = prefix.Address + 2, Length = prefix.Width }).ToAddress();
                if (!addresses.Contains(managementPort))
                {
                    addresses.Add(managementPort);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            valid = false;
            Error(CompileDiagnosticCodes.InvalidNodeAddress, "not readable (" + ex.Message + ")", source, where, field);
        }
    }

    /// <summary>The pod's model; <paramref name="where"/> is its location, built from its names when null and needed.</summary>
    private PodModel? ReadPod(V1Pod pod, string ns, string name, ObjectSource? source, string? where)
    {
        // Host-network pods share the node's address and have no logical switch port; finished pods hold no IP.
        // Every other pod is a subject from its first instant, before it has an IP: its logical switch port exists as
        // soon as the CNI creates it, and must be in its policies' port groups then. IPs only feed peer address sets.
        if (pod.Spec?.HostNetwork == true || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return null;
        }

        var addresses = new List<IPAddress>(2);
        var invalidAddress = false;
        if (pod.Status?.PodIPs is { Count: > 0 } podIps)
        {
            for (var i = 0; i < podIps.Count; i++)
            {
                ReadAddress(podIps[i]?.Ip, i);
            }
        }
        else if (pod.Status?.PodIP is { Length: > 0 } single)
        {
            ReadAddress(single, -1);
        }

        if (invalidAddress)
        {
            return null;
        }

        var named = new List<NamedPort>();
        var containers = pod.Spec?.Containers;
        for (var c = 0; c < (containers?.Count ?? 0); c++)
        {
            var ports = containers![c]?.Ports;
            for (var p = 0; p < (ports?.Count ?? 0); p++)
            {
                if (ports![p] is { } port && !string.IsNullOrEmpty(port.Name) && ParseProtocol(port.Protocol) is { } protocol
                    && IndexOfNamedPort(named, port.Name, protocol) < 0)
                {
                    named.Add(new NamedPort(port.Name, protocol, port.ContainerPort));
                }
            }
        }

        return new PodModel(ns, name, _options.LogicalSwitchPortName(ns, name),
            pod.Metadata?.Labels is { } labels ? new EquatableMap(labels) : EquatableMap.Empty,
            SortedAddresses(addresses),
            ImmutableArray.CreateRange(named))
        {
            NodeName = pod.Spec?.NodeName is { Length: > 0 } node ? node : null,
        };

        void ReadAddress(string? text, int index)
        {
            if (IpPrefix.TryParseAddress(text, out var address))
            {
                if (!addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }
            else
            {
                // An error, not a warning: dropping the pod would also drop it from the port groups that isolate it.
                invalidAddress = true;
                Error(CompileDiagnosticCodes.InvalidPodIp, $"'{text}' is not an IP address", source, where ?? PodLocation(ns, name),
                    index < 0 ? "status.podIP" : $"status.podIPs[{index}].ip");
            }
        }
    }

    private static int IndexOfNamedPort(List<NamedPort> named, string name, L4Protocol protocol)
    {
        for (var i = 0; i < named.Count; i++)
        {
            if (named[i].Name == name && named[i].Protocol == protocol)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>IPv4 before IPv6, then by text; a pod has one or two addresses, so no sorting machinery for those.</summary>
    private static EquatableArray<IPAddress> SortedAddresses(List<IPAddress> addresses)
    {
        static int Compare(IPAddress a, IPAddress b)
        {
            var family = a.AddressFamily.CompareTo(b.AddressFamily);
            return family != 0 ? family : string.CompareOrdinal(a.ToString(), b.ToString());
        }

        if (addresses.Count == 2 && Compare(addresses[0], addresses[1]) > 0)
        {
            (addresses[0], addresses[1]) = (addresses[1], addresses[0]);
        }
        else if (addresses.Count > 2)
        {
            addresses.Sort(Compare);
        }

        return ImmutableArray.CreateRange(addresses);
    }

    private PolicyModel? ReadPolicy(V1NetworkPolicy policy, ObjectSource? source)
    {
        var name = policy.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            Error(CompileDiagnosticCodes.MissingName, "a NetworkPolicy needs metadata.name", source, "NetworkPolicy", "metadata.name");
            return null;
        }

        var ns = ReadNamespace(policy.Metadata!.NamespaceProperty, source, "NetworkPolicy", name);
        var at = new Location(this, source, $"NetworkPolicy {ns}/{name}");
        var errorsBefore = _diagnostics.Count(d => d.IsError);
        CheckNames(ns, name, source, at.Object);
        var spec = policy.Spec ?? new V1NetworkPolicySpec();
        var podSelector = ReadSelector(spec.PodSelector, at, "spec.podSelector") ?? LabelSelectorModel.All;

        bool isIngress, isEgress;
        if (spec.PolicyTypes is { Count: > 0 } types)
        {
            for (var i = 0; i < types.Count; i++)
            {
                if (types[i] is not ("Ingress" or "Egress"))
                {
                    at.Error(CompileDiagnosticCodes.InvalidPolicyType, $"'{types[i]}' is not Ingress or Egress", $"spec.policyTypes[{i}]");
                }
            }

            if (types.Count > 2)
            {
                at.Error(CompileDiagnosticCodes.InvalidPolicyType, $"{types.Count} policyTypes: at most two (Ingress, Egress), as the API server allows", "spec.policyTypes");
            }

            isIngress = types.Contains("Ingress");
            isEgress = types.Contains("Egress");
        }
        else
        {
            // networking.k8s.io/v1 defaulting: Ingress always, Egress when the policy has egress rules.
            isIngress = true;
            isEgress = spec.Egress is { Count: > 0 };
        }

        var ingress = ReadRules(spec.Ingress?.Select(r => r is null ? null : ((IList<V1NetworkPolicyPeer>?, IList<V1NetworkPolicyPort>?)?)(r.FromProperty, r.Ports)).ToList(), ns, at, "spec.ingress", "from");
        var egress = ReadRules(spec.Egress?.Select(r => r is null ? null : ((IList<V1NetworkPolicyPeer>?, IList<V1NetworkPolicyPort>?)?)(r.To, r.Ports)).ToList(), ns, at, "spec.egress", "to");
        if (_diagnostics.Count(d => d.IsError) > errorsBefore)
        {
            return null;
        }

        return new PolicyModel(ns, name, podSelector, isIngress, isEgress,
            isIngress ? ingress : EquatableArray<RuleModel>.Empty, isEgress ? egress : EquatableArray<RuleModel>.Empty, source);
    }

    private EquatableArray<RuleModel> ReadRules(
        List<(IList<V1NetworkPolicyPeer>? Peers, IList<V1NetworkPolicyPort>? Ports)?>? rules, string ns, Location at, string path, string peersField)
    {
        var result = new List<RuleModel>();
        for (var i = 0; i < (rules?.Count ?? 0); i++)
        {
            var rulePath = $"{path}[{i}]";
            if (rules![i] is not var (peers, ports))
            {
                at.NullItem(rulePath, "rule");
                continue;
            }

            EquatableArray<PeerModel>? peerModels = null;
            if (peers is { Count: > 0 })
            {
                var list = new List<PeerModel>();
                for (var j = 0; j < peers.Count; j++)
                {
                    if (ReadPeer(peers[j], ns, at, $"{rulePath}.{peersField}[{j}]") is { } peer && !list.Contains(peer))
                    {
                        list.Add(peer);
                    }
                }

                peerModels = list.ToEquatableArray();
            }

            var portModels = new List<PortModel>();
            for (var j = 0; j < (ports?.Count ?? 0); j++)
            {
                if (ReadPort(ports![j], at, $"{rulePath}.ports[{j}]") is { } port)
                {
                    portModels.Add(port);
                }
            }

            result.Add(new RuleModel(i, peerModels, portModels.ToEquatableArray()));
        }

        return result.ToEquatableArray();
    }

    private PeerModel? ReadPeer(V1NetworkPolicyPeer? peer, string ns, Location at, string path)
    {
        if (peer is null)
        {
            at.NullItem(path, "peer");
            return null;
        }

        if (peer.IpBlock is { } block)
        {
            if (peer.PodSelector is not null || peer.NamespaceSelector is not null)
            {
                at.Error(CompileDiagnosticCodes.InvalidPeer, "ipBlock cannot be combined with podSelector or namespaceSelector", path);
                return null;
            }

            return ReadIpBlock(block, at, path + ".ipBlock");
        }

        if (peer.PodSelector is null && peer.NamespaceSelector is null)
        {
            at.Error(CompileDiagnosticCodes.InvalidPeer, "a peer needs podSelector, namespaceSelector or ipBlock", path);
            return null;
        }

        var pods = peer.PodSelector is null ? LabelSelectorModel.All : ReadSelector(peer.PodSelector, at, path + ".podSelector");
        if (peer.NamespaceSelector is null)
        {
            return pods is null ? null : new PodPeer(ns, null, pods);
        }

        var namespaces = ReadSelector(peer.NamespaceSelector, at, path + ".namespaceSelector");
        return pods is null || namespaces is null ? null : new PodPeer(null, namespaces, pods);
    }

    private IpBlockPeer? ReadIpBlock(V1IPBlock block, Location at, string path)
    {
        if (!IpPrefix.TryParseCidr(block.Cidr, out var cidr, out var hostBits))
        {
            at.Error(CompileDiagnosticCodes.InvalidCidr, $"'{block.Cidr}' is not a CIDR (address/length)", path + ".cidr");
            return null;
        }

        if (hostBits)
        {
            at.Warning(CompileDiagnosticCodes.CidrHostBits, $"'{block.Cidr}' has bits set after the prefix; read as {cidr}", path + ".cidr");
        }

        var excepts = new List<IpPrefix>();
        var valid = true;
        for (var i = 0; i < (block.Except?.Count ?? 0); i++)
        {
            var text = block.Except![i];
            var field = $"{path}.except[{i}]";
            if (!IpPrefix.TryParseCidr(text, out var except, out var exceptHostBits))
            {
                at.Error(CompileDiagnosticCodes.InvalidCidr, $"'{text}' is not a CIDR (address/length)", field);
                valid = false;
            }
            else if (!cidr.Contains(except) || except.Length == cidr.Length)
            {
                at.Error(CompileDiagnosticCodes.ExceptOutsideCidr, $"'{text}' is not strictly inside cidr {cidr}", field);
                valid = false;
            }
            else
            {
                if (exceptHostBits)
                {
                    at.Warning(CompileDiagnosticCodes.CidrHostBits, $"'{text}' has bits set after the prefix; read as {except}", field);
                }

                excepts.Add(except);
            }
        }

        return valid ? new IpBlockPeer(cidr, excepts.Distinct().Order().ToEquatableArray()) : null;
    }

    private PortModel? ReadPort(V1NetworkPolicyPort? port, Location at, string path)
    {
        if (port is null)
        {
            at.NullItem(path, "port");
            return null;
        }

        var protocol = ParseProtocol(port.Protocol);
        var valid = true;
        if (protocol is null)
        {
            at.Error(CompileDiagnosticCodes.UnknownProtocol, $"'{port.Protocol}' is not TCP, UDP or SCTP", path + ".protocol");
            valid = false;
        }

        int? number = null;
        string? name = null;
        var value = port.Port?.Value;
        if (value is not null)
        {
            if (value.Length > 0 && value.All(char.IsAsciiDigit))
            {
                if (!int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var n) || n is < 1 or > 65535)
                {
                    at.Error(CompileDiagnosticCodes.PortOutOfRange, $"port {value} is not within 1-65535", path + ".port");
                    valid = false;
                }
                else
                {
                    number = n;
                }
            }
            else if (!IsServiceName(value))
            {
                at.Error(CompileDiagnosticCodes.InvalidPortName,
                    $"'{value}' is neither a number nor a port name (1-15 lowercase letters, digits and '-', with a letter)", path + ".port");
                valid = false;
            }
            else
            {
                name = value;
            }
        }

        if (port.EndPort is { } end)
        {
            if (value is null || name is not null)
            {
                at.Error(CompileDiagnosticCodes.EndPortWithoutNumber, "endPort needs a numeric port", path + ".endPort");
                valid = false;
            }
            else if (end is < 1 or > 65535)
            {
                at.Error(CompileDiagnosticCodes.PortOutOfRange, $"endPort {end} is not within 1-65535", path + ".endPort");
                valid = false;
            }
            else if (number is { } start && end < start)
            {
                at.Error(CompileDiagnosticCodes.EndPortBelowPort, $"endPort {end} is below port {start}", path + ".endPort");
                valid = false;
            }
        }

        return valid ? new PortModel(protocol!.Value, number, port.EndPort is { } e && e != number ? e : null, name) : null;
    }

    private LabelSelectorModel? ReadSelector(V1LabelSelector? selector, Location at, string path)
    {
        if (selector is null)
        {
            return LabelSelectorModel.All;
        }

        var requirements = new List<LabelRequirement>();
        var valid = true;
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(key))
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorKey, "a label key cannot be empty", path + ".matchLabels");
                valid = false;
                continue;
            }

            if (LabelSyntax.KeyProblem(key) is { } keyProblem)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorKey, keyProblem, $"{path}.matchLabels.{key}");
                valid = false;
                continue;
            }

            if (LabelSyntax.ValueProblem(value ?? "") is { } valueProblem)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorValues, valueProblem, $"{path}.matchLabels.{key}");
                valid = false;
                continue;
            }

            requirements.Add(new(key, SelectorOperator.In, EquatableArray.Create(value ?? "")));
        }

        for (var i = 0; i < (selector.MatchExpressions?.Count ?? 0); i++)
        {
            var expression = selector.MatchExpressions![i];
            var field = $"{path}.matchExpressions[{i}]";
            if (expression is null)
            {
                at.NullItem(field, "label selector requirement");
                valid = false;
                continue;
            }

            if (string.IsNullOrEmpty(expression.Key))
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorKey, "a label key cannot be empty", field + ".key");
                valid = false;
            }
            else if (LabelSyntax.KeyProblem(expression.Key) is { } keyProblem)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorKey, keyProblem, field + ".key");
                valid = false;
            }

            SelectorOperator? op = expression.OperatorProperty switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                _ => null,
            };
            var values = expression.Values ?? [];
            if (values.IndexOf(null!) is var nullValue and >= 0)
            {
                at.NullItem($"{field}.values[{nullValue}]", "value");
                valid = false;
                continue;
            }

            for (var v = 0; v < values.Count; v++)
            {
                if (LabelSyntax.ValueProblem(values[v]) is { } valueProblem)
                {
                    at.Error(CompileDiagnosticCodes.InvalidSelectorValues, valueProblem, $"{field}.values[{v}]");
                    valid = false;
                }
            }

            if (op is null)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorOperator,
                    $"'{expression.OperatorProperty}' is not In, NotIn, Exists or DoesNotExist", field + ".operator");
                valid = false;
                continue;
            }

            if (op is SelectorOperator.In or SelectorOperator.NotIn && values.Count == 0)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorValues, $"{op} needs at least one value", field + ".values");
                valid = false;
            }
            else if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist && values.Count > 0)
            {
                at.Error(CompileDiagnosticCodes.InvalidSelectorValues, $"{op} takes no values", field + ".values");
                valid = false;
            }
            else if (!string.IsNullOrEmpty(expression.Key))
            {
                requirements.Add(new(expression.Key, op.Value, values.ToSortedSet()));
            }
        }

        return valid ? LabelSelectorModel.Create(requirements) : null;
    }

    private static L4Protocol? ParseProtocol(string? protocol) => protocol switch
    {
        null or "TCP" => L4Protocol.Tcp,
        "UDP" => L4Protocol.Udp,
        "SCTP" => L4Protocol.Sctp,
        _ => null,
    };

    /// <summary>IANA_SVC_NAME (RFC 6335 §5.1): 1–15 of [a-z0-9-], a letter somewhere, no leading, trailing or doubled '-'.</summary>
    internal static bool IsServiceName(string name) =>
        name.Length is >= 1 and <= 15
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && name.Any(char.IsAsciiLetterLower)
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);

    private enum NameKind
    {
        Label,
        Subdomain,
    }

    /// <summary>A namespaced object's names as the API server checks them: the namespace a label, the name a subdomain.</summary>
    private bool CheckNames(string ns, string name, ObjectSource? source, string where) =>
        CheckName(ns, NameKind.Label, source, where, "metadata.namespace") & CheckName(name, NameKind.Subdomain, source, where, "metadata.name");

    private bool CheckName(string name, NameKind kind, ObjectSource? source, string where, string field)
    {
        var valid = IsValidName(name, kind);
        if (!valid)
        {
            Error(CompileDiagnosticCodes.InvalidName, kind == NameKind.Label
                    ? $"'{Abbreviate(name)}' is not a DNS-1123 label (1-63 lowercase letters, digits and '-', starting and ending with a letter or digit)"
                    : $"'{Abbreviate(name)}' is not a DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
                source, where, field);
        }

        return valid;
    }

    private static bool IsValidName(string name, NameKind kind)
    {
        if (kind == NameKind.Label)
        {
            return name.Length <= 63 && IsDns1123Part(name);
        }

        if (name.Length > 253)
        {
            return false;
        }

        // Kubernetes' IsDNS1123Subdomain: no limit per part.
        foreach (var part in name.AsSpan().Split('.'))
        {
            if (!IsDns1123Part(name.AsSpan(part)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDns1123Part(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Abbreviate(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private void Error(string code, string message, ObjectSource? source, string? where, string? field) =>
        _diagnostics.Add(Diagnostic.Error(code, message, new DiagnosticLocation(source, where, field)));

    private void Warning(string code, string message, ObjectSource? source, string? where, string? field) =>
        _diagnostics.Add(Diagnostic.Warning(code, message, new DiagnosticLocation(source, where, field)));

    /// <summary>The object being read, so each check names only its field.</summary>
    private readonly record struct Location(PolicyReader Reader, ObjectSource? Source, string Object)
    {
        public void Error(string code, string message, string field) => Reader.Error(code, message, Source, Object, field);

        public void Warning(string code, string message, string field) => Reader.Warning(code, message, Source, Object, field);

        /// <summary>
        /// A list item written as null (<c>- ~</c>, <c>[null]</c>). The API server would read it as an empty object, which for a
        /// rule or a peer means "everything": refused, as a typo far likelier than a wish. It used to crash the reader.
        /// </summary>
        public void NullItem(string field, string what) =>
            Reader.Error(CompileDiagnosticCodes.UnparseableDocument, $"a {what} cannot be null", Source, Object, field);
    }
}
