using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OvnAcl.Match;

namespace OvnAcl.Acl;

/// <summary>An <see cref="AclDecision"/> for people (<see cref="ToText"/>) and programs (<see cref="ToJson"/>, schema in docs/explain.md).</summary>
public static class AclDecisionReport
{
    /// <summary>The decision as the text <c>ovnacl explain</c> prints: the verdict, then each stage with its deciding ACL and why its match holds.</summary>
    public static string ToText(AclDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{AclText.Format(decision.Verdict)}: {DescribePacket(decision.Packet)}");
        if (decision.LoadBalancedPacket is { } dnat)
        {
            text.Append(CultureInfo.InvariantCulture, $", load-balanced to {(HasPorts(dnat) ? Endpoint(dnat.IpDst, dnat.L4Dst) : dnat.IpDst?.ToString())}");
        }

        text.Append(CultureInfo.InvariantCulture, $" from {decision.FromPort} to {decision.ToPort}");
        text.Append(decision.ToSwitch is { } toSwitch
            ? $" (switch {decision.Switch} through router {decision.Router} to switch {toSwitch})"
            : $" on switch {decision.Switch}");
        text.AppendLine(decision.Traffic == AclTraffic.Reply ? " (reply)" : " (new connection)");
        foreach (var stage in decision.Stages)
        {
            if (stage.Stage == AclStage.FromLportAfterLb && stage.Outcome is not AclStageOutcome.Acl and not AclStageOutcome.NoBackends and not AclStageOutcome.Hairpin && stage.Verdict == AclVerdict.Allow)
            {
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"  {(decision.ToSwitch is null ? "" : stage.Switch + " ")}{AclText.Format(stage.Stage)}: {AclText.Format(stage.Verdict)}");
            text.Append(stage.Outcome switch
            {
                AclStageOutcome.NoAcls => ", the switch has no ACLs",
                AclStageOutcome.CommittedReply => ", reply of a connection conntrack committed",
                AclStageOutcome.NoBackends => stage.Stage == AclStage.FromLportAfterLb ? ", the load balancer has no backend for the VIP" : "",
                AclStageOutcome.Hairpin => ", not evaluated: the backend is the client itself, and OVN sends such a connection back before the after-lb ACLs",
                AclStageOutcome.Default => stage.Verdict == AclVerdict.Deny ? ", no ACL allows it and NB_Global options:default_acl_drop=true" : ", no ACL matches (default allow)",
                _ => "",
            });
            text.AppendLine(stage.Reached ? "" : " (not reached: dropped earlier)");
            foreach (var passed in stage.Passed)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      passed on by {Describe(passed)}");
            }

            if (stage.Acl is { } acl)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      by {Describe(acl)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"      match: {acl.Row.Match}");
                if (stage.Explanation is { } why)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      why:   {why.DecisiveText} ({why.Reason})");
                }

                if (acl.Row.ExternalIds.Count > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      external_ids: {acl.Row.ExternalIds}");
                }

