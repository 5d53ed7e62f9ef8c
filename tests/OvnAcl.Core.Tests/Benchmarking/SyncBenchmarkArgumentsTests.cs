using OvnAcl.Benchmarking;

namespace OvnAcl.Core.Tests.Benchmarking;

public sealed class SyncBenchmarkArgumentsTests
{
    [Theory]
    [InlineData("dump,ovsdbapp,wire", SyncBenchmarkPeers.Default)]
    [InlineData(" Dump , wire ", SyncBenchmarkPeers.Dump | SyncBenchmarkPeers.Wire)]
    [InlineData("dump-json", SyncBenchmarkPeers.DumpJson)]
    [InlineData("none", SyncBenchmarkPeers.None)]
    public void Reads_peer_lists(string text, object expected) =>
        Assert.Equal((SyncBenchmarkPeers)expected, SyncBenchmark.ParsePeers(text));

    [Theory]
    [InlineData("")]
    [InlineData("dump,ovs")]
    [InlineData("none,dump")]
    public void Refuses_bad_peer_lists(string text) =>
        Assert.Throws<ArgumentException>(() => SyncBenchmark.ParsePeers(text));

    [Fact]
    public void Refuses_acls_that_do_not_divide_among_port_groups()
    {
        var error = Assert.Throws<ArgumentException>(() => (SyncBenchmarkShape.Default with { Acls = 7, PortGroups = 2 }).ToSeederOptions());
        Assert.Contains("7 ACLs do not divide among 2 port groups", error.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(SyncBenchmarkShape.Acls), error.ParamName);
    }

    [Fact]
    public void Spreads_the_default_shape_as_ten_acls_per_group()
    {
        var seeder = SyncBenchmarkShape.Default.ToSeederOptions();
        Assert.Equal((10_000, 10, 10_000), (seeder.PortGroups, seeder.AclsPerGroup, seeder.AddressSets));
    }

    [Fact]
    public async Task Refuses_fewer_than_one_run_before_connecting()
    {
        var options = SyncBenchmarkOptions.Default with { Remotes = "unix:/nonexistent/nb.sock", Runs = 0 };
        await Assert.ThrowsAsync<ArgumentException>(() => SyncBenchmark.RunAsync(options));
    }

    [Fact]
    public async Task Says_which_server_did_not_answer()
    {
        var options = SyncBenchmarkOptions.Default with { Remotes = "unix:/nonexistent/nb.sock", Peers = SyncBenchmarkPeers.None };
        var error = await Assert.ThrowsAsync<BenchmarkException>(() => SyncBenchmark.RunAsync(options));
        Assert.Contains("unix:/nonexistent/nb.sock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_two() =>
        Assert.Equal(2.5, SyncPeerResult.Median([4, 1, 3, 2]));
}
