using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using OvnAcl.Addressing;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// The cluster-scoped policies: AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1), ClusterNetworkPolicy
/// (v1alpha2), validated from their JSON against the API's types and markers (required fields, enums, 0–1000
/// priorities, item counts, one-of unions) and read into one <see cref="AdminPolicyModel"/>. Every problem is a
/// diagnostic naming the object and field; an unknown field in <c>spec</c> is an error, as in a NetworkPolicy's.
/// </summary>
internal sealed partial class PolicyReader
{
    private const string AdminApiV1Alpha1 = "policy.networking.k8s.io/v1alpha1";
    private const string AdminApiV1Alpha2 = "policy.networking.k8s.io/v1alpha2";
    private const int MaxRuleNameLength = 100;

    /// <summary>The API's limits: v1alpha1 allows 100 rules, peers and ports; v1alpha2 25.</summary>
    private readonly record struct Flavor(string Kind, bool Alpha2, int MaxItems)
    {
        public bool IsBaseline => Kind == "BaselineAdminNetworkPolicy";
    }

    private ImmutableArray<AdminPolicyModel> ReadAdminPolicies(ImmutableArray<SourcedObject<ClusterPolicyObject>> objects)
    {
        var byKey = new Dictionary<string, AdminPolicyModel>(StringComparer.Ordinal);
        foreach (var (policy, source) in objects)
        {
            if (ReadAdminPolicy(policy, source) is not { } model)
            {
                continue;
            }

            if (!byKey.TryAdd(model.Key, model))
            {
                Error(CompileDiagnosticCodes.DuplicateObject, "given more than once", source, model.Kind + " " + model.Name, null);
            }
        }

        var ordered = byKey.Values.ToList();
        ordered.Sort(AdminPolicyModel.CompareEvaluationOrder);

        _diagnostics.AddRange(CheckAdminTiers(ordered, _options));

        // The API leaves policies of one tier and priority that match the same traffic undefined: say which goes first.
        foreach (var group in ordered.Where(p => p.Kind != "BaselineAdminNetworkPolicy").GroupBy(p => (p.Tier, p.Priority)).Where(g => g.Count() > 1))
        {
            var names = group.ToList();
            for (var i = 1; i < names.Count; i++)
            {
                Warning(CompileDiagnosticCodes.SameAdminPriority,
                    $"priority {group.Key.Priority.ToString(CultureInfo.InvariantCulture)} is also {names[0].Kind} {names[0].Name}'s: where both match, " +
                    $"{names[0].Kind} {names[0].Name} is evaluated first (order: ClusterNetworkPolicy, AdminNetworkPolicy, then by name); the API leaves this undefined",
                    names[i].Source, names[i].Kind + " " + names[i].Name, "spec.priority");
            }
        }

        return [.. ordered];
    }

    /// <summary>
    /// Flattened, every rule of a tier and direction has an ACL priority of its own: an error on the first policy
    /// (in evaluation order) whose rules no longer fit.
    /// </summary>
    public static ImmutableArray<Diagnostic> CheckAdminTiers(IReadOnlyList<AdminPolicyModel> policies, KubernetesCompileOptions options)
    {
        var ordered = policies.ToList();
        ordered.Sort(AdminPolicyModel.CompareEvaluationOrder);
        var errors = new List<Diagnostic>();
        foreach (var tier in (AdminTier[])[AdminTier.Admin, AdminTier.Baseline])
        {
            foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
            {
                var fit = Compilation.PolicyShaper.RulesThatFit(tier, options);
                var count = 0;
                foreach (var policy in ordered.Where(p => p.Tier == tier))
                {
                    count += policy.Rules(direction).Count;
                    if (count > fit)
                    {
                        var dir = direction.ToString().ToLowerInvariant();
                        errors.Add(Diagnostic.Error(CompileDiagnosticCodes.AdminPrioritiesExhausted,
                            $"the {tier} tier has more {dir} rules than the {fit.ToString(CultureInfo.InvariantCulture)} ACL priorities " +
                            "OVN without ACL tiers has for it (one each, flattened); this policy's do not fit",
                            new DiagnosticLocation(policy.Source, policy.Kind + " " + policy.Name, "spec." + dir)));
                        break;
                    }
                }
            }
        }

        if (!options.AclTiers)
        {
            errors.AddRange(CheckFlattenedPasses(ordered));
        }

        return [.. errors];
    }

