using System.Text.Json;
using OvnAcl.Acl;
using OvnAcl.Explain;

namespace OvnAcl.Core.Tests.Explain;

/// <summary><c>ovnacl explain --matrix</c>: every ordered pair of the samples' pods and ports.</summary>
public sealed class ReachabilityMatrixTests
{
    [Fact]
    public async Task Kubernetes_5432_only_business_logic_reaches_db()
    {
        var matrix = ReachabilityMatrix.Compute(await OfflineExplainTests.KubernetesAsync(), AclProtocol.Tcp, 5432);

        var sw = Assert.Single(matrix.Switches);
        Assert.Equal(["web-1", "web-2", "bl-1", "db-1"], sw.Endpoints.Select(e => e.Label));
        var allowed = Allowed(sw);
        Assert.Equal(["bl-1->db-1"], allowed);
        Assert.Equal(12, sw.Cells.Count(c => c is not null));
    }

    [Fact]
    public async Task Kubernetes_80_everyone_reaches_web()
    {
        var matrix = ReachabilityMatrix.Compute(await OfflineExplainTests.KubernetesAsync(), AclProtocol.Tcp, 80);
        Assert.Equal(["bl-1->web-1", "bl-1->web-2", "db-1->web-1", "db-1->web-2", "web-1->web-2", "web-2->web-1"], Allowed(Assert.Single(matrix.Switches)));
    }

    [Fact]
    public async Task Kubernetes_text_is_a_grid_with_a_legend()
    {
        var text = ReachabilityMatrix.Compute(await OfflineExplainTests.KubernetesAsync(), AclProtocol.Tcp, 5432).ToText();
        var expected = """
            tcp/5432, new connections: rows = from, columns = to; ✓ allowed, ✗ dropped

            switch ovnacl-pods
                     web-1  web-2  bl-1  db-1  
              web-1    -      ✗     ✗     ✗    
              web-2    ✗      -     ✗     ✗    
              bl-1     ✗      ✗     -     ✓    
              db-1     ✗      ✗     ✗     -    
              web-1: three-tier_web-1 (three-tier/web-1) 10.244.0.11 fd00:10:244::11
              web-2: three-tier_web-2 (three-tier/web-2) 10.244.0.12 fd00:10:244::12
              bl-1: three-tier_bl-1 (three-tier/bl-1) 10.244.0.21 fd00:10:244::21
              db-1: three-tier_db-1 (three-tier/db-1) 10.244.0.31 fd00:10:244::31

            """;
        Assert.Equal(expected.ReplaceLineEndings(), text.ReplaceLineEndings());
    }

    [Fact]
    public async Task Neutron_db_reachable_only_from_ba_and_one_matrix_per_network()
    {
        var matrix = ReachabilityMatrix.Compute(await OfflineExplainTests.NeutronAsync(), AclProtocol.Tcp, 5432);

        Assert.Equal(["neutron-11110000-0000-4000-8000-000000000001", "neutron-22220000-0000-4000-8000-000000000001"], matrix.Switches.Select(s => s.Name));
        var shop = matrix.Switches[0];
        Assert.Equal(["web-1", "web-2", "ba-1", "db-1", "0e0e0e00"], shop.Endpoints.Select(e => e.Label));
        Assert.Equal(["ba-1->db-1"], Allowed(shop).Where(p => p.EndsWith("->db-1", StringComparison.Ordinal)));

        // be-1 is IPv6-only: its IPv4 pairs are not asked, and say so.
        var media = matrix.Switches[1];
        Assert.Contains(media.Cells, c => c is { Skipped: "be-1 has no IPv4 address" });
    }

    [Fact]
    public async Task Json_is_an_object_of_rows_with_the_deciding_rules()
    {
        var matrix = ReachabilityMatrix.Compute(await OfflineExplainTests.KubernetesAsync(), AclProtocol.Tcp, 5432);
        using var json = JsonDocument.Parse(matrix.ToJson());
        var root = json.RootElement;
        Assert.Equal("tcp", root.GetProperty("protocol").GetString());
        Assert.Equal(5432, root.GetProperty("port").GetInt32());
        var sw = root.GetProperty("switches")[0];
        Assert.Equal("allow", sw.GetProperty("matrix").GetProperty("bl-1").GetProperty("db-1").GetString());
        Assert.Equal("deny", sw.GetProperty("matrix").GetProperty("web-1").GetProperty("db-1").GetString());
        Assert.False(sw.GetProperty("matrix").GetProperty("web-1").TryGetProperty("web-1", out _));
        var endpoint = sw.GetProperty("endpoints")[0];
        Assert.Equal("three-tier_web-1", endpoint.GetProperty("port").GetString());
        Assert.Equal(OfflineTopology.MacFor("three-tier_web-1"), endpoint.GetProperty("mac").GetString());
        Assert.Equal($"{OfflineTopology.MacFor("three-tier_web-1")} 10.244.0.11 fd00:10:244::11", endpoint.GetProperty("addresses")[0].GetString());
        var cell = sw.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("from").GetString() == "bl-1" && c.GetProperty("to").GetString() == "db-1");
        Assert.Equal("three-tier/db", cell.GetProperty("decided_by")[0].GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Neutron_allowed_address_pairs_of_the_ports_own_mac_join_its_port_security_entry()
    {
        // Two port_security entries with the same MAC make OVN drop all of the port's traffic (found by make demo).
        var web2 = (await OfflineExplainTests.NeutronAsync()).Endpoints.Single(e => e.Label == "web-2");
        Assert.Equal(["fa:16:3e:00:00:02 10.0.1.12 10.0.1.100"], web2.PortSecurity);
        Assert.Equal(["fa:16:3e:00:00:02 10.0.1.12"], web2.Addresses);

        var appliance = (await OfflineExplainTests.NeutronAsync()).Endpoints.Single(e => e.Label == "media-appliance");
        Assert.Empty(appliance.PortSecurity);
        Assert.Equal(["fa:16:3e:00:01:03 172.16.0.99", "unknown"], appliance.Addresses);
    }

    [Fact]
    public void Mac_is_deterministic_locally_administered_unicast()
    {
        var mac = OfflineTopology.MacFor("three-tier_web-1");
        Assert.Equal(mac, OfflineTopology.MacFor("three-tier_web-1"));
        Assert.NotEqual(mac, OfflineTopology.MacFor("three-tier_web-2"));
        Assert.StartsWith("0a:", mac, StringComparison.Ordinal);
        Assert.Equal(17, mac.Length);
    }

    private static List<string> Allowed(ReachabilitySwitch sw) =>
        [.. sw.Cells.OfType<ReachabilityCell>().Where(c => c.Verdict == AclVerdict.Allow).Select(c => $"{c.From.Label}->{c.To.Label}").Order(StringComparer.Ordinal)];
}
