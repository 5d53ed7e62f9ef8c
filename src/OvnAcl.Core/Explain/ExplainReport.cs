using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OvnAcl.Acl;
using OvnAcl.Collections;

namespace OvnAcl.Explain;

/// <summary>
/// <see cref="AclDecisionReport"/>'s text and JSON with the policy and rule behind each deciding ACL added (read from
/// external_ids, <see cref="AclRuleSource"/>), for a live NB's view and for an offline topology alike.
/// </summary>
public static class ExplainReport
{
    /// <summary>The rule of an ACL of <paramref name="view"/>, e.g. one read from a live NB.</summary>
    public static Func<AclView, AclRuleSource> RulesOf(AclPolicyView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var groups = view.Rows.PortGroups.GroupBy(g => g.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().ExternalIds, StringComparer.Ordinal);
        return acl => AclRuleSource.Of(acl, acl.Owner.Kind == AclOwnerKind.PortGroup && groups.TryGetValue(acl.Owner.Name, out var ids) ? ids : null);
    }

    /// <summary>The stages whose ACL decided: the denying one, or every reached stage an ACL allowed.</summary>
    public static IEnumerable<AclStageResult> DecidingAcls(AclDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.DenyingStage is { } deny
            ? deny.Acl is null ? [] : [deny]
            : decision.Stages.Where(s => s.Reached && s.Outcome == AclStageOutcome.Acl && s.Acl is not null);
    }