    /// <summary>
    /// Flattened (OVN without ACL tiers), a Pass rule has no ACL: its traffic is taken out of every lower rule of its
    /// tier it overlaps, positively (selector complements, prefixes, ports: PolicyShaper.Pass). Where that cannot be
    /// said positively (named ports, pods against networks or nodes), the only way left, a negated address set, is
    /// expanded by ovn-controller into OpenFlow exponential in the number of pods (three dual-stack pods: over 1.5 GB
    /// per hypervisor; docs/admin-policy.md): such a Pass is refused, naming the lower rule.
    /// </summary>
    private static IEnumerable<Diagnostic> CheckFlattenedPasses(List<AdminPolicyModel> ordered)
    {
        foreach (var tier in (AdminTier[])[AdminTier.Admin, AdminTier.Baseline])
        {
            foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
            {
                var dir = direction.ToString().ToLowerInvariant();
                var rules = ordered.Where(p => p.Tier == tier).SelectMany(p => p.Rules(direction).Select(r => (Policy: p, Rule: r))).ToList();
                for (var i = 0; i < rules.Count; i++)
                {
                    var (passPolicy, pass) = rules[i];
                    if (pass.Action != AdminAction.Pass)
                    {
                        continue;
                    }

                    var lower = rules.Skip(i + 1).FirstOrDefault(r => r.Rule.Action != AdminAction.Pass
                        && Compilation.PolicyShaper.PassMayOverlap(r.Policy, r.Rule, passPolicy, pass)
                        && !Compilation.PolicyShaper.PassExpressible(r.Rule, passPolicy, pass, direction));
                    if (lower.Policy is null)
                    {
                        continue;
                    }

                    yield return Diagnostic.Error(CompileDiagnosticCodes.AdminPassNeedsTiers,
                        $"this Pass overlaps the lower rule {lower.Policy.Kind} {lower.Policy.Name} {dir}[{lower.Rule.Index.ToString(CultureInfo.InvariantCulture)}] " +
                        "in a way OVN without ACL tiers (23.03) can only say with a negated address set (a named port, or pods against networks or nodes), " +
                        "which ovn-controller expands into OpenFlow exponential in the number of pods. Target OVN 23.06+ (ACL tiers), or write the lower " +
                        "rule's subject or peers so that they exclude what the Pass covers (e.g. matchExpressions NotIn)",
                        new DiagnosticLocation(passPolicy.Source, passPolicy.Kind + " " + passPolicy.Name, $"spec.{dir}[{pass.Index.ToString(CultureInfo.InvariantCulture)}]"));
                }

                // A lower rule under many overlapping Passes becomes one ACL per way out of them all: bounded.
                for (var i = 0; i < rules.Count; i++)
                {
                    var (lowerPolicy, lower) = rules[i];
                    if (lower.Action == AdminAction.Pass)
                    {
                        continue;
                    }

                    var above = rules.Take(i).Where(r => r.Rule.Action == AdminAction.Pass && Compilation.PolicyShaper.PassMayOverlap(lowerPolicy, lower, r.Policy, r.Rule)).ToList();
                    var ways = Compilation.PolicyShaper.EscapeBound(above);
                    if (ways > Compilation.PolicyShaper.MaxEscapes)
                    {
                        yield return Diagnostic.Error(CompileDiagnosticCodes.AdminPassNeedsTiers,
                            $"{above.Count.ToString(CultureInfo.InvariantCulture)} Pass rules above overlap this rule: flattened for OVN without ACL tiers (23.03) it would need up to " +
                            $"{ways.ToString(CultureInfo.InvariantCulture)} ACLs (one per way out of them all; at most {Compilation.PolicyShaper.MaxEscapes.ToString(CultureInfo.InvariantCulture)}). " +
                            "Target OVN 23.06+ (ACL tiers), give the Passes subjects that exclude each other (one ACL per Pass then), or narrow this rule's subject or peers",
                            new DiagnosticLocation(lowerPolicy.Source, lowerPolicy.Kind + " " + lowerPolicy.Name, $"spec.{dir}[{lower.Index.ToString(CultureInfo.InvariantCulture)}]"));
                    }
                }
            }
        }
    }

