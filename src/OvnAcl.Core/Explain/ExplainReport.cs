using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OvnAcl.Acl;

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

    /// <summary>The decision as text, each deciding ACL followed by the policy rule <paramref name="ruleOf"/> says it comes from.</summary>
    public static string ToText(AclDecision decision, Func<AclView, AclRuleSource> ruleOf)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(ruleOf);
        var text = new StringBuilder(AclDecisionReport.ToText(decision));
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
        var text = new StringBuilder(ToText(explanation.Decision, explanation.RuleOf));
        foreach (var end in new[] { explanation.From, explanation.To })
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{end.Port}: {Describe(end)}");
        }

        return text.ToString();
    }

    /// <summary><see cref="AclDecisionReport.ToJson"/> plus <c>rule</c> in each stage and <c>decided_by</c> (docs/explain.md).</summary>
    public static JsonObject ToJsonObject(AclDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf)
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
        return root;
    }

    /// <summary>The decision as JSON, with <paramref name="diagnostics"/> and each deciding ACL's source rule from <paramref name="ruleOf"/>.</summary>
    public static string ToJson(AclDecision decision, IEnumerable<string>? diagnostics, Func<AclView, AclRuleSource> ruleOf) =>
        ToJsonObject(decision, diagnostics, ruleOf).ToJsonString(OutputJson.Options);

    /// <summary>The live form's object plus <c>input</c> and <c>endpoints</c>.</summary>
    public static string ToJson(OfflineExplanation explanation, PolicyInputKind input)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var root = ToJsonObject(explanation.Decision, explanation.View.Diagnostics, explanation.RuleOf);
        root["input"] = input == PolicyInputKind.Kubernetes ? "kubernetes" : "neutron";
        root["endpoints"] = new JsonObject { ["from"] = EndpointJson(explanation.From), ["to"] = EndpointJson(explanation.To) };
        return root.ToJsonString(OutputJson.Options);
    }

    internal static JsonObject EndpointJson(OfflineEndpoint endpoint)
    {
        var json = new JsonObject
        {
            ["label"] = endpoint.Label,
            ["id"] = endpoint.Id,
            ["kind"] = endpoint.Kind switch { OfflineEndpointKind.Pod => "pod", OfflineEndpointKind.NeutronPort => "neutron-port", _ => "external" },
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
        _ when endpoint.Node is { } node => $"router port standing for node {node}'s address {endpoint.Id} (traffic routed in or out)",
        _ => $"router port standing for {endpoint.Id} outside (traffic routed in or out)",
    };
}
