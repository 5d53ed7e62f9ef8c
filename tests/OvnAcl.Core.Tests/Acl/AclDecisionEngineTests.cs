using System.Net;
using OvnAcl.Acl;
using OvnAcl.Match;

using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Acl;

public sealed class AclDecisionEngineTests
{
    private static readonly string[] PortNames = ["a", "b", "c"];

    private static LogicalSwitchPortRow Port(string name, int n) =>
        new(name) { Addresses = [$"0a:00:00:00:00:0{n} 10.0.0.{n} fd00::{n}"] };

    private static AclRow Acl(string direction, int priority, string match, string action, int tier = 0, string? name = null) => new()
    {
        Uuid = Guid.NewGuid(),
        Name = name,
        Direction = direction,
        Priority = priority,
        Match = match,
        Action = action,
        Tier = tier,
    };

    /// <summary>Switch <c>sw</c> with ports a, b, c (10.0.0.1-3); port group pg_a = {a}, pg_b = {b}.</summary>
    private static AclDecisionEngine Engine(AclRow[]? switchAcls = null, AclRow[]? pgA = null, AclRow[]? pgB = null, bool defaultDrop = false)
    {
        var rows = new NorthboundAclRows
        {
            Switches = [new LogicalSwitchRow("sw") { Ports = PortNames.Select((p, i) => Port(p, i + 1)).ToArray(), Acls = switchAcls ?? [] }],
            PortGroups =
            [
                new PortGroupRow { Name = "pg_a", Ports = ["a"], Acls = pgA ?? [] },
                new PortGroupRow { Name = "pg_b", Ports = ["b"], Acls = pgB ?? [] },
            ],
            AddressSets = [new AddressSetRow { Name = "as_net", Addresses = ["10.0.0.0/30"] }],
            DefaultAclDrop = defaultDrop,
        };
        var view = AclPolicyView.FromRows(rows);
        Assert.Empty(view.Diagnostics);
        return new AclDecisionEngine(view);
    }

    private static AclDecision Tcp(AclDecisionEngine engine, string from, string to, ushort port, AclTraffic traffic = AclTraffic.NewConnection) =>
        engine.Decide(from, to, AclPacketFactory.Create(engine.View, from, to, AclProtocol.Tcp, port), traffic);

    [Fact]
    public void A_switch_without_acls_passes_everything_even_with_default_acl_drop()
    {
        var decision = Tcp(Engine(defaultDrop: true), "a", "b", 80);
        Assert.Equal(AclVerdict.Allow, decision.Verdict);
        Assert.All(decision.Stages, s => Assert.Equal(AclStageOutcome.NoAcls, s.Outcome));
    }

    [Fact]
    public void The_highest_priority_matching_acl_decides()
    {
        var engine = Engine(switchAcls: [Acl("to-lport", 1000, "tcp", "allow"), Acl("to-lport", 2000, "tcp.dst == 22", "drop", name: "no-ssh")]);
        Assert.Equal(AclVerdict.Allow, Tcp(engine, "a", "b", 80).Verdict);
        var ssh = Tcp(engine, "a", "b", 22);
        Assert.Equal(AclVerdict.Deny, ssh.Verdict);
        var stage = ssh.DenyingStage!;
        Assert.Equal(AclStage.ToLport, stage.Stage);
        Assert.Equal("no-ssh", stage.Acl!.Row.Name);
        Assert.Equal(new AclOwner(AclOwnerKind.LogicalSwitch, "sw"), stage.Acl.Owner);
        Assert.True(stage.Explanation!.Result);
        Assert.Equal("tcp.dst == 22", stage.Explanation.DecisiveText);
    }

    [Fact]
    public void From_lport_acls_see_inport_and_a_deny_there_leaves_to_lport_unreached()
    {
        var engine = Engine(pgA: [Acl("from-lport", 1000, "inport == @pg_a && ip4", "drop")]);
        var fromA = Tcp(engine, "a", "b", 80);
        Assert.Equal(AclVerdict.Deny, fromA.Verdict);
        Assert.Equal(AclStage.FromLport, fromA.DenyingStage!.Stage);
        Assert.False(fromA.GetStage(AclStage.ToLport).Reached);
        Assert.Equal(AclVerdict.Allow, Tcp(engine, "b", "a", 80).Verdict);
    }

