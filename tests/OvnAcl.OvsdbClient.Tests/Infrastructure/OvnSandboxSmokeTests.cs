using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

[Collection(FixtureCollections.OvnSandbox)]
public sealed class OvnSandboxSmokeTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Http = "inport == \"p1\" && eth.src == 00:00:00:00:00:01 && eth.dst == 00:00:00:00:00:02 && " +
                                "ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.2 && ip.ttl == 64 && tcp.dst == {0}";

    private OvnSandbox Sandbox => fixture.Sandbox;

    public Task InitializeAsync() => Sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Trace_shows_an_acl_drop_after_northd_synced_it()
    {
        output.WriteLine($"sandbox came up in {Sandbox.StartupDuration.TotalMilliseconds:0} ms");
        var logBefore = Sandbox.NorthdLog.Length;
        await Sandbox.RunNbctlAsync([
            "ls-add", "sw0",
            "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1",
            "--", "lsp-add", "sw0", "p2", "--", "lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.2",
            "--", "acl-add", "sw0", "to-lport", "1000", "ip4.dst == 10.0.0.2 && tcp.dst == 80", "drop"]);
        await Sandbox.WaitForNorthdSyncAsync();

        var dropped = await Sandbox.RunTraceAsync("sw0", string.Format(null, Http, 80));
        var delivered = await Sandbox.RunTraceAsync("sw0", string.Format(null, Http, 81), ["--minimal"]);

        Assert.Contains("drop;", dropped, StringComparison.Ordinal);
        Assert.Contains("ls_out_acl", dropped, StringComparison.Ordinal);
        Assert.Contains("output(\"p2\");", delivered, StringComparison.Ordinal);
        Assert.DoesNotContain("|WARN|", Sandbox.NorthdLog[logBefore..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_leaves_no_logical_switch_in_either_database()
    {
        await Sandbox.RunNbctlAsync(["ls-add", "temporary"]);
        await Sandbox.WaitForNorthdSyncAsync();
        Assert.Contains("temporary", await Sandbox.RunSbctlAsync(["--columns=external_ids", "list", "Datapath_Binding"]), StringComparison.Ordinal);

        await Sandbox.ResetAsync();

        Assert.Empty((await Sandbox.RunNbctlAsync(["ls-list"])).Trim());
        Assert.DoesNotContain("temporary", await Sandbox.RunSbctlAsync(["--columns=external_ids", "list", "Datapath_Binding"]), StringComparison.Ordinal);
    }
}