    /// <summary>
    /// The <c>pass</c> ACLs the packet went through at the reached stages before their decision (OVN 23.06+ tiers), with
    /// their rules: e.g. an AdminNetworkPolicy's Pass rule, after which NetworkPolicy decided.
    /// </summary>
    public static EquatableArray<PassedRule> PassedRules(AclDecision decision, Func<AclView, AclRuleSource> ruleOf)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        return decision.Stages.Where(s => s.Reached).SelectMany(s => s.Passed.Select(a => new PassedRule(s.Stage, ruleOf(a)))).ToEquatableArray();
    }

    /// <summary>The decision as text, each deciding ACL followed by the policy rule <paramref name="ruleOf"/> says it comes from.</summary>
    public static string ToText(AclDecision decision, Func<AclView, AclRuleSource> ruleOf) => ToText(decision, ruleOf, null);

    /// <summary>
    /// As <see cref="ToText(AclDecision, Func{AclView, AclRuleSource})"/>, with <paramref name="passedBy"/> (default: the
    /// decision's own <see cref="PassedRules"/>) named before the deciding rules: "passed by: …", then "allowed by: …".
    /// </summary>
    public static string ToText(AclDecision decision, Func<AclView, AclRuleSource> ruleOf, IReadOnlyList<PassedRule>? passedBy)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        var text = new StringBuilder(AclDecisionReport.ToText(decision));
        foreach (var pass in passedBy ?? PassedRules(decision, ruleOf))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"passed by: {pass.Rule.Summary} [{AclText.Format(pass.Stage)}]: on to the NetworkPolicy tier");
        }

        var deciding = DecidingAcls(decision).ToList();
        var verb = decision.Verdict == AclVerdict.Allow ? "allowed by" : "dropped by";
        if (deciding.Count == 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{verb}: no ACL ({(decision.Verdict == AclVerdict.Allow ? "nothing on the way drops it" : "default_acl_drop")})");
        }

        foreach (var stage in deciding)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{verb}: {ruleOf(stage.Acl!).Summary} [{AclText.Format(stage.Stage)}{(stage.Acl!.Row.Name is { } name ? $", ACL \"{name}\"" : "")}]");
        }

        return text.ToString();
    }

    /// <summary>An offline explanation as text: the endpoints as the input names them, then the decision.</summary>
    public static string ToText(OfflineExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var text = new StringBuilder();
        if (explanation.LoadBalancing is { } lb)
        {
            var ends = lb.Backends.ToDictionary(b => b.Backend, b => b.Endpoint);
            AppendLoadBalancing(text, lb.Decision, explanation.RuleOf, b => Describe(ends[b.Backend]));
        }

        text.Append(ToText(explanation.Decision, explanation.RuleOf, explanation.PassedBy));
        foreach (var end in new[] { explanation.From, explanation.To })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{end.Port}: {Describe(end)}");
        }

        return text.ToString();
    }

    /// <summary>
    /// A connection to a VIP of a live NB's load balancer as text: the VIP, one line per backend with its verdict and
    /// deciding rules, then the full decision of the first backend denied, else of the first.
    /// </summary>
    public static string ToText(LoadBalancedDecision decision, Func<AclView, AclRuleSource> ruleOf)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        var text = new StringBuilder();
        AppendLoadBalancing(text, decision, ruleOf, b => b.Port is { } port ? $"port {port}" : "no logical switch port of the switch holds it: not decided");
        if (decision.Representative is { } shown)
        {
            text.Append(ToText(shown, ruleOf));
        }

        return text.ToString();
    }

    /// <summary>
    /// A connection to a VIP of a live NB's load balancer as JSON: the representative backend's decision object (as
    /// <see cref="ToJson(AclDecision, IEnumerable{string}?, Func{AclView, AclRuleSource})"/>) plus <c>load_balancer</c> (docs/explain.md).
    /// </summary>
    public static string ToJson(LoadBalancedDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        var list = (diagnostics ?? []).ToList();
        var root = decision.Representative is { } shown ? ToJsonObject(shown, list, ruleOf) : new JsonObject();
        root["verdict"] = AclText.Format(decision.Verdict);
        root["load_balancer"] = LoadBalancingJson(decision, ruleOf, list, b => b.Port is { } port ? new JsonObject { ["port"] = port } : null);
        return root.ToJsonString(OutputJson.Options);
    }

    private static void AppendLoadBalancing(StringBuilder text, LoadBalancedDecision decided, Func<AclView, AclRuleSource> ruleOf, Func<LoadBalancedBackend, string> describe)
    {
        var vip = decided.Vip.Vip;
        var what = decided.LoadBalancer.Service is { } service
            ? $"Service {service} (load balancer {decided.LoadBalancer.Row.Name})"
            : $"load balancer {decided.LoadBalancer.Row.Name}";
        var proto = decided.LoadBalancer.Protocol.ToString().ToLowerInvariant();
        if (decided.WithoutBackends is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"deny: {proto} {vip} is {what}, which has no backends: OVN {(decided.LoadBalancer.RejectsWithoutBackends ? "rejects the connection (options:reject=true: TCP reset or ICMP port unreachable)" : "drops it (no options:reject=true)")}");
            return;
        }

        var total = decided.Backends.Count;
        var allowed = decided.Allowed;
        var summary = allowed == total ? $"allowed to {(allowed == 1 ? "its backend" : $"all {allowed} backends")}"
            : allowed == 0 ? $"denied to {(total == 1 ? "its backend" : $"all {total} backends")}"
            : $"allowed to {allowed} of {total} backends (OVN picks one per connection by a hash: some connections fail)";
        text.AppendLine(CultureInfo.InvariantCulture, $"{AclText.Format(decided.Verdict)}: {proto} {vip} is {what}: {summary}");
        foreach (var backend in decided.Backends)
        {
            if (backend.Decision is not { } decision)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  backend {backend.Backend} ({describe(backend)})");
                continue;
            }

            var rules = DecidingAcls(decision).Select(s => ruleOf(s.Acl!).Summary).ToList();
            var ambiguous = decision.IsAmbiguous ? " (tied ACLs with different actions)" : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  backend {backend.Backend} ({describe(backend)}): {AclText.Format(decision.Verdict)}{ambiguous}, {(rules.Count == 0 ? "no ACL" : string.Join("; ", rules))}");
        }

        var shown = decided.Backends.FirstOrDefault(b => b.Decision?.Verdict == AclVerdict.Deny) ?? decided.Backends.FirstOrDefault(b => b.Decision is not null);
        if (shown is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"connection to backend {shown.Backend}:");
        }
    }

    /// <summary>
    /// <c>load_balancer</c>: <c>name</c>, <c>uuid</c>, <c>service</c>, <c>protocol</c>, <c>vip</c>, <c>vip_port</c>,
    /// <c>rejects_without_backends</c>, <c>verdict</c>, <c>allowed_backends</c>, and <c>backends</c> (each <c>address</c>,
    /// <c>port</c>, <c>verdict</c> (null: not decided), <c>ambiguous</c>, <c>endpoint</c>, <c>decided_by</c>, <c>stages</c>, <c>warnings</c>).
    /// </summary>
    private static JsonObject LoadBalancingJson(LoadBalancedDecision decided, Func<AclView, AclRuleSource> ruleOf, IEnumerable<string> diagnostics,
        Func<LoadBalancedBackend, JsonObject?> endpoint) => new()
    {
        ["name"] = decided.LoadBalancer.Row.Name,
        ["uuid"] = decided.LoadBalancer.Row.Uuid == Guid.Empty ? null : decided.LoadBalancer.Row.Uuid.ToString(),
        ["service"] = decided.LoadBalancer.Service,
        ["protocol"] = decided.LoadBalancer.Protocol.ToString().ToLowerInvariant(),
        ["vip"] = decided.Vip.Vip.Address.ToString(),
        ["vip_port"] = decided.Vip.Vip.Port,
        ["rejects_without_backends"] = decided.LoadBalancer.RejectsWithoutBackends,
        ["verdict"] = AclText.Format(decided.Verdict),
        ["allowed_backends"] = decided.Allowed,
        ["backends"] = new JsonArray([.. decided.Backends.Select(b =>
        {
            var decision = b.Decision is { } d ? ToJsonObject(d, diagnostics, ruleOf) : null;
            return (JsonNode?)new JsonObject
            {
                ["address"] = b.Backend.Address.ToString(),
                ["port"] = b.Backend.Port,
                ["verdict"] = b.Decision is { } v ? AclText.Format(v.Verdict) : null,
                ["ambiguous"] = b.Decision?.IsAmbiguous ?? false,
                ["endpoint"] = endpoint(b),
                ["decided_by"] = decision?["decided_by"]?.DeepClone() ?? new JsonArray(),
                ["stages"] = decision?["stages"]?.DeepClone() ?? new JsonArray(),
                ["warnings"] = decision?["warnings"]?.DeepClone() ?? new JsonArray(),
            };
        })]),
    };

    /// <summary><see cref="AclDecisionReport.ToJson"/> plus <c>rule</c> in each stage and <c>decided_by</c> (docs/explain.md).</summary>
    public static JsonObject ToJsonObject(AclDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf) =>
        ToJsonObject(decision, diagnostics, ruleOf, null);

    private static JsonObject ToJsonObject(AclDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf, IReadOnlyList<PassedRule>? passedBy)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        var root = JsonNode.Parse(AclDecisionReport.ToJson(decision, diagnostics))!.AsObject();
        var stages = root["stages"]!.AsArray();
        for (var i = 0; i < decision.Stages.Count; i++)
        {
            stages[i]!.AsObject()["rule"] = decision.Stages[i].Acl is { } acl ? ruleOf(acl).ToJson() : null;
        }

        root["decided_by"] = new JsonArray([.. DecidingAcls(decision).Select(s =>
        {
            var rule = ruleOf(s.Acl!).ToJson();
            rule.Insert(0, "stage", JsonValue.Create(AclText.Format(s.Stage) switch { "from-lport (after-lb)" => "from-lport-after-lb", var x => x }));
            rule.Insert(1, "acl", JsonValue.Create(s.Acl!.Row.Name));
            return (JsonNode?)rule;
        })]);
        root["passed_by"] = PassedJson(passedBy ?? PassedRules(decision, ruleOf));
        return root;
    }

    private static JsonArray PassedJson(IEnumerable<PassedRule> passed) => new([.. passed.Select(p =>
    {
        var rule = p.Rule.ToJson();
        rule.Insert(0, "stage", JsonValue.Create(AclText.Format(p.Stage)));
        return (JsonNode?)rule;
    })]);

    /// <summary>The decision as JSON, with <paramref name="diagnostics"/> and each deciding ACL's source rule from <paramref name="ruleOf"/>.</summary>
    public static string ToJson(AclDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf) =>
        ToJsonObject(decision, diagnostics, ruleOf).ToJsonString(OutputJson.Options);

    /// <summary>The live form's object plus <c>input</c> and <c>endpoints</c>.</summary>
    public static string ToJson(OfflineExplanation explanation, PolicyInputKind input)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var root = ToJsonObject(explanation.Decision, explanation.View.Diagnostics, explanation.RuleOf, explanation.PassedBy);
        root["input"] = input == PolicyInputKind.Kubernetes ? "kubernetes" : "neutron";
        root["endpoints"] = new JsonObject { ["from"] = EndpointJson(explanation.From), ["to"] = EndpointJson(explanation.To) };
        if (explanation.LoadBalancing is { } lb)
        {
            var ends = lb.Backends.ToDictionary(b => b.Backend, b => b.Endpoint);
            root["verdict"] = AclText.Format(lb.Decision.Verdict);
            root["load_balancer"] = LoadBalancingJson(lb.Decision, explanation.RuleOf, explanation.View.Diagnostics, b => EndpointJson(ends[b.Backend]));
        }
        else
        {
            root["load_balancer"] = null;
        }

        return root.ToJsonString(OutputJson.Options);
    }

    internal static JsonObject EndpointJson(OfflineEndpoint endpoint)
    {
        var json = new JsonObject
        {
            ["label"] = endpoint.Label,
            ["id"] = endpoint.Id,
            ["kind"] = endpoint.Kind switch { OfflineEndpointKind.Pod => "pod", OfflineEndpointKind.NeutronPort => "neutron-port", OfflineEndpointKind.ServiceVip => "vip", _ => "external" },
            ["port"] = endpoint.Port,
            ["switch"] = endpoint.Switch,
            ["type"] = endpoint.Type,
            ["mac"] = endpoint.Mac,
            ["ips"] = new JsonArray([.. endpoint.Ips.Select(ip => (JsonNode?)JsonValue.Create(ip.ToString()))]),
            ["addresses"] = new JsonArray([.. endpoint.Addresses.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["port_security"] = new JsonArray([.. endpoint.PortSecurity.Select(a => (JsonNode?)JsonValue.Create(a))]),
        };
        if (endpoint.Node is { } node)
        {
            json["node"] = node; // an outside end that is a Node's address
        }

        return json;
    }

    internal static string Describe(OfflineEndpoint endpoint) => endpoint.Kind switch
    {
        OfflineEndpointKind.Pod => $"pod {endpoint.Id}, {string.Join(' ', endpoint.Ips)}",
        OfflineEndpointKind.NeutronPort => $"Neutron port {endpoint}, {string.Join(' ', endpoint.Ips)}",
        OfflineEndpointKind.ServiceVip => $"VIP {endpoint.Label} of {endpoint.Id}, load balancer {endpoint.Port}, no backends",
        _ when endpoint.Node is { } node => $"router port standing for node {node}'s address {endpoint.Id} (traffic routed in or out)",
        _ => $"router port standing for {endpoint.Id} outside (traffic routed in or out)",
    };
}