    [Fact]
    public void A_port_group_acl_applies_to_every_port_of_the_switch_its_match_selects_not_only_to_members()
    {
        // ovn-northd copies a port group's ACLs to each switch with a member, unchanged: without inport/outport in the
        // match, pg_a's ACL also drops traffic between b and c.
        var engine = Engine(pgA: [Acl("to-lport", 1000, "ip4.dst == 10.0.0.3", "drop")]);
        var decision = Tcp(engine, "b", "c", 80);
        Assert.Equal(AclVerdict.Deny, decision.Verdict);
        Assert.Equal(new AclOwner(AclOwnerKind.PortGroup, "pg_a"), decision.DenyingStage!.Acl!.Owner);
    }

    [Fact]
    public void Switch_and_port_group_acls_compete_by_priority()
    {
        var engine = Engine(
            switchAcls: [Acl("to-lport", 1500, "outport == \"b\" && tcp", "allow-related")],
            pgB: [Acl("to-lport", 1000, "outport == @pg_b && ip", "drop")]);
        var decision = Tcp(engine, "a", "b", 80);
        Assert.Equal(AclVerdict.Allow, decision.Verdict);
        Assert.Equal(AclOwnerKind.LogicalSwitch, decision.GetStage(AclStage.ToLport).Acl!.Owner.Kind);
        Assert.Equal(AclVerdict.Deny, engine.Decide("a", "b", AclPacketFactory.Create(engine.View, "a", "b", AclProtocol.Udp, 53)).Verdict);
    }

    [Fact]
    public void Default_acl_drop_denies_what_no_acl_allows_in_every_stage()
    {
        var engine = Engine(switchAcls: [Acl("to-lport", 1000, "tcp.dst == 80", "allow")], defaultDrop: true);
        var decision = Tcp(engine, "a", "b", 80);

        // OVN 23.03 puts the default drop in the after-lb stage too, which only apply-after-lb ACLs can pass.
        Assert.Equal(AclVerdict.Deny, decision.Verdict);
        Assert.Equal(AclStageOutcome.Default, decision.DenyingStage!.Outcome);
        Assert.Equal(AclStage.FromLport, decision.DenyingStage.Stage);

        var open = Engine(
            switchAcls:
            [
                Acl("from-lport", 1000, "ip", "allow"),
                Acl("from-lport", 1000, "ip", "allow") with { Options = new EquatableMap([new("apply-after-lb", "true")]) },
                Acl("to-lport", 1000, "tcp.dst == 80", "allow"),
            ],
            defaultDrop: true);
        Assert.Equal(AclVerdict.Allow, Tcp(open, "a", "b", 80).Verdict);
        var other = Tcp(open, "a", "b", 81);
        Assert.Equal(AclVerdict.Deny, other.Verdict);
        Assert.Equal(AclStage.ToLport, other.DenyingStage!.Stage);
    }

    [Fact]
    public void Reject_denies_and_allow_stateless_allows_without_conntrack()
    {
        var engine = Engine(switchAcls:
        [
            Acl("to-lport", 1000, "tcp.dst == 23", "reject"),
            Acl("to-lport", 1000, "tcp.dst == 80", "allow-stateless"),
            Acl("to-lport", 1000, "tcp.dst == 443", "allow-related"),
        ]);
        var telnet = Tcp(engine, "a", "b", 23);
        Assert.Equal(AclVerdict.Deny, telnet.Verdict);
        Assert.Equal(AclAction.Reject, telnet.DenyingStage!.Acl!.Action);
        var http = Tcp(engine, "a", "b", 80);
        Assert.True(http.Stateful);
        Assert.Equal(AclVerdict.Allow, http.Verdict);
        Assert.Equal(CtState.None, http.GetStage(AclStage.ToLport).CtState);
        Assert.Equal(CtState.New | CtState.Tracked, http.GetStage(AclStage.FromLport).CtState);
        Assert.Equal(CtState.New | CtState.Tracked, Tcp(engine, "a", "b", 443).GetStage(AclStage.ToLport).CtState);
    }

