using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Neutron;

public sealed class NeutronInputTests
{
    [Fact]
    public void Reads_the_apis_documents_and_keeps_their_values()
    {
        var input = NeutronInput.Parse("""
            {"security_groups": [{"id": "g1", "name": "web", "stateful": false, "security_group_rules": [
              {"id": "r1", "security_group_id": "g1", "direction": "ingress", "ethertype": "IPv6", "protocol": 6,
               "port_range_min": "22", "port_range_max": 22.0, "remote_ip_prefix": "2001:db8::/64", "normalized_cidr": "2001:db8::/64",
               "remote_group_id": null, "remote_address_group_id": null}]}],
             "ports": [{"id": "p1", "network_id": "n1", "mac_address": "fa:16:3e:00:00:01", "device_owner": "compute:nova",
               "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.5"}], "security_groups": ["g1"], "port_security_enabled": true,
               "allowed_address_pairs": [{"ip_address": "10.0.0.100", "mac_address": "fa:16:3e:00:00:01"}]}],
             "address_groups": [{"id": "a1", "name": "office", "addresses": ["198.51.100.0/24"]}],
             "security_groups_links": []}
            """, "all.json");

        Assert.Empty(input.Diagnostics);
        var group = Assert.Single(input.SecurityGroups);
        Assert.Equal(("g1", "web", false, "all.json"), (group.Id, group.Name, group.Stateful, group.SourceFile));
        var rule = Assert.Single(group.Rules);
        Assert.Equal(("6", 22, 22, "IPv6", "2001:db8::/64"), (rule.Protocol, rule.PortRangeMin, rule.PortRangeMax, rule.Ethertype, rule.NormalizedCidr));
        var port = Assert.Single(input.Ports);
        Assert.Equal(("n1", true, "10.0.0.5", "10.0.0.100"), (port.NetworkId, port.PortSecurityEnabled, port.FixedIps[0].IpAddress, port.AllowedAddressPairs[0].IpAddress));
        Assert.Equal(["198.51.100.0/24"], Assert.Single(input.AddressGroups).Addresses);
    }

    [Fact]
    public void Load_combines_files_and_reports_every_reading_problem_with_its_file()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-neutron-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "a.json"), """{"security_groups": [{"id": "g1", "security_group_rules": []}]}""");
            File.WriteAllText(Path.Combine(dir.FullName, "b.json"), """{"ports": [{"id": "p1", "security_groups": ["g1"], "port_security_enabled": true}]}""");
            File.WriteAllText(Path.Combine(dir.FullName, "c.json"), """{"security_groups": [{"id": "g2", "security_group_rules": [{"id": "r1", "direction": "ingress", "port_range_min": "http"}]}]}""");
            File.WriteAllText(Path.Combine(dir.FullName, "d.json"), "{not json");
            File.WriteAllText(Path.Combine(dir.FullName, "e.json"), """{"networks": []}""");

            var input = NeutronInput.Load(new[] { "a.json", "b.json", "c.json", "d.json", "e.json", "missing.json" }.Select(f => Path.Combine(dir.FullName, f)));

            Assert.Equal(["g1", "g2"], input.SecurityGroups.Select(g => g.Id));
            Assert.Equal(["p1"], input.Ports.Select(p => p.Id));
            Assert.Equal(
                [(NeutronDiagnosticCodes.InvalidPortValue, "c.json", "r1", "port_range_min", "Invalid value for port http"),
                 (NeutronDiagnosticCodes.InvalidJson, "d.json", null, null, null),
                 (NeutronDiagnosticCodes.NotNeutronDocument, "e.json", null, null, null),
                 (NeutronDiagnosticCodes.FileUnreadable, "missing.json", null, null, null)],
                input.Diagnostics.Select(d => (d.Code, Path.GetFileName(d.Location.File), d.Location.ObjectId, d.Location.Field, d.Code == NeutronDiagnosticCodes.InvalidPortValue ? d.Message : null)));

            var result = NeutronTranslator.Translate(input);
            Assert.False(result.Succeeded);
            Assert.Equal(4, result.Diagnostics.Count);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Wrong_json_types_name_the_object_and_field()
    {
        var input = NeutronInput.Parse("""
            {"security_groups": [{"id": "g1", "stateful": "yes", "security_group_rules": [{"direction": "ingress"}, {"id": "r2", "protocol": true}]}],
             "ports": [{"id": "p1", "security_groups": "g1"}]}
            """, "x.json");

        Assert.Equal(
            ["x.json: security_group g1: stateful: NEUT0118: 'yes' is not a valid boolean value",
             "x.json: security_group_rule (security_group g1): id: NEUT0005: id is missing or not a non-empty string",
             "x.json: security_group_rule r2 (security_group g1): protocol: NEUT0004: protocol must be a string, a number or null",
             "x.json: port p1: security_groups: NEUT0004: security_groups must be a list of strings"],
            input.Diagnostics.Select(d => d.ToString()));
    }
}
