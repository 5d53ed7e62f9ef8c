using System.Diagnostics;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

[Collection(FixtureCollections.StandaloneNb)]
public sealed class StandaloneNbSmokeTests(StandaloneNbFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private StandaloneNb Nb => fixture.Nb;

    public Task InitializeAsync() => Nb.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Answers_list_dbs_on_unix_and_tcp()
    {
        Assert.Contains(StandaloneNb.DatabaseName, await OvsdbTool.ListDbsAsync(Nb.UnixRemote));
        Assert.NotNull(Nb.TcpRemote);
        Assert.Contains(StandaloneNb.DatabaseName, await OvsdbTool.ListDbsAsync(Nb.TcpRemote));
        output.WriteLine($"standalone NB became ready in {Nb.Process.LastStartDuration.TotalMilliseconds:0} ms on {Nb.TcpRemote}");
    }

    [Fact]
    public async Task Nbctl_writes_what_a_dump_then_shows_and_reset_empties_it()
    {
        await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + Nb.TcpRemote, "ls-add", "sw0", "--", "acl-add", "sw0", "to-lport", "1000", "ip4", "drop"]);

        var dump = await OvsdbTool.DumpJsonAsync(Nb.UnixRemote, StandaloneNb.DatabaseName);
        var sw = Assert.Single(dump["Logical_Switch"]);
        Assert.Equal("\"sw0\"", sw["name"].GetRawText());
        Assert.Equal("[\"uuid\"", sw["_uuid"].GetRawText()[..7]);
        var acl = Assert.Single(dump["ACL"]);
        Assert.Equal(1000, acl["priority"].GetInt32());

        await Nb.ResetAsync();

        var empty = await OvsdbTool.DumpJsonAsync(Nb.UnixRemote, StandaloneNb.DatabaseName);
        Assert.All(empty.Tables, t => Assert.Empty(t.Value));
    }

    [Fact]
    public async Task Kill_and_restart_keeps_the_data_and_the_tcp_port()
    {
        var tcpRemote = Nb.TcpRemote!;
        await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + Nb.UnixRemote, "ls-add", "survivor"]);
        var pid = Nb.Process.Pid;

        var restart = Stopwatch.StartNew();
        await Nb.KillAndRestartAsync();
        output.WriteLine($"kill + restart took {restart.ElapsedMilliseconds} ms");

        Assert.NotEqual(pid, Nb.Process.Pid);
        Assert.Equal(tcpRemote, Nb.TcpRemote);
        var result = await OvsdbTool.RunAsync("ovn-nbctl", ["--db=" + tcpRemote, "ls-list"]);
        Assert.Contains("survivor", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_sends_sigterm_and_the_server_exits_cleanly()
    {
        var stop = Stopwatch.StartNew();
        await Nb.Process.StopAsync();
        output.WriteLine($"SIGTERM stop took {stop.ElapsedMilliseconds} ms");

        Assert.False(Nb.Process.IsRunning);
        Assert.Equal(128 + 15, Nb.Process.ExitCode); // OVS cleans up, then re-raises the signal
        Assert.Contains("terminating with signal 15", Nb.Process.LogTail(5), StringComparison.Ordinal);

        await Nb.Process.RestartAsync();
        output.WriteLine($"start after stop took {Nb.Process.LastStartDuration.TotalMilliseconds:0} ms");
        Assert.Contains(StandaloneNb.DatabaseName, await OvsdbTool.ListDbsAsync(Nb.UnixRemote));
    }

    [Fact]
    public async Task Control_socket_answers_appctl()
    {
        var remotes = await Nb.Process.AppctlAsync(["ovsdb-server/list-remotes"]);

        Assert.Contains("punix:" + Nb.SocketPath, remotes.Stdout, StringComparison.Ordinal);
    }
}
