using OvnAcl.Benchmarking;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Benchmarking;

[Collection(FixtureCollections.StandaloneNb)]
public sealed class SyntheticNorthboundTests(StandaloneNbFixture fixture)
{
    [Fact]
    public async Task Seeds_the_requested_shape_in_bounded_transactions_and_nbctl_reads_it()
    {
        await fixture.Nb.ResetAsync();
        await using var client = new OvsdbClient(fixture.Nb.UnixRemote, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("ACL"), new OvsdbTableMonitor("Address_Set")],
        });
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var options = SyntheticNorthboundOptions.Default with
        {
            LogicalSwitchPorts = 30,
            PortGroups = 12,
            PortsPerGroup = 5,
            AclsPerGroup = 3,
            AddressSets = 7,
            AddressesPerSet = 4,
            OperationsPerTransaction = 20,
        };

        var summary = await SyntheticNorthbound.SeedAsync(client, options);

        Assert.Equal(36, summary.Acls);
        Assert.True(summary.Transactions > 3, $"expected several bounded transactions, got {summary.Transactions}");
        var dump = await OvsdbTool.DumpJsonAsync(fixture.Nb.UnixRemote, "OVN_Northbound");
        Assert.Equal(12, dump["Port_Group"].Count);
        Assert.Equal(36, dump["ACL"].Count);
        Assert.Equal(7, dump["Address_Set"].Count);
        Assert.Equal(30, dump["Logical_Switch_Port"].Count);
        Assert.All(client.Replica.GetRows("Port_Group"), pg =>
        {
            Assert.Equal(5, pg["ports"].Count);
            Assert.Equal(3, pg["acls"].Count);
            Assert.Equal("ovnacl-synthetic", pg.GetMapValue("external_ids", "owner"));
        });

        var acls = await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={fixture.Nb.UnixRemote}", "acl-list", "synthetic_pg_3"]);
        Assert.Contains("to-lport  1000 (outport == @synthetic_pg_3 && ip4 && ip4.src == $synthetic_as_3 && tcp && tcp.dst == 8000) allow-related", acls.Stdout, StringComparison.Ordinal);
        Assert.Contains("from-lport  1001 (inport == @synthetic_pg_3 && ip4 && ip4.dst == $synthetic_as_4 && udp && 1000 <= udp.dst <= 1001) allow-related", acls.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Synthetic_addresses_are_unique_and_valid_ipv4()
    {
        var addresses = Enumerable.Range(0, 70_000).Select(SyntheticNorthbound.Address).ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
        Assert.All(addresses.Take(300), a => Assert.True(System.Net.IPAddress.TryParse(a, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork, a));
    }
}
