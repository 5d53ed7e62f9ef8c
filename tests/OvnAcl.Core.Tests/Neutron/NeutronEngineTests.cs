using OvnAcl.Collections;
using OvnAcl.Neutron;
using OvnAcl.Reconciliation;
using static OvnAcl.Core.Tests.Neutron.NeutronTestInput;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>The engine's refusals (Neutron's errors, nothing changed) and what each kind of event touches.</summary>
public sealed class NeutronEngineTests
{
    private const string Controller = "neutron-test";
    private const string Ag = "a9000000-0000-4000-8000-000000000009";
    private const string Vm = "port-vm";

    private readonly DesiredState _desired = new(Controller);
    private readonly NeutronEngine _engine;

    public NeutronEngineTests()
    {
        _engine = new NeutronEngine(_desired);
        _engine.UpsertAddressGroup(new NeutronAddressGroup { Id = Ag, Addresses = ["10.1.0.0/16", "2001:db8::/64"] });
        _engine.UpsertSecurityGroup(Group(Db, Rule("r-ag", remoteAddressGroup: Ag)));
        _engine.UpsertSecurityGroup(Group(Web, Rule("r-http", protocol: "tcp", min: 80, max: 80), Rule("r-db", remoteGroup: Db)));
        _engine.UpsertPort(Port(Vm, groups: [Web]));
        _desired.DrainChanges();
    }

    private static AclCompileException Refused(Action action) => Assert.Throws<AclCompileException>(action);

    /// <summary>The refused event left the store as it was, with nothing for the reconciler to do.</summary>
    private void AssertUnchanged(Action refused, string code, string message)
    {
        var before = _desired.Snapshot();
        var inputBefore = _engine.CurrentInput;
        var error = Assert.Single(Refused(refused).Diagnostics, d => d.IsError);
        Assert.Equal((code, message), (error.Code, error.Message));
        Assert.Equal(before, _desired.Snapshot());
        Assert.False(_desired.HasPendingChanges);
        Assert.Equal(inputBefore, _engine.CurrentInput);
        AssertEqualsTranslation();
    }

    private void AssertEqualsTranslation() =>
        Assert.Equal(NeutronEngineModel.Stamp(NeutronTranslator.Translate(_engine.CurrentInput).GetRowsOrThrow(), Controller), _desired.Snapshot());

