using System.Text.Json;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Acl;

/// <summary><c>ovnacl explain --db</c> run as an operator runs it: the built CLI as a process against a live NB holding the three-tier ACLs.</summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class ExplainCliTests(OvnSandboxFixture fixture) : IAsyncLifetime
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
        var cli = await BuildCliAsync();

        using var webToDb = await ExplainJsonAsync(cli, "web1", "db1", "5432");
        Assert.Equal("deny", webToDb.RootElement.GetProperty("verdict").GetString());
        var denying = webToDb.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("verdict").GetString() == "deny");
        Assert.Equal("to-lport", denying.GetProperty("stage").GetString());
        Assert.Equal("db-default-drop", denying.GetProperty("acl").GetProperty("name").GetString());
        Assert.Equal("pg_db", denying.GetProperty("acl").GetProperty("owner").GetProperty("name").GetString());
        Assert.Equal(900, denying.GetProperty("acl").GetProperty("priority").GetInt32());

        using var blToDb = await ExplainJsonAsync(cli, "bl1", "db1", "5432");
        Assert.Equal("allow", blToDb.RootElement.GetProperty("verdict").GetString());
        var toLport = blToDb.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "to-lport");
        Assert.Equal("db-from-bl", toLport.GetProperty("acl").GetProperty("name").GetString());
        Assert.Equal("outport == @pg_db && ip4 && ip4.src == $pg_bl_ip4 && tcp.dst == 5432", toLport.GetProperty("acl").GetProperty("match").GetString());
        Assert.True(toLport.GetProperty("explanation").GetProperty("result").GetBoolean());
        Assert.Equal("new|trk", toLport.GetProperty("ctState").GetString());

        // And OVN itself agrees.
        await Sandbox.WaitForNorthdSyncAsync();
        Assert.DoesNotContain("output(\"db1\")", await TraceAsync("web1", "0a:00:00:00:01:01", "10.0.0.11"), StringComparison.Ordinal);
        Assert.Contains("output(\"db1\")", await TraceAsync("bl1", "0a:00:00:00:02:01", "10.0.0.21"), StringComparison.Ordinal);
    }

    private async Task<string> TraceAsync(string from, string mac, string ip) => (await Sandbox.TraceNewConnectionAsync(
        ThreeTier.Switch,
        $"inport == \"{from}\" && eth.src == {mac} && eth.dst == 0a:00:00:00:03:01 && ip4.src == {ip} && ip4.dst == 10.0.0.31 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 5432",
        "db1")).Trace;

    [Fact]
    public async Task Explain_prints_a_readable_answer_and_clear_errors()
    {
        var cli = await BuildCliAsync();
        var text = await RunAsync(cli, ["--from", "web1", "--to", "db1", "--protocol", "tcp", "--port", "5432"]);
        Assert.True(text.Succeeded, text.Describe());
        Assert.StartsWith("deny: tcp 10.0.0.11:40000 -> 10.0.0.31:5432 from web1 to db1 on switch ls_3tier", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("by ACL \"db-default-drop\" (port group pg_db, to-lport, priority 900, drop", text.Stdout, StringComparison.Ordinal);

        var unknown = await RunAsync(cli, ["--from", "nope", "--to", "db1", "--protocol", "tcp", "--port", "5432"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no logical switch port 'nope'", unknown.Stderr, StringComparison.Ordinal);

        var badPort = await RunAsync(cli, ["--from", "web1", "--to", "db1", "--protocol", "tcp", "--port", "70000"]);
        Assert.Equal(1, badPort.ExitCode);
        Assert.Contains("--port must be 0 to 65535", badPort.Stderr, StringComparison.Ordinal);

        var badProtocol = await RunAsync(cli, ["--from", "web1", "--to", "db1", "--protocol", "gre"]);
        Assert.Equal(1, badProtocol.ExitCode);
        Assert.Contains("'gre' is not a protocol", badProtocol.Stderr, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> ExplainJsonAsync(string cli, string from, string to, string port)
    {
        var result = await RunAsync(cli, ["--from", from, "--to", to, "--protocol", "tcp", "--port", port, "--json"]);
        Assert.True(result.Succeeded, result.Describe());
        return JsonDocument.Parse(result.Stdout);
    }

    private Task<ToolResult> RunAsync(string cli, string[] args) =>
        OvsdbTool.TryRunAsync("dotnet", [cli, "explain", "--db", Sandbox.NbRemote, .. args], TimeSpan.FromSeconds(60));

    /// <summary>Builds the CLI in the test's configuration (incremental: quick when it is up to date) and returns its dll.</summary>
    private static async Task<string> BuildCliAsync()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var root = new DirectoryInfo(here);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OvnAcl.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var project = Path.Combine(root.FullName, "src", "OvnAcl.Cli", "OvnAcl.Cli.csproj");
        var build = await OvsdbTool.TryRunAsync("dotnet", ["build", project, "-c", configuration, "--nologo", "-v", "q"], TimeSpan.FromMinutes(4));
        Assert.True(build.Succeeded, build.Describe());
        var dll = Path.Combine(root.FullName, "src", "OvnAcl.Cli", "bin", configuration, "net10.0", "ovnacl.dll");
        Assert.True(File.Exists(dll), dll);
        return dll;
    }
}
