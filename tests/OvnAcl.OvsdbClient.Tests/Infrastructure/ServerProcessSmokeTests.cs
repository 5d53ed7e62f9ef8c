using System.Diagnostics;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

public sealed class ServerProcessSmokeTests
{
    [Fact]
    public async Task A_daemon_that_dies_at_startup_is_reported_with_its_exit_code_and_log()
    {
        using var directory = SandboxDirectory.Create("bad");

        var error = await Assert.ThrowsAsync<SandboxException>(() => ServerProcess.StartAsync(new ServerProcessOptions
        {
            Name = "bad",
            Executable = "ovsdb-server",
            Arguments = [directory.File("missing.db"), "--remote=punix:" + directory.File("bad.sock")],
            Directory = directory.Path,
        }));

        Assert.Contains("bad exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("missing.db", error.Message, StringComparison.Ordinal); // ovsdb-server's own complaint, from its log
    }

    [Fact]
    public async Task Dispose_kills_the_server_and_removes_its_directory()
    {
        var nb = await StandaloneNb.StartAsync(new StandaloneNbOptions { Tcp = false });
        var pid = nb.Process.Pid!.Value;
        var dir = nb.Dir;

        await nb.DisposeAsync();

        Assert.False(IsAlive(pid), $"pid {pid} survived dispose");
        Assert.Equal(SandboxDirectory.KeepDirectories, Directory.Exists(dir));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
