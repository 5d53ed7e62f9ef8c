using System.Text.Json;
using OvnAcl.Core.Tests.Acl;
using OvnAcl.Testing;

namespace OvnAcl.Cli.Tests;

/// <summary><c>ovnacl explain --db</c> as an operator runs it, against a live NB holding the three-tier ACLs; OVN's own trace agrees.</summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class ExplainLiveTests(OvnSandboxFixture fixture) : IAsyncLifetime
{
    private OvnSandbox Sandbox => fixture.Sandbox;

    public async Task InitializeAsync()
    {
        await Sandbox.ResetAsync();
        await Sandbox.RunNbctlAsync(ThreeTier.NbctlArgs());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Explain_json_denies_web_to_db_and_allows_business_logic_to_db()
    {
        using var webToDb = await ExplainJsonAsync("web1", "db1", "5432");
        Assert.Equal("deny", webToDb.RootElement.GetProperty("verdict").GetString());
        var denying = webToDb.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("verdict").GetString() == "deny");
        Assert.Equal("to-lport", denying.GetProperty("stage").GetString());
        Assert.Equal("db-default-drop", denying.GetProperty("acl").GetProperty("name").GetString());
        Assert.Equal("pg_db", denying.GetProperty("acl").GetProperty("owner").GetProperty("name").GetString());
        Assert.Equal(900, denying.GetProperty("acl").GetProperty("priority").GetInt32());

        using var blToDb = await ExplainJsonAsync("bl1", "db1", "5432");
        Assert.Equal("allow", blToDb.RootElement.GetProperty("verdict").GetString());
        var toLport = blToDb.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "to-lport");
        Assert.Equal("db-from-bl", toLport.GetProperty("acl").GetProperty("name").GetString());
        Assert.Equal("outport == @pg_db && ip4 && ip4.src == $pg_bl_ip4 && tcp.dst == 5432", toLport.GetProperty("acl").GetProperty("match").GetString());
        Assert.True(toLport.GetProperty("explanation").GetProperty("result").GetBoolean());
        Assert.Equal("new|trk", toLport.GetProperty("ct_state").GetString());

        // And OVN itself agrees.
        await Sandbox.WaitForNorthdSyncAsync();
        Assert.DoesNotContain("output(\"db1\")", await TraceAsync("web1", "0a:00:00:00:01:01", "10.0.0.11"), StringComparison.Ordinal);
        Assert.Contains("output(\"db1\")", await TraceAsync("bl1", "0a:00:00:00:02:01", "10.0.0.21"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_prints_a_readable_answer_the_reply_and_clear_errors()
    {
        var text = await RunAsync(["--from", "web1", "--to", "db1", "--protocol", "tcp", "--port", "5432"]);
        Assert.True(text.Succeeded, text.Describe());
        Assert.StartsWith("deny: tcp 10.0.0.11:40000 -> 10.0.0.31:5432 from web1 to db1 on switch ls_3tier", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("by ACL \"db-default-drop\" (port group pg_db, to-lport, priority 900, drop", text.Stdout, StringComparison.Ordinal);
        Assert.Equal("", text.Stderr);

        var reply = await RunAsync(["--from", "bl1", "--to", "db1", "--protocol", "tcp", "--port", "5432", "--reply"]);
        Assert.True(reply.Succeeded, reply.Describe());
        Assert.StartsWith("allow: tcp 10.0.0.31:5432 -> 10.0.0.21:40000 from db1 to bl1", reply.Stdout, StringComparison.Ordinal);

        var unknown = await RunAsync(["--from", "nope", "--to", "db1", "--protocol", "tcp", "--port", "5432"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no logical switch port 'nope'", unknown.Stderr, StringComparison.Ordinal);

        var badPort = await RunAsync(["--from", "web1", "--to", "db1", "--protocol", "tcp", "--port", "70000"]);
        Assert.Equal(1, badPort.ExitCode);
        Assert.Contains("--port: must be 0 to 65535, not 70000", badPort.Stderr, StringComparison.Ordinal);

        var badProtocol = await RunAsync(["--from", "web1", "--to", "db1", "--protocol", "gre"]);
        Assert.Equal(1, badProtocol.ExitCode);
        Assert.Contains("--protocol: 'gre' is not a protocol", badProtocol.Stderr, StringComparison.Ordinal);

        var both = await RunAsync(["--from", "web1", "--to", "db1", "--protocol", "tcp", "--port", "1", Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier")]);
        Assert.Equal(1, both.ExitCode);
        Assert.Contains("give either --db REMOTE", both.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> TraceAsync(string from, string mac, string ip) => (await Sandbox.TraceNewConnectionAsync(
        ThreeTier.Switch,
        $"inport == \"{from}\" && eth.src == {mac} && eth.dst == 0a:00:00:00:03:01 && ip4.src == {ip} && ip4.dst == 10.0.0.31 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 5432",
        "db1")).Trace;

    private async Task<JsonDocument> ExplainJsonAsync(string from, string to, string port)
    {
        var result = await RunAsync(["--from", from, "--to", to, "--protocol", "tcp", "--port", port, "--json"]);
        Assert.True(result.Succeeded, result.Describe());
        return JsonDocument.Parse(result.Stdout);
    }

    private Task<ToolResult> RunAsync(string[] args) => Cli.RunAsync(["explain", "--db", Sandbox.NbRemote, .. args]);
}