                foreach (var tied in stage.Tied)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      tied with {Describe(tied)}");
                }
            }
        }

        foreach (var warning in decision.Warnings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"warning: {warning}");
        }

        return text.ToString();
    }

    /// <summary>The decision as the JSON <c>ovnacl explain --json</c> prints, with <paramref name="diagnostics"/> (input problems) alongside.</summary>
    public static string ToJson(AclDecision decision, IEnumerable<string>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var packet = decision.Packet;
        var root = new JsonObject
        {
            ["verdict"] = AclText.Format(decision.Verdict),
            ["traffic"] = decision.Traffic == AclTraffic.Reply ? "reply" : "new",
            ["switch"] = decision.Switch,
            ["to_switch"] = decision.ToSwitch,
            ["router"] = decision.Router,
            ["from"] = decision.FromPort,
            ["to"] = decision.ToPort,
            ["packet"] = new JsonObject
            {
                ["protocol"] = ProtocolName(packet),
                ["eth_src"] = packet.EthSrc.ToString(),
                ["eth_dst"] = packet.EthDst.ToString(),
                ["ip_src"] = packet.IpSrc?.ToString(),
                ["ip_dst"] = packet.IpDst?.ToString(),
                ["src_port"] = HasPorts(packet) ? packet.L4Src : null,
                ["dst_port"] = HasPorts(packet) ? packet.L4Dst : null,
                ["icmp_type"] = HasPorts(packet) ? null : packet.IcmpType,
            },
            ["after_lb"] = decision.LoadBalancedPacket is { } dnat
                ? new JsonObject { ["ip_dst"] = dnat.IpDst?.ToString(), ["dst_port"] = HasPorts(dnat) ? dnat.L4Dst : null }
                : null,
            ["stateful"] = decision.Stateful,
            ["ambiguous"] = decision.IsAmbiguous,
            ["stages"] = new JsonArray([.. decision.Stages.Select(Stage)]),
            ["warnings"] = new JsonArray([.. decision.Warnings.Select(w => (JsonNode?)JsonValue.Create(w))]),
            ["diagnostics"] = new JsonArray([.. (diagnostics ?? []).Select(d => (JsonNode?)JsonValue.Create(d))]),
        };
        return root.ToJsonString(OutputJson.Options);
    }

    private static JsonObject Stage(AclStageResult stage) => new()
    {
        ["stage"] = AclText.Format(stage.Stage) switch { "from-lport (after-lb)" => "from-lport-after-lb", var s => s },
        ["switch"] = stage.Switch,
        ["verdict"] = AclText.Format(stage.Verdict),
        ["outcome"] = stage.Outcome switch
        {
            AclStageOutcome.Acl => "acl",
            AclStageOutcome.Default => "default",
            AclStageOutcome.NoAcls => "no-acls",
            AclStageOutcome.NoBackends => "no-backends",
            AclStageOutcome.Hairpin => "hairpin",
            _ => "committed-reply",
        },
        ["reached"] = stage.Reached,
        ["ct_state"] = CtText(stage.CtState),
        ["acl"] = stage.Acl is { } acl ? Acl(acl) : null,
        ["explanation"] = stage.Explanation is { } why
            ? new JsonObject
            {
                ["result"] = why.Result,
                ["decisive"] = why.DecisiveText,
                ["reason"] = why.Reason,
                ["path"] = new JsonArray([.. why.Path.Select(p => (JsonNode?)JsonValue.Create(MatchExpression.Print(p)))]),
            }
            : null,
        ["passed"] = new JsonArray([.. stage.Passed.Select(a => (JsonNode?)Acl(a))]),
        ["tied"] = new JsonArray([.. stage.Tied.Select(a => (JsonNode?)Acl(a))]),
        ["ambiguous"] = stage.IsAmbiguous,
    };

    private static JsonObject Acl(AclView acl) => new()
    {
        ["uuid"] = acl.Row.Uuid == Guid.Empty ? null : acl.Row.Uuid.ToString(),
        ["name"] = acl.Row.Name,
        ["owner"] = new JsonObject { ["kind"] = acl.Owner.Kind == AclOwnerKind.PortGroup ? "port-group" : "logical-switch", ["name"] = acl.Owner.Name },
        ["direction"] = AclText.Format(acl.Direction),
        ["priority"] = acl.Row.Priority,
        ["tier"] = acl.Row.Tier,
        ["action"] = AclText.Format(acl.Action),
        ["match"] = acl.Row.Match,
        ["log"] = acl.Row.Log,
        ["severity"] = acl.Row.Severity,
        ["external_ids"] = new JsonObject(acl.Row.ExternalIds.Select(e => new KeyValuePair<string, JsonNode?>(e.Key, e.Value))),
    };

    private static string Describe(AclView acl) =>
        $"{(acl.Row.Name is { } name ? $"ACL \"{name}\"" : "ACL")} ({acl.Owner}, {AclText.Format(acl.Direction)}, priority {acl.Row.Priority}{(acl.Row.Tier != 0 ? $", tier {acl.Row.Tier}" : "")}, {AclText.Format(acl.Action)}{(acl.Row.Uuid == Guid.Empty ? "" : $", {acl.Row.Uuid}")})";

    private static string DescribePacket(Packet packet) =>
        HasPorts(packet)
            ? $"{ProtocolName(packet)} {Endpoint(packet.IpSrc, packet.L4Src)} -> {Endpoint(packet.IpDst, packet.L4Dst)}"
            : $"{ProtocolName(packet)} {packet.IpSrc} -> {packet.IpDst}";

    private static string Endpoint(IPAddress? address, ushort port) =>
        address?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private static bool HasPorts(Packet packet) => packet.IpProto is Packet.ProtoTcp or Packet.ProtoUdp or Packet.ProtoSctp;

    private static string ProtocolName(Packet packet) => packet.IpProto switch
    {
        Packet.ProtoTcp => "tcp",
        Packet.ProtoUdp => "udp",
        Packet.ProtoSctp => "sctp",
        Packet.ProtoIcmp4 => "icmp4",
        Packet.ProtoIcmp6 => "icmp6",
        var other => other.ToString(CultureInfo.InvariantCulture),
    };

    private static string CtText(CtState state)
    {
        if (state == CtState.None)
        {
            return "";
        }

        var names = new List<string>();
        foreach (var (flag, name) in new[] { (CtState.New, "new"), (CtState.Established, "est"), (CtState.Related, "rel"), (CtState.Reply, "rpl"), (CtState.Invalid, "inv"), (CtState.Tracked, "trk") })
        {
            if (state.HasFlag(flag))
            {
                names.Add(name);
            }
        }

        return string.Join("|", names);
    }
}