    [Fact]
    public void A_rule_neutron_refuses_throws_its_error_and_changes_nothing() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroupRule(Web, Rule("r-bad", protocol: "tcp", min: 90, max: 80)),
            NeutronDiagnosticCodes.InvalidPortRange, "For TCP/UDP protocols, port_range_min must be <= port_range_max");

    [Fact]
    public void A_group_upsert_with_one_bad_rule_keeps_the_old_group_whole() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroup(Group(Web, Rule("r-ssh", protocol: "tcp", min: 22, max: 22), Rule("r-x", remoteGroup: "no-such-group"))),
            NeutronDiagnosticCodes.RemoteGroupNotFound, "Security group no-such-group does not exist");

    [Fact]
    public void The_same_rule_twice_is_neutrons_rule_exists() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroupRule(Web, Rule("r-http-again", protocol: "tcp", min: 80, max: 80)),
            NeutronDiagnosticCodes.DuplicateRule, "Security group rule already exists. Rule id is r-http.");

    [Fact]
    public void A_rule_id_held_by_another_group_is_refused() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroupRule(Db, Rule("r-http", protocol: "udp", min: 53, max: 53)),
            NeutronDiagnosticCodes.DuplicateId, "security_group_rule r-http appears more than once (first at groups.json: security_group_rule r-http (security_group 7e6b0000-0000-4000-8000-000000000001))");

    [Fact]
    public void A_port_naming_an_unknown_group_is_refused() =>
        AssertUnchanged(() => _engine.UpsertPort(Port("port-2", groups: ["no-such-group"])),
            NeutronDiagnosticCodes.PortSecurityGroupNotFound, "Security group no-such-group does not exist");

    [Fact]
    public void Groups_on_a_port_without_port_security_are_refused() =>
        AssertUnchanged(() => _engine.UpsertPort(Port(Vm, portSecurity: false, groups: [Web])),
            NeutronDiagnosticCodes.PortSecurityDisabledWithGroups, "Port security must be enabled and port must have an IP address in order to use security groups.");

    [Fact]
    public void Deleting_a_group_a_port_names_is_refused() =>
        AssertUnchanged(() => _engine.DeleteSecurityGroup(Web), NeutronDiagnosticCodes.SecurityGroupInUse, $"Security Group {Web} in use.");

    [Fact]
    public void Deleting_a_remote_group_of_another_groups_rule_is_refused() =>
        AssertUnchanged(() => _engine.DeleteSecurityGroup(Db), NeutronDiagnosticCodes.SecurityGroupInUse,
            $"Security Group {Db} in use as remote_group_id of security group rule r-db.");

    [Fact]
    public void Deleting_an_address_group_a_rule_names_is_refused() =>
        AssertUnchanged(() => _engine.DeleteAddressGroup(Ag), NeutronDiagnosticCodes.AddressGroupInUse,
            $"Address group {Ag} is in use on one or more security group rules.");

    [Fact]
    public void Changing_stateful_under_bound_ports_is_refused_as_neutron_does() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroup(Group(Web) with { Stateful = false }), NeutronDiagnosticCodes.SecurityGroupInUse, $"Security Group {Web} in use.");

    [Fact]
    public void A_group_without_a_boolean_stateful_is_refused() =>
        AssertUnchanged(() => _engine.UpsertSecurityGroup(Group("sg-new") with { Stateful = null }), NeutronDiagnosticCodes.InvalidStateful, "'None' is not a valid boolean value");

    [Theory]
    [InlineData("group")]
    [InlineData("rule")]
    [InlineData("port")]
    [InlineData("address group")]
    public void Deleting_what_does_not_exist_is_neutrons_not_found(string kind)
    {
        (Action delete, string message) = kind switch
        {
            "group" => ((Action)(() => _engine.DeleteSecurityGroup("x")), "Security group x does not exist"),
            "rule" => (() => _engine.DeleteSecurityGroupRule("x"), "Security group rule x does not exist"),
            "port" => (() => _engine.DeletePort("x"), "Port x could not be found."),
            _ => (() => _engine.DeleteAddressGroup("x"), "Address group x could not be found."),
        };
        AssertUnchanged(delete, NeutronDiagnosticCodes.NotFound, message);
    }

    [Fact]
    public void An_address_group_update_changes_only_its_members()
    {
        _engine.UpsertAddressGroup(new NeutronAddressGroup { Id = Ag, Addresses = ["10.1.0.0/16", "10.2.0.0/16", "2001:db8:1::/64"] });

        var changes = _desired.DrainChanges().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                new DesiredRowChange(DesiredRowKind.AddressSet, "ag_a9000000_0000_4000_8000_000000000009_ip4", false, EquatableArray.Create("10.2.0.0/16")),
                new DesiredRowChange(DesiredRowKind.AddressSet, "ag_a9000000_0000_4000_8000_000000000009_ip6", false, EquatableArray.Create("2001:db8:1::/64", "2001:db8::/64")),
            ],
            changes.Select(c => c with { TouchedMembers = c.TouchedMembers.Order(StringComparer.Ordinal).ToEquatableArray() }));
        AssertEqualsTranslation();
    }

    [Fact]
    public void A_port_event_touches_only_memberships()
    {
        _engine.UpsertPort(Port(Vm, groups: [Db]));
        _engine.UpsertPort(Port("port-dhcp", deviceOwner: "network:dhcp", groups: [Web]));
        _engine.UpsertPort(Port("port-open", portSecurity: null));

        var changes = _desired.DrainChanges().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        Assert.All(changes, c => Assert.False(c.Shape));
        Assert.Equal(["pg_7e6b0000_0000_4000_8000_000000000001", "pg_db000000_0000_4000_8000_000000000003"], changes.Select(c => c.Name));
        Assert.Equal([Vm], _desired.GetMembers(DesiredRowKind.PortGroup, "pg_db000000_0000_4000_8000_000000000003"));
        Assert.Equal([Vm], _desired.GetMembers(DesiredRowKind.PortGroup, "neutron_pg_drop"));
        AssertEqualsTranslation();

        _engine.DeletePort(Vm);
        Assert.Empty(_desired.GetMembers(DesiredRowKind.PortGroup, "neutron_pg_drop"));
        AssertEqualsTranslation();
    }

    [Fact]
    public void A_rule_event_reshapes_only_its_group_and_warns_of_a_collapsed_acl_as_the_translator_does()
    {
        _engine.UpsertSecurityGroupRule(Web, Rule("r-net", prefix: "10.0.0.0/24"));
        var warnings = _engine.UpsertSecurityGroupRule(Web, Rule("r-net-host", prefix: "10.0.0.9/24"));

        var translated = NeutronTranslator.Translate(_engine.CurrentInput);
        Assert.Equal(
            translated.Diagnostics.Where(d => d.Code == NeutronDiagnosticCodes.DuplicateAcl),
            warnings.Where(d => d.Code == NeutronDiagnosticCodes.DuplicateAcl));
        Assert.Contains(warnings, d => d.Code == NeutronDiagnosticCodes.DuplicateAcl && d.Location.ObjectId == "r-net-host");
        var change = Assert.Single(_desired.DrainChanges());
        Assert.Equal((DesiredRowKind.PortGroup, NeutronNames.PortGroup(Web), true), (change.Kind, change.Name, change.Shape));
        AssertEqualsTranslation();

        // The kept rule goes: the skipped one's ACL now appears, with its own id.
        _engine.DeleteSecurityGroupRule("r-net");
        Assert.True(_desired.TryGetPortGroup(NeutronNames.PortGroup(Web), out var portGroup));
        Assert.Contains(portGroup.Acls, a => a.ExternalIds.Get(NeutronNames.SecurityGroupRuleIdKey) == "r-net-host");
        AssertEqualsTranslation();
    }

    [Fact]
    public void Load_seeds_everything_and_an_invalid_input_changes_nothing()
    {
        var input = Input(
            [Group(Web, Rule("r-1", protocol: "icmp")), Group(Db)],
            [Port("p-1", groups: [Web]), Port("p-2", groups: [Db, Web])]);
        _engine.Load(input);
        Assert.Equal(NeutronEngineModel.Stamp(NeutronTranslator.Translate(input).GetRowsOrThrow(), Controller), _desired.Snapshot());
        AssertEqualsTranslation();

        _desired.DrainChanges();
        var before = _desired.Snapshot();
        var error = Assert.Single(Refused(() => _engine.Load(Input([Group(Web)], [Port("p-1", groups: [Db])]))).Diagnostics);
        Assert.Equal(NeutronDiagnosticCodes.PortSecurityGroupNotFound, error.Code);
        Assert.Equal(before, _desired.Snapshot());
        Assert.False(_desired.HasPendingChanges);
    }

    [Fact]
    public void A_new_engine_holds_the_drop_group_as_an_empty_translation_does()
    {
        var desired = new DesiredState(Controller);
        _ = new NeutronEngine(desired);
        Assert.Equal(NeutronEngineModel.Stamp(NeutronTranslator.Translate(NeutronInput.Empty).GetRowsOrThrow(), Controller), desired.Snapshot());
    }
}