    [Fact]
    public void Without_allow_related_the_switch_does_not_track_and_ct_new_never_matches()
    {
        var engine = Engine(switchAcls: [Acl("to-lport", 1000, "ct.new && tcp", "drop")]);
        var decision = Tcp(engine, "a", "b", 80);
        Assert.False(decision.Stateful);
        Assert.Equal(AclVerdict.Allow, decision.Verdict);

        var stateful = Engine(switchAcls: [Acl("to-lport", 1000, "ct.new && tcp", "drop"), Acl("to-lport", 10, "udp", "allow-related")]);
        Assert.Equal(AclVerdict.Deny, Tcp(stateful, "a", "b", 80).Verdict);
    }

    [Fact]
    public void A_tie_with_different_verdicts_is_reported_as_ambiguous_and_decided_as_deny()
    {
        var engine = Engine(switchAcls: [Acl("to-lport", 1000, "tcp", "allow"), Acl("to-lport", 1000, "ip4", "drop")]);
        var decision = Tcp(engine, "a", "b", 80);
        Assert.True(decision.IsAmbiguous);
        Assert.Equal(AclVerdict.Deny, decision.Verdict);
        Assert.Single(decision.GetStage(AclStage.ToLport).Tied);
        Assert.Contains(decision.Warnings, w => w.Contains("tie at priority 1000", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tie_with_the_same_verdict_is_not_ambiguous()
    {
        var engine = Engine(switchAcls: [Acl("to-lport", 1000, "tcp", "allow"), Acl("to-lport", 1000, "ip4", "allow-related")]);
        var decision = Tcp(engine, "a", "b", 80);
        Assert.False(decision.IsAmbiguous);
        Assert.Empty(decision.Warnings);
        Assert.Single(decision.GetStage(AclStage.ToLport).Tied);
    }

    [Fact]
    public void Pass_hands_the_packet_to_the_next_tier()
    {
        var engine = Engine(switchAcls:
        [
            Acl("to-lport", 100, "tcp", "pass", tier: 0, name: "admin-pass"),
            Acl("to-lport", 5000, "tcp.dst == 80", "drop", tier: 1),
            Acl("to-lport", 1, "ip", "drop", tier: 0),
        ]);
        var http = Tcp(engine, "a", "b", 80);
        Assert.Equal(AclVerdict.Deny, http.Verdict);
        Assert.Equal(1, http.DenyingStage!.Acl!.Row.Tier);
        Assert.Equal("admin-pass", Assert.Single(http.DenyingStage.Passed).Row.Name);

        var other = Tcp(engine, "a", "b", 81);
        Assert.Equal(AclVerdict.Allow, other.Verdict);
        Assert.Equal(AclStageOutcome.Default, other.GetStage(AclStage.ToLport).Outcome);
    }

    [Fact]
    public void Pg_ip4_and_ip6_sets_come_from_addresses_and_dynamic_addresses_not_port_security()
    {
        var rows = new NorthboundAclRows
        {
            Switches =
            [
                new LogicalSwitchRow("sw")
                {
                    Ports =
                    [
                        new LogicalSwitchPortRow("x") { Addresses = ["0a:00:00:00:00:01 10.0.0.1 fd00::1", "unknown"], PortSecurity = ["0a:00:00:00:00:01 10.9.9.9"] },
                        new LogicalSwitchPortRow("y") { Addresses = ["dynamic"], DynamicAddresses = "0a:00:00:00:00:02 10.0.0.2" },
                        new LogicalSwitchPortRow("r") { Addresses = ["router"], Type = "router" },
                    ],
                },
            ],
            PortGroups = [new PortGroupRow { Name = "pg", Ports = ["x", "y", "r"] }],
        };
        var view = AclPolicyView.FromRows(rows);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], view.AddressSets["pg_ip4"]);
        Assert.Equal(["fd00::1"], view.AddressSets["pg_ip6"]);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), Assert.Single(view.Ports["y"].Ipv4));
        Assert.True(view.Ports["r"].Macs.IsEmpty);
    }

    [Fact]
    public void An_acl_naming_an_unknown_address_set_or_a_port_group_absent_from_the_switch_never_applies()
    {
        var rows = new NorthboundAclRows
        {
            Switches =
            [
                new LogicalSwitchRow("sw") { Ports = [Port("a", 1), Port("b", 2)] },
                new LogicalSwitchRow("other") { Ports = [Port("z", 9)] },
            ],
            PortGroups =
            [
                new PortGroupRow { Name = "pg_a", Ports = ["a"], Acls = [Acl("to-lport", 1000, "ip4.src == $nope", "drop")] },
                new PortGroupRow { Name = "pg_z", Ports = ["z"], Acls = [Acl("to-lport", 1000, "outport == @pg_z || ip4", "drop")] },
                new PortGroupRow { Name = "pg_both", Ports = ["a", "z"], Acls = [Acl("to-lport", 900, "inport == @pg_z || ip4.dst == 10.0.0.2", "drop")] },
            ],
        };
        var engine = new AclDecisionEngine(AclPolicyView.FromRows(rows));
        var decision = Tcp(engine, "a", "b", 80);
        Assert.Equal(AclVerdict.Allow, decision.Verdict);
        Assert.Contains(decision.Warnings, w => w.Contains("$nope does not exist", StringComparison.Ordinal));
        Assert.Contains(decision.Warnings, w => w.Contains("@pg_z has no port on this switch", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_match_is_a_diagnostic_and_the_acl_is_ignored()
    {
        var rows = new NorthboundAclRows
        {
            Switches = [new LogicalSwitchRow("sw") { Ports = [Port("a", 1), Port("b", 2)], Acls = [Acl("to-lport", 1000, "tcp.dst == 70000", "drop")] }],
        };
        var view = AclPolicyView.FromRows(rows);
        Assert.Contains(view.Diagnostics, d => d.Contains("OVNM0102", StringComparison.Ordinal));
        var decision = new AclDecisionEngine(view).Decide("a", "b", AclPacketFactory.Create(view, "a", "b", AclProtocol.Tcp, 80));
        Assert.Equal(AclVerdict.Allow, decision.Verdict);
        Assert.NotEmpty(decision.Warnings);
    }

    [Fact]
    public void A_reply_of_a_committed_connection_passes_on_a_stateful_switch_only()
    {
        AclRow[] acls =
        [
            Acl("to-lport", 1000, "outport == @pg_b && tcp.dst == 5432", "allow-related"),
            Acl("to-lport", 900, "ip", "drop"),
        ];
        var engine = Engine(switchAcls: acls);
        Assert.Equal(AclVerdict.Allow, Tcp(engine, "a", "b", 5432).Verdict);
        var reply = Packet.Tcp4("10.0.0.2", "10.0.0.1", 5432, AclPacketFactory.DefaultSourcePort) with
        {
            EthSrc = MacAddress.Parse("0a:00:00:00:00:02"),
            EthDst = MacAddress.Parse("0a:00:00:00:00:01"),
        };
        var answered = engine.Decide("b", "a", reply, AclTraffic.Reply);
        Assert.Equal(AclVerdict.Allow, answered.Verdict);
        Assert.All(answered.Stages, s => Assert.Equal(AclStageOutcome.CommittedReply, s.Outcome));

        // The same reply as a new connection is dropped, and so is a reply on a switch without conntrack.
        Assert.Equal(AclVerdict.Deny, engine.Decide("b", "a", reply).Verdict);
        var stateless = Engine(switchAcls: [acls[0] with { Action = "allow" }, acls[1]]);
        Assert.Equal(AclVerdict.Deny, stateless.Decide("b", "a", reply, AclTraffic.Reply).Verdict);
    }

    [Fact]
    public void The_three_tier_policy_lets_only_business_logic_reach_the_database()
    {
        var engine = new AclDecisionEngine(AclPolicyView.FromRows(ThreeTier.Rows()));
        Assert.Empty(engine.View.Diagnostics);
        var webToDb = Tcp(engine, "web1", "db1", 5432);
        Assert.Equal(AclVerdict.Deny, webToDb.Verdict);
        Assert.Equal("db-default-drop", webToDb.DenyingStage!.Acl!.Row.Name);
        Assert.Equal("ip4.src == $pg_bl_ip4", MatchExplanationOf(engine, "web1", "db1"));

        var blToDb = Tcp(engine, "bl1", "db1", 5432);
        Assert.Equal(AclVerdict.Allow, blToDb.Verdict);
        Assert.Equal("db-from-bl", blToDb.GetStage(AclStage.ToLport).Acl!.Row.Name);

        Assert.Equal(AclVerdict.Deny, Tcp(engine, "bl1", "db1", 22).Verdict);
        Assert.Equal(AclVerdict.Allow, Tcp(engine, "web2", "bl1", 8080).Verdict);
        Assert.Equal(AclVerdict.Deny, Tcp(engine, "db1", "bl1", 8080).Verdict);
        Assert.Equal(AclVerdict.Allow, Tcp(engine, "db1", "web1", 80).Verdict);
        Assert.Equal(AclVerdict.Deny, engine.Decide("bl1", "db1", AclPacketFactory.Create(engine.View, "bl1", "db1", AclProtocol.Icmp, null)).Verdict);
    }

    // Why db-from-bl does not let web1 in: the first false conjunct of its match.
    private static string MatchExplanationOf(AclDecisionEngine engine, string from, string to)
    {
        var acl = engine.View.Acls.Single(a => a.Row.Name == "db-from-bl");
        var packet = AclPacketFactory.Create(engine.View, from, to, AclProtocol.Tcp, 5432) with { Inport = from, Outport = to };
        var explanation = new MatchEvaluator(engine.View.MatchContextFor(ThreeTier.Switch)).Explain(acl.Match!, packet);
        Assert.False(explanation.Result);
        return explanation.DecisiveText;
    }

    [Fact]
    public void Packets_are_built_from_the_ports_first_addresses_and_bad_questions_fail_clearly()
    {
        var view = AclPolicyView.FromRows(new NorthboundAclRows
        {
            Switches = [new LogicalSwitchRow("sw") { Ports = [Port("a", 1), Port("b", 2), new LogicalSwitchPortRow("bare")] }],
        });
        var v6 = AclPacketFactory.Create(view, "a", "b", AclProtocol.Udp, 53, ipv6: true);
        Assert.Equal(IPAddress.Parse("fd00::1"), v6.IpSrc);
        Assert.Equal(Packet.EthTypeIpv6, v6.EthType);
        Assert.Equal((ushort)53, v6.L4Dst);
        Assert.Contains("no logical switch port 'nope'", Assert.Throws<AclPolicyException>(() => AclPacketFactory.Create(view, "nope", "b", AclProtocol.Tcp, 80)).Message, StringComparison.Ordinal);
        Assert.Contains("has no MAC", Assert.Throws<AclPolicyException>(() => AclPacketFactory.Create(view, "a", "bare", AclProtocol.Tcp, 80)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AclPacketFactory.Create(view, "a", "b", AclProtocol.Tcp, null));
        Assert.Throws<ArgumentException>(() => AclPacketFactory.Create(view, "a", "b", AclProtocol.Icmp, 7));
        Assert.Throws<ArgumentException>(() => AclPacketFactory.ParseProtocol("gre"));
    }

    [Fact]
    public void Rows_compare_by_content()
    {
        Assert.Equal(ThreeTier.Rows(), ThreeTier.Rows());
        Assert.NotEqual(ThreeTier.Rows(), ThreeTier.Rows() with { DefaultAclDrop = true });
        Assert.Equal(new EquatableMap([new("a", "1"), new("b", "2")]), new EquatableMap([new("b", "2"), new("a", "1")]));
    }
}