    /// <summary>One cluster-scoped policy on its own (an informer event); null with errors in the diagnostics when invalid.</summary>
    public static (AdminPolicyModel? Policy, ImmutableArray<Diagnostic> Diagnostics) ReadAdminPolicy(ClusterPolicyObject policy, KubernetesCompileOptions options)
    {
        var reader = new PolicyReader(options);
        var model = reader.ReadAdminPolicy(policy, null);
        return (model, [.. reader._diagnostics]);
    }

    private AdminPolicyModel? ReadAdminPolicy(ClusterPolicyObject policy, ObjectSource? source)
    {
        var json = policy.Json;
        var kind = policy.Kind;
        if (json.ValueKind != JsonValueKind.Object)
        {
            Error(CompileDiagnosticCodes.UnparseableDocument, "a cluster policy must be a JSON object", source, "cluster policy", null);
            return null;
        }

        Flavor flavor;
        switch (policy.ApiVersion, kind)
        {
            case (AdminApiV1Alpha1, "AdminNetworkPolicy" or "BaselineAdminNetworkPolicy"):
                flavor = new(kind, false, 100);
                break;
            case (AdminApiV1Alpha2, "ClusterNetworkPolicy"):
                flavor = new(kind, true, 25);
                break;
            default:
                Error(CompileDiagnosticCodes.UnsupportedPolicyKind,
                    $"{kind ?? "(no kind)"} {policy.ApiVersion ?? "(no apiVersion)"} is not a cluster policy OvnAcl reads (AdminNetworkPolicy and " +
                    "BaselineAdminNetworkPolicy policy.networking.k8s.io/v1alpha1, ClusterNetworkPolicy v1alpha2): refused rather than left unenforced",
                    source, kind ?? "cluster policy", "apiVersion");
                return null;
        }

        var name = policy.Name;
        if (string.IsNullOrEmpty(name))
        {
            Error(CompileDiagnosticCodes.MissingName, $"a {kind} needs metadata.name", source, kind, "metadata.name");
            return null;
        }

        var where = kind + " " + name;
        if (!CheckName(name, NameKind.Subdomain, source, where, "metadata.name"))
        {
            return null;
        }

        var at = new Location(this, source, where);
        if (flavor.IsBaseline && name != "default")
        {
            at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, "a BaselineAdminNetworkPolicy is a singleton named 'default' (the API refuses any other name)", "metadata.name");
            return null;
        }

