using System.Text.Json.Nodes;
using OvnAcl.Acl;
using OvnAcl.Collections;

namespace OvnAcl.Explain;

/// <summary>Which compiler wrote an ACL, read from its <c>external_ids</c>.</summary>
public enum AclRuleOrigin
{
    /// <summary>No external_ids a compiler of OvnAcl writes.</summary>
    Unknown,

    /// <summary>The Kubernetes compiler (<c>owner-controller</c>, <c>owner-type</c>, <c>owner</c>, …; docs/kubernetes.md).</summary>
    Kubernetes,

    /// <summary>Neutron's ML2/OVN translation (<c>neutron:security_group_rule_id</c>, or the <c>neutron_pg_drop</c> group).</summary>
    Neutron,
}

/// <summary>
/// The policy and rule an ACL was compiled from, read back from the ACL's <c>external_ids</c> and its port group's:
/// the same for compiled rows and for rows read from a live NB.
/// </summary>
public sealed record AclRuleSource
{
    /// <summary>Whether the ACL comes from a NetworkPolicy, a security group rule, or a default of the compiler.</summary>
    public required AclRuleOrigin Origin { get; init; }

    /// <summary>One line for people, e.g. <c>NetworkPolicy three-tier/db, ingress rule 0, ports entry 0</c>.</summary>
    public required string Summary { get; init; }

    /// <summary>Kubernetes: <c>owner-type</c> (<c>NetworkPolicy</c>, <c>Namespace</c>).</summary>
    public string? OwnerType { get; init; }

    /// <summary>Kubernetes: <c>owner</c>, the policy (<c>namespace/name</c>) or the namespace.</summary>
    public string? Owner { get; init; }

    /// <summary>Kubernetes: <c>Ingress</c> or <c>Egress</c>.</summary>
    public string? PolicyDirection { get; init; }

    /// <summary>Kubernetes: the index of the rule in the policy's <c>ingress</c>/<c>egress</c> list.</summary>
    public int? RuleIndex { get; init; }

    /// <summary>Kubernetes: the index of the entry in the rule's <c>ports</c>.</summary>
    public int? PortIndex { get; init; }

    /// <summary>Kubernetes: the number a named port resolved to.</summary>
    public int? PortNumber { get; init; }

    /// <summary>Kubernetes: <c>defaultDeny</c> or <c>arpAllow</c> for the namespace-wide ACLs.</summary>
    public string? Type { get; init; }

    /// <summary>Neutron: <c>neutron:security_group_rule_id</c>.</summary>
    public string? SecurityGroupRuleId { get; init; }

    /// <summary>Neutron: the group's id, from its port group's <c>neutron:security_group_id</c>.</summary>
    public string? SecurityGroupId { get; init; }

    /// <summary>Neutron: the group's name when the input gave it.</summary>
    public string? SecurityGroupName { get; init; }

    /// <summary>
    /// Reads <paramref name="acl"/>'s origin. <paramref name="portGroupExternalIds"/> are those of the port group owning
    /// it (null for a switch's ACL); <paramref name="securityGroupNames"/> maps Neutron group ids to names, when known.
    /// </summary>
    public static AclRuleSource Of(AclView acl, EquatableMap? portGroupExternalIds = null, IReadOnlyDictionary<string, string>? securityGroupNames = null)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var ids = acl.Row.ExternalIds;
        if (ids.Get("neutron:security_group_rule_id") is { } ruleId)
        {
            var groupId = portGroupExternalIds?.Get("neutron:security_group_id");
            var name = groupId is not null && securityGroupNames?.TryGetValue(groupId, out var n) == true && !string.IsNullOrEmpty(n) ? n : null;
            var group = groupId is null ? $"port group {acl.Owner.Name}" : name is null ? $"group {groupId}" : $"group {name} ({groupId})";
            return new AclRuleSource
            {
                Origin = AclRuleOrigin.Neutron,
                Summary = $"Neutron security group rule {ruleId} of {group}",
                SecurityGroupRuleId = ruleId,
                SecurityGroupId = groupId,
                SecurityGroupName = name,
            };
        }

        if (acl.Owner.Kind == AclOwnerKind.PortGroup && acl.Owner.Name == "neutron_pg_drop")
        {
            return new AclRuleSource
            {
                Origin = AclRuleOrigin.Neutron,
                Summary = "Neutron's neutron_pg_drop: a port with port security drops IP traffic no security group rule allows",
            };
        }

        if (ids.Get("owner-type") is not { } ownerType || ids.Get("owner") is not { } owner)
        {
            return new AclRuleSource { Origin = AclRuleOrigin.Unknown, Summary = "no rule recorded in external_ids" };
        }

        var direction = ids.Get("direction");
        var type = ids.Get("type");
        var ruleIndex = Number(ids, "rule-index");
        var portIndex = Number(ids, "port-index");
        var portNumber = Number(ids, "port-number");
        var way = direction?.ToLowerInvariant() ?? "?";
        var summary = (ownerType, type) switch
        {
            ("Namespace", "defaultDeny") => $"namespace {owner}'s {way} default deny: the pod is isolated for {way} and no NetworkPolicy rule allows this",
            ("Namespace", "arpAllow") => $"namespace {owner}'s {way} ARP/ND allowance",
            ("Node", "nodeAllow") => $"resident node {owner}, always allowed: traffic between a pod and its own node passes whatever the policies say ({way})",
            ("NetworkPolicy", _) => $"NetworkPolicy {owner}, {way} rule {ruleIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"
                + (portIndex is { } p ? $", ports entry {p}" : "")
                + (portNumber is { } number ? $" (named port = {number})" : ""),
            ("AdminNetworkPolicy" or "BaselineAdminNetworkPolicy" or "ClusterNetworkPolicy", _) =>
                $"{ownerType} {owner}" + (ids.Get("tier") is { } tier ? $" ({tier} tier)" : "")
                + $", {way} rule {ruleIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"
                + (ids.Get("rule-name") is { } ruleName ? $" '{ruleName}'" : "")
                + (ids.Get("port") is { } adminPort ? $", port {adminPort}" : ""),
            _ => $"{ownerType} {owner}",
        };
        return new AclRuleSource
        {
            Origin = AclRuleOrigin.Kubernetes,
            Summary = summary,
            OwnerType = ownerType,
            Owner = owner,
            PolicyDirection = direction,
            RuleIndex = ruleIndex,
            PortIndex = portIndex,
            PortNumber = portNumber,
            Type = type,
        };
    }

    /// <summary>The JSON object <c>ovnacl explain --json</c> prints as a stage's <c>rule</c> (docs/explain.md).</summary>
    public JsonObject ToJson() => new()
    {
        ["origin"] = Origin.ToString().ToLowerInvariant(),
        ["summary"] = Summary,
        ["owner_type"] = OwnerType,
        ["owner"] = Owner,
        ["policy_direction"] = PolicyDirection,
        ["rule_index"] = RuleIndex,
        ["port_index"] = PortIndex,
        ["port_number"] = PortNumber,
        ["type"] = Type,
        ["security_group_rule_id"] = SecurityGroupRuleId,
        ["security_group_id"] = SecurityGroupId,
        ["security_group_name"] = SecurityGroupName,
    };

    private static int? Number(EquatableMap ids, string key) =>
        ids.Get(key) is { } text && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
