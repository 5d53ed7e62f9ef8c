using OvnAcl.Collections;
using OvnAcl.Neutron;
using static OvnAcl.Core.Tests.Neutron.NeutronTestInput;

namespace OvnAcl.Core.Tests.Neutron;

public sealed class NeutronTranslatorTests
{
    private const string WebPg = "pg_7e6b0000_0000_4000_8000_000000000001";
    private const string DbPg = "pg_db000000_0000_4000_8000_000000000003";

    [Fact]
    public void Port_groups_hold_their_ports_and_the_drop_group_every_port_with_port_security()
    {
        var result = NeutronTranslator.Translate(Input(
            [Group(Web, Rule("r1")), Group(Db, Rule("r2"))],
            [
                Port("p-both", true, "compute:nova", Web, Db),
                Port("p-web", true, "compute:nova", Web),
                Port("p-none", true, "compute:nova"),
                Port("p-nosec", false, "compute:nova"),
                Port("p-router", true, "network:router_interface", Web),
            ]));

        Assert.Equal(["p-both", "p-web"], result.PortGroup(WebPg).Ports);
        Assert.Equal(["p-both"], result.PortGroup(DbPg).Ports);
        // No groups but port security on: dropped by default. Port security off, or trusted: in no group.
        Assert.Equal(["p-both", "p-none", "p-web"], result.PortGroup("neutron_pg_drop").Ports);
        Assert.Equal(new EquatableMap([new("neutron:security_group_id", Web)]), result.PortGroup(WebPg).ExternalIds);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void The_drop_group_is_always_there_with_its_two_drop_acls()
    {
        var rows = NeutronTranslator.Translate(NeutronInput.Empty).GetRowsOrThrow();

        var drop = Assert.Single(rows.PortGroups);
        Assert.Equal("neutron_pg_drop", drop.Name);
        Assert.Empty(drop.ExternalIds);
        Assert.Collection(drop.Acls,
            a => Assert.Equal(("from-lport", 1001, "inport == @neutron_pg_drop && ip", "drop", false, 0), (a.Direction, a.Priority, a.Match, a.Action, a.Log, a.ExternalIds.Count)),
            a => Assert.Equal(("to-lport", 1001, "outport == @neutron_pg_drop && ip", "drop", false, 0), (a.Direction, a.Priority, a.Match, a.Action, a.Log, a.ExternalIds.Count)));
    }

    [Fact]
    public void A_port_without_port_security_field_is_left_out_of_the_drop_group_with_a_warning()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web)], [Port("p1", null, "compute:nova", Web)]));

        Assert.Equal(["p1"], result.PortGroup(WebPg).Ports);
        Assert.Empty(result.PortGroup("neutron_pg_drop").Ports);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((NeutronDiagnosticCodes.PortSecurityUnknown, DiagnosticSeverity.Warning, "p1"), (warning.Code, warning.Severity, warning.Location.ObjectId));
    }

    [Theory]
    [InlineData("ingress", "IPv4", "tcp", 22, 22, null, "to-lport", "outport == @PG && ip4 && tcp && tcp.dst == 22")]
    [InlineData("egress", "IPv6", "udp", 1000, 2000, "2001:DB8::5/64", "from-lport", "inport == @PG && ip6 && ip6.dst == 2001:db8::/64 && udp && udp.dst >= 1000 && udp.dst <= 2000")]
    [InlineData("ingress", "IPv4", "tcp", 1, 65535, null, "to-lport", "outport == @PG && ip4 && tcp")]
    [InlineData("ingress", "IPv4", "icmp", 8, null, "10.1.2.3/8", "to-lport", "outport == @PG && ip4 && ip4.src == 10.0.0.0/8 && icmp4 && icmp4.type == 8")]
    [InlineData("ingress", "IPv6", "icmp", 128, 0, null, "to-lport", "outport == @PG && ip6 && icmp6 && icmp6.type == 128 && icmp6.code == 0")]
    [InlineData("ingress", "IPv6", "1", null, null, null, "to-lport", "outport == @PG && ip6 && icmp6")]
    [InlineData("egress", "IPv6", "icmpv6", null, null, null, "from-lport", "inport == @PG && ip6 && icmp6")]
    [InlineData("ingress", "IPv4", "112", null, null, null, "to-lport", "outport == @PG && ip4 && ip.proto == 112")]
    [InlineData("ingress", "ipv4", "GRE", null, null, "0.0.0.0/0", "to-lport", "outport == @PG && ip4 && ip4.src == 0.0.0.0/0 && ip.proto == 47")]
    [InlineData("ingress", "IPv4", "sctp", 5000, 5000, null, "to-lport", "outport == @PG && ip4 && sctp && sctp.dst == 5000")]
    [InlineData("egress", "IPv4", null, null, null, null, "from-lport", "inport == @PG && ip4")]
    public void One_acl_per_rule_with_neutrons_match(string direction, string ethertype, string? protocol, int? min, int? max, string? prefix, string aclDirection, string match)
    {
        var result = NeutronTranslator.Translate(Input([Group(Web, Rule("r1", direction, ethertype, protocol, min, max, prefix))]));

        var acl = Assert.Single(result.PortGroup(WebPg).Acls);
        Assert.Equal(aclDirection, acl.Direction);
        Assert.Equal(match.Replace("PG", WebPg, StringComparison.Ordinal), acl.Match);
        Assert.Equal((1002, "allow-related", false, null, null, null), (acl.Priority, acl.Action, acl.Log, acl.Name, acl.Severity, acl.Meter));
        Assert.Equal(new EquatableMap([new("neutron:security_group_rule_id", "r1")]), acl.ExternalIds);
    }

    [Fact]
    public void Remote_groups_match_the_address_set_ovn_derives_from_the_port_group()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web), Group(Db, Rule("r1", protocol: "tcp", min: 5432, max: 5432, remoteGroup: Web))]));

        Assert.Equal(
            $"outport == @{DbPg} && ip4 && ip4.src == ${WebPg}_ip4 && tcp && tcp.dst == 5432",
            Assert.Single(result.PortGroup(DbPg).Acls).Match);
    }

    [Theory]
    [InlineData(true, true, "allow-related")]
    [InlineData(false, true, "allow-stateless")]
    [InlineData(false, false, "allow-related")]
    public void Stateless_groups_allow_stateless_when_the_nb_supports_it(bool stateful, bool supported, string action)
    {
        var input = Input([Group(Web, Rule("r1")) with { Stateful = stateful }]);

        var result = NeutronTranslator.Translate(input, NeutronTranslationOptions.Default with { StatelessSupported = supported });

        Assert.Equal(action, Assert.Single(result.PortGroup(WebPg).Acls).Action);
    }

    [Fact]
    public void Rules_giving_the_same_acl_are_written_once_with_the_first_rules_id()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web,
            Rule("r1", protocol: "tcp", min: 80, max: 80, prefix: "10.0.0.0/24"),
            Rule("r2", protocol: "6", min: 80, max: 80, prefix: "10.0.0.9/24"))]));

        var acl = Assert.Single(result.PortGroup(WebPg).Acls);
        Assert.Equal("r1", acl.ExternalIds["neutron:security_group_rule_id"]);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((NeutronDiagnosticCodes.DuplicateAcl, "r2"), (warning.Code, warning.Location.ObjectId));
    }

    [Fact]
    public void Dccp_ports_are_dropped_from_the_match_as_neutron_does_with_a_warning()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web, Rule("r1", protocol: "dccp", min: 5000, max: 5001))]));

        Assert.Equal($"outport == @{WebPg} && ip4 && ip.proto == 33", Assert.Single(result.PortGroup(WebPg).Acls).Match);
        Assert.Equal(NeutronDiagnosticCodes.PortsIgnoredForProtocol, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Address_groups_become_two_address_sets_and_a_remote_clause()
    {
        const string ag = "0ff1ce00-0000-4000-8000-00000000000b";
        var input = Input(
            [Group(Web, Rule("r1", protocol: "tcp", min: 22, max: 22, remoteAddressGroup: ag), Rule("r2", "egress", "IPv6", remoteAddressGroup: ag))],
            addressGroups: [new NeutronAddressGroup { Id = ag, Addresses = EquatableArray.Create("198.51.100.200/32", "2001:DB8:FF::/48", "198.51.100.0/26") }]);

        var rows = NeutronTranslator.Translate(input).GetRowsOrThrow();

        Assert.Equal(
            [$"outport == @{WebPg} && ip4 && ip4.src == $ag_0ff1ce00_0000_4000_8000_00000000000b_ip4 && tcp && tcp.dst == 22",
             $"inport == @{WebPg} && ip6 && ip6.dst == $ag_0ff1ce00_0000_4000_8000_00000000000b_ip6"],
            rows.PortGroups.Single(p => p.Name == WebPg).Acls.Select(a => a.Match));
        Assert.Collection(rows.AddressSets,
            s => Assert.Equal(("ag_0ff1ce00_0000_4000_8000_00000000000b_ip4", "198.51.100.0/26 198.51.100.200/32"), (s.Name, string.Join(" ", s.Addresses))),
            s => Assert.Equal(("ag_0ff1ce00_0000_4000_8000_00000000000b_ip6", "2001:db8:ff::/48"), (s.Name, string.Join(" ", s.Addresses))));
        Assert.All(rows.AddressSets, s => Assert.Equal(ag, s.ExternalIds["neutron:address_group_id"]));
    }

    [Fact]
    public void Address_groups_ignored_as_zed_does_leave_the_remote_open_and_warn()
    {
        const string ag = "0ff1ce00-0000-4000-8000-00000000000b";
        var input = Input([Group(Web, Rule("r1", protocol: "tcp", min: 22, max: 22, remoteAddressGroup: ag))],
            addressGroups: [new NeutronAddressGroup { Id = ag, Addresses = EquatableArray.Create("198.51.100.0/26") }]);

        var result = NeutronTranslator.Translate(input, NeutronTranslationOptions.Default with { RemoteAddressGroups = NeutronRemoteAddressGroupHandling.Ignore });

        Assert.Equal($"outport == @{WebPg} && ip4 && tcp && tcp.dst == 22", Assert.Single(result.PortGroup(WebPg).Acls).Match);
        Assert.Empty(result.Rows!.AddressSets);
        Assert.Equal(NeutronDiagnosticCodes.RemoteAddressGroupIgnored, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Address_group_entries_are_checked()
    {
        var input = Input([], addressGroups: [new NeutronAddressGroup { Id = "ag1", Addresses = EquatableArray.Create("10.0.0.0/8", "10.0.0.1", "banana", "10.0.0.1/8"), SourceFile = "ag.json" }]);

        var result = NeutronTranslator.Translate(input);

        Assert.False(result.Succeeded);
        Assert.Equal(
            [(NeutronDiagnosticCodes.InvalidAddress, "'10.0.0.1' isn't a recognized IP subnet cidr, '10.0.0.1/32' is recommended"),
             (NeutronDiagnosticCodes.InvalidAddress, "'banana' is not a valid IP subnet"),
             (NeutronDiagnosticCodes.AddressHostBits, "10.0.0.1/8 has host bits set; OVN refuses such an address set entry (the network is 10.0.0.0/8)")],
            result.Diagnostics.Select(d => (d.Code, d.Message)));
        Assert.All(result.Diagnostics, d => Assert.Equal(new NeutronLocation("ag.json", "address_group", "ag1", "addresses"), d.Location));
    }
}