        if (!json.TryGetProperty("spec", out var spec) || spec.ValueKind == JsonValueKind.Null)
        {
            at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, "spec is required", "spec");
            return null;
        }

        if (!IsObject(spec, at, "spec"))
        {
            return null;
        }

        var valid = CheckKeys(spec, at, "spec", flavor switch
        {
            { Alpha2: true } => ["tier", "priority", "subject", "ingress", "egress"],
            { IsBaseline: true } => ["subject", "ingress", "egress"],
            _ => ["priority", "subject", "ingress", "egress"],
        });

        var tier = AdminTier.Admin;
        if (flavor.IsBaseline)
        {
            tier = AdminTier.Baseline;
        }
        else if (flavor.Alpha2)
        {
            switch (Required(spec, "tier", at, "spec") is { } t ? Text(t, at, "spec.tier") : null)
            {
                case "Admin":
                    break;
                case "Baseline":
                    tier = AdminTier.Baseline;
                    break;
                case { } other:
                    at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"tier '{other}' is not Admin or Baseline", "spec.tier");
                    valid = false;
                    break;
                default:
                    valid = false;
                    break;
            }
        }

        var priority = 0;
        if (!flavor.IsBaseline)
        {
            if (Required(spec, "priority", at, "spec") is { } p && Integer(p, at, "spec.priority") is { } n)
            {
                if (n is < 0 or > 1000)
                {
                    at.Error(CompileDiagnosticCodes.AdminPriorityOutOfRange, $"priority {n.ToString(CultureInfo.InvariantCulture)} is not within 0-1000", "spec.priority");
                    valid = false;
                }

                priority = (int)Math.Clamp(n, 0, 1000);
            }
            else
            {
                valid = false;
            }
        }

        var subject = Required(spec, "subject", at, "spec") is { } s ? ReadSubject(s, at, "spec.subject") : null;
        valid &= subject is not null;

        var ingress = ReadAdminRules(spec, "ingress", flavor, tier, PolicyDirection.Ingress, at, ref valid);
        var egress = ReadAdminRules(spec, "egress", flavor, tier, PolicyDirection.Egress, at, ref valid);
        return valid ? new AdminPolicyModel(kind, name, tier, priority, subject!, ingress, egress, source) : null;
    }

    private PodPeer? ReadSubject(JsonElement subject, Location at, string path)
    {
        if (!IsObject(subject, at, path) || !CheckKeys(subject, at, path, ["namespaces", "pods"]))
        {
            return null;
        }

        return OneOf(subject, at, path, ["namespaces", "pods"]) switch
        {
            ("namespaces", var selector) => ReadAdminSelector(selector, at, path + ".namespaces") is { } ns ? new PodPeer(null, ns, LabelSelectorModel.All) : null,
            ("pods", var pods) => ReadNamespacedPods(pods, at, path + ".pods"),
            _ => null,
        };
    }

    private PodPeer? ReadNamespacedPods(JsonElement pods, Location at, string path)
    {
        if (!IsObject(pods, at, path) || !CheckKeys(pods, at, path, ["namespaceSelector", "podSelector"]))
        {
            return null;
        }

        var namespaces = Required(pods, "namespaceSelector", at, path) is { } n ? ReadAdminSelector(n, at, path + ".namespaceSelector") : null;
        var selected = Required(pods, "podSelector", at, path) is { } p ? ReadAdminSelector(p, at, path + ".podSelector") : null;
        return namespaces is not null && selected is not null ? new PodPeer(null, namespaces, selected) : null;
    }

    private EquatableArray<AdminRuleModel> ReadAdminRules(JsonElement spec, string field, Flavor flavor, AdminTier tier, PolicyDirection direction,
        Location at, ref bool valid)
    {
        var path = "spec." + field;
        if (!spec.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (Items(list, at, path, 0, flavor.MaxItems, "rules") is not { } items)
        {
            valid = false;
            return [];
        }

        var rules = new List<AdminRuleModel>();
        for (var i = 0; i < items.Count; i++)
        {
            if (ReadAdminRule(items[i], i, flavor, tier, direction, at, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]") is { } rule)
            {
                rules.Add(rule);
            }
            else
            {
                valid = false;
            }
        }

        return rules.ToEquatableArray();
    }

    private AdminRuleModel? ReadAdminRule(JsonElement rule, int index, Flavor flavor, AdminTier tier, PolicyDirection direction, Location at, string path)
    {
        var peersField = direction == PolicyDirection.Ingress ? "from" : "to";
        var portsField = flavor.Alpha2 ? "protocols" : "ports";
        if (rule.ValueKind == JsonValueKind.Null)
        {
            at.NullItem(path, "rule");
            return null;
        }

        if (!IsObject(rule, at, path) || !CheckKeys(rule, at, path, ["name", "action", peersField, portsField]))
        {
            return null;
        }

        var valid = true;
        string? name = null;
        if (rule.TryGetProperty("name", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            name = Text(n, at, path + ".name");
            if (name is { Length: > MaxRuleNameLength })
            {
                at.Error(CompileDiagnosticCodes.AdminLimitExceeded, $"a rule name has at most {MaxRuleNameLength} characters ({name.Length.ToString(CultureInfo.InvariantCulture)} here)", path + ".name");
                valid = false;
            }

            valid &= name is not null;
            name = string.IsNullOrEmpty(name) ? null : name;
        }

        AdminAction? action = null;
        if (Required(rule, "action", at, path) is { } a && Text(a, at, path + ".action") is { } text)
        {
            action = (text, flavor) switch
            {
                ("Allow", { Alpha2: false }) => AdminAction.Allow,
                ("Accept", { Alpha2: true }) => AdminAction.Allow,
                ("Deny", _) => AdminAction.Deny,
                ("Pass", { IsBaseline: false }) => AdminAction.Pass,
                _ => null,
            };
            if (action is null)
            {
                var allowed = flavor switch
                {
                    { Alpha2: true } => "Accept, Deny or Pass",
                    { IsBaseline: true } => "Allow or Deny (a BaselineAdminNetworkPolicy has no Pass)",
                    _ => "Allow, Deny or Pass",
                };
                at.Error(CompileDiagnosticCodes.InvalidAdminAction, $"action '{text}' is not {allowed}", path + ".action");
            }
        }

        valid &= action is not null;

        var peers = new List<PeerModel>();
        var podPeersOnly = true;
        if (Required(rule, peersField, at, path) is { } list && Items(list, at, path + "." + peersField, 1, flavor.MaxItems, "peers") is { } items)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var peerPath = $"{path}.{peersField}[{i.ToString(CultureInfo.InvariantCulture)}]";
                if (ReadAdminPeer(items[i], direction, flavor, at, peerPath) is { } read)
                {
                    peers.AddRange(read);
                    podPeersOnly &= read.All(p => p is PodPeer);
                }
                else
                {
                    valid = false;
                }
            }
        }
        else
        {
            valid = false;
        }

        var ports = new List<PortModel>();
        if (rule.TryGetProperty(portsField, out var portList) && portList.ValueKind != JsonValueKind.Null)
        {
            if (Items(portList, at, path + "." + portsField, flavor.Alpha2 ? 1 : 0, flavor.MaxItems, portsField) is { } portItems)
            {
                for (var i = 0; i < portItems.Count; i++)
                {
                    var portPath = $"{path}.{portsField}[{i.ToString(CultureInfo.InvariantCulture)}]";
                    var read = flavor.Alpha2 ? ReadAdminProtocol(portItems[i], at, portPath) : ReadAdminPort(portItems[i], at, portPath);
                    if (read is null)
                    {
                        valid = false;
                        continue;
                    }

                    if (read.Any(p => p.Name is not null) && !podPeersOnly)
                    {
                        at.Error(CompileDiagnosticCodes.AdminNamedPortWithoutPods,
                            "a named port resolves on pods: it cannot be used in a rule with nodes or networks peers (the API refuses it)", portPath);
                        valid = false;
                    }

                    ports.AddRange(read);
                }
            }
            else
            {
                valid = false;
            }
        }

        return valid ? new AdminRuleModel(index, name, action!.Value, peers.Distinct().ToEquatableArray(), ports.Distinct().ToEquatableArray()) : null;
    }

    private List<PeerModel>? ReadAdminPeer(JsonElement peer, PolicyDirection direction, Flavor flavor, Location at, string path)
    {
        if (peer.ValueKind == JsonValueKind.Null)
        {
            at.NullItem(path, "peer");
            return null;
        }

        string[] kinds = direction == PolicyDirection.Ingress ? ["namespaces", "pods"] : ["namespaces", "pods", "nodes", "networks", "domainNames"];
        if (!IsObject(peer, at, path) || !CheckKeys(peer, at, path, kinds))
        {
            return null;
        }

        switch (OneOf(peer, at, path, kinds))
        {
            case ("namespaces", var selector):
                return ReadAdminSelector(selector, at, path + ".namespaces") is { } ns ? [new PodPeer(null, ns, LabelSelectorModel.All)] : null;
            case ("pods", var pods):
                return ReadNamespacedPods(pods, at, path + ".pods") is { } p ? [p] : null;
            case ("nodes", var selector):
                return ReadAdminSelector(selector, at, path + ".nodes") is { } nodes ? [new NodePeer(nodes)] : null;
            case ("networks", var networks):
            {
                if (Items(networks, at, path + ".networks", 1, 25, "networks") is not { } cidrs)
                {
                    return null;
                }

                var blocks = new List<PeerModel>();
                for (var i = 0; i < cidrs.Count; i++)
                {
                    var field = $"{path}.networks[{i.ToString(CultureInfo.InvariantCulture)}]";
                    if (Text(cidrs[i], at, field) is not { } text)
                    {
                        return null;
                    }

                    if (!IpPrefix.TryParseCidr(text, out var prefix, out _))
                    {
                        at.Error(CompileDiagnosticCodes.InvalidCidr, $"'{text}' is not a CIDR", field);
                        return null;
                    }

                    blocks.Add(new IpBlockPeer(prefix, []));
                }

                return blocks;
            }

            case ("domainNames", _):
                at.Error(CompileDiagnosticCodes.DomainNamesUnsupported,
                    "domainNames cannot be expressed in OVN ACLs (they match addresses, not DNS names): refused rather than left unenforced", path + ".domainNames");
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// A v1alpha1 port: <c>portNumber</c> (protocol, port), <c>portRange</c> (protocol, start, end) or <c>namedPort</c>.
    /// A named port has no protocol: it stands for the container port of that name, whichever protocol it has.
    /// </summary>
    private List<PortModel>? ReadAdminPort(JsonElement port, Location at, string path)
    {
        if (port.ValueKind == JsonValueKind.Null)
        {
            at.NullItem(path, "port");
            return null;
        }

        if (!IsObject(port, at, path) || !CheckKeys(port, at, path, ["portNumber", "portRange", "namedPort"]))
        {
            return null;
        }

        switch (OneOf(port, at, path, ["portNumber", "portRange", "namedPort"]))
        {
            case ("portNumber", var number):
            {
                var field = path + ".portNumber";
                if (!IsObject(number, at, field) || !CheckKeys(number, at, field, ["protocol", "port"]))
                {
                    return null;
                }

                var protocol = ReadAdminProtocolName(number, at, field);
                var value = Required(number, "port", at, field) is { } p ? PortNumber(p, at, field + ".port") : null;
                return protocol is { } pr && value is { } v ? [new PortModel(pr, v, null, null)] : null;
            }

            case ("portRange", var range):
            {
                var field = path + ".portRange";
                if (!IsObject(range, at, field) || !CheckKeys(range, at, field, ["protocol", "start", "end"]))
                {
                    return null;
                }

                var protocol = ReadAdminProtocolName(range, at, field);
                return protocol is { } pr && ReadRange(range, at, field) is { } r ? [new PortModel(pr, r.Start, r.End, null)] : null;
            }

            case ("namedPort", var named):
                return ReadNamedPort(named, at, path + ".namedPort");
            default:
                return null;
        }
    }

    /// <summary>
    /// A v1alpha2 protocol: <c>tcp</c>/<c>udp</c>/<c>sctp</c> with an optional <c>destinationPort</c> (<c>number</c> or
    /// <c>range</c>; absent is every port of the protocol), or <c>destinationNamedPort</c>.
    /// </summary>
    private List<PortModel>? ReadAdminProtocol(JsonElement protocol, Location at, string path)
    {
        if (protocol.ValueKind == JsonValueKind.Null)
        {
            at.NullItem(path, "protocol");
            return null;
        }

        string[] kinds = ["tcp", "udp", "sctp", "destinationNamedPort"];
        if (!IsObject(protocol, at, path) || !CheckKeys(protocol, at, path, kinds))
        {
            return null;
        }

        var (kind, value) = OneOf(protocol, at, path, kinds);
        if (kind is null)
        {
            return null;
        }

        if (kind == "destinationNamedPort")
        {
            return ReadNamedPort(value, at, path + ".destinationNamedPort");
        }

        var l4 = kind switch { "tcp" => L4Protocol.Tcp, "udp" => L4Protocol.Udp, _ => L4Protocol.Sctp };
        var field = path + "." + kind;
        if (!IsObject(value, at, field) || !CheckKeys(value, at, field, ["destinationPort"]))
        {
            return null;
        }

        if (!value.TryGetProperty("destinationPort", out var destination) || destination.ValueKind == JsonValueKind.Null)
        {
            return [new PortModel(l4, null, null, null)];
        }

        field += ".destinationPort";
        if (!IsObject(destination, at, field) || !CheckKeys(destination, at, field, ["number", "range"]))
        {
            return null;
        }

        return OneOf(destination, at, field, ["number", "range"]) switch
        {
            ("number", var number) => PortNumber(number, at, field + ".number") is { } n ? [new PortModel(l4, n, null, null)] : null,
            ("range", var range) => IsObject(range, at, field + ".range") && CheckKeys(range, at, field + ".range", ["start", "end"])
                && ReadRange(range, at, field + ".range") is { } r ? [new PortModel(l4, r.Start, r.End, null)] : null,
            _ => null,
        };
    }

    private List<PortModel>? ReadNamedPort(JsonElement named, Location at, string field)
    {
        if (Text(named, at, field) is not { } name)
        {
            return null;
        }

        if (!IsServiceName(name))
        {
            at.Error(CompileDiagnosticCodes.InvalidPortName, $"'{name}' is not a port name (1-15 lowercase letters, digits and '-', with a letter)", field);
            return null;
        }

        return [new PortModel(L4Protocol.Tcp, null, null, name), new PortModel(L4Protocol.Udp, null, null, name), new PortModel(L4Protocol.Sctp, null, null, name)];
    }

    private L4Protocol? ReadAdminProtocolName(JsonElement port, Location at, string path)
    {
        // The API defaults the protocol to TCP.
        if (!port.TryGetProperty("protocol", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return L4Protocol.Tcp;
        }

        var text = Text(value, at, path + ".protocol");
        var protocol = text is null ? null : ParseProtocol(text);
        if (text is not null && protocol is null)
        {
            at.Error(CompileDiagnosticCodes.UnknownProtocol, $"'{text}' is not TCP, UDP or SCTP", path + ".protocol");
        }

        return protocol;
    }

    private (int Start, int End)? ReadRange(JsonElement range, Location at, string path)
    {
        var start = Required(range, "start", at, path) is { } s ? PortNumber(s, at, path + ".start") : null;
        var end = Required(range, "end", at, path) is { } e ? PortNumber(e, at, path + ".end") : null;
        if (start is not { } first || end is not { } last)
        {
            return null;
        }

        if (last <= first)
        {
            at.Error(CompileDiagnosticCodes.EndPortBelowPort, $"end {last.ToString(CultureInfo.InvariantCulture)} must be above start {first.ToString(CultureInfo.InvariantCulture)}", path + ".end");
            return null;
        }

        return (first, last);
    }

    private static int? PortNumber(JsonElement value, Location at, string path)
    {
        if (Integer(value, at, path) is not { } n)
        {
            return null;
        }

        if (n is < 1 or > 65535)
        {
            at.Error(CompileDiagnosticCodes.PortOutOfRange, $"port {n.ToString(CultureInfo.InvariantCulture)} is not within 1-65535", path);
            return null;
        }

        return (int)n;
    }

    private LabelSelectorModel? ReadAdminSelector(JsonElement selector, Location at, string path)
    {
        if (!IsObject(selector, at, path) || !CheckKeys(selector, at, path, ["matchLabels", "matchExpressions"]))
        {
            return null;
        }

        V1LabelSelector? read;
        try
        {
            read = KubernetesJson.Deserialize<V1LabelSelector>(selector.GetRawText());
        }
        catch (JsonException ex)
        {
            at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, "not a label selector: " + ex.Message, path + (ex.Path is { Length: > 1 } p ? p[1..] : ""));
            return null;
        }

        return ReadSelector(read, at, path);
    }

    // JSON helpers: each reports its own problem and returns null (or false) on it.

    private static bool IsObject(JsonElement value, Location at, string path)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"must be an object, not {Describe(value)}", path);
        return false;
    }

    private static bool CheckKeys(JsonElement value, Location at, string path, string[] known)
    {
        var ok = true;
        foreach (var property in value.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"unknown field '{property.Name}' (known here: {string.Join(", ", known)})", path + "." + property.Name);
                ok = false;
            }
        }

        return ok;
    }

    private static JsonElement? Required(JsonElement value, string name, Location at, string path)
    {
        if (value.TryGetProperty(name, out var child) && child.ValueKind != JsonValueKind.Null)
        {
            return child;
        }

        at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"{name} is required", path + "." + name);
        return null;
    }

    /// <summary>The one field of a union that is set, or (null, default) after reporting none or several.</summary>
    private static (string? Name, JsonElement Value) OneOf(JsonElement value, Location at, string path, string[] names)
    {
        var set = names.Where(n => value.TryGetProperty(n, out var v) && v.ValueKind != JsonValueKind.Null).ToList();
        if (set.Count == 1)
        {
            return (set[0], value.GetProperty(set[0]));
        }

        at.Error(CompileDiagnosticCodes.InvalidAdminPolicy,
            set.Count == 0 ? $"exactly one of {string.Join(", ", names)} must be set (none is)" : $"exactly one of {string.Join(", ", names)} must be set, not {string.Join(" and ", set)}",
            path);
        return (null, default);
    }

    private static List<JsonElement>? Items(JsonElement value, Location at, string path, int min, int max, string what)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"must be a list, not {Describe(value)}", path);
            return null;
        }

        var count = value.GetArrayLength();
        if (count < min || count > max)
        {
            at.Error(count < min ? CompileDiagnosticCodes.InvalidAdminPolicy : CompileDiagnosticCodes.AdminLimitExceeded,
                $"{count.ToString(CultureInfo.InvariantCulture)} {what}: the API allows {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}", path);
            return null;
        }

        return [.. value.EnumerateArray()];
    }

    private static string? Text(JsonElement value, Location at, string path)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"must be a string, not {Describe(value)}", path);
        return null;
    }

    private static long? Integer(JsonElement value, Location at, string path)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }

        at.Error(CompileDiagnosticCodes.InvalidAdminPolicy, $"must be an integer, not {Describe(value)}", path);
        return null;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string '{Abbreviate(value.GetString() ?? "")}'",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
