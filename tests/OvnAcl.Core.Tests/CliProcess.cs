using System.Diagnostics;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests;

/// <summary>The <c>ovnacl</c> CLI run as a user runs it: built once per test run (incrementally), then started as a process.</summary>
internal static class CliProcess
{
    private static readonly Lazy<Task<string>> Dll = new(BuildAsync);

    public static async Task<ToolResult> RunAsync(params string[] args) =>
        await OvsdbTool.TryRunAsync("dotnet", [await Dll.Value, .. args], TimeSpan.FromSeconds(90));

    /// <summary>Starts the CLI and returns at once, for a test that kills it midway; the caller kills and disposes it.</summary>
    public static async Task<Process> StartAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(await Dll.Value);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Builds the CLI in the test's configuration (quick when it is up to date) and returns its dll.</summary>
    private static async Task<string> BuildAsync()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var project = Path.Combine(Repository.Root, "src", "OvnAcl.Cli", "OvnAcl.Cli.csproj");
        var build = await OvsdbTool.TryRunAsync("dotnet", ["build", project, "-c", configuration, "--nologo", "-v", "q"], TimeSpan.FromMinutes(4));
        Assert.True(build.Succeeded, build.Describe());
        var dll = Path.Combine(Repository.Root, "src", "OvnAcl.Cli", "bin", configuration, "net10.0", "ovnacl.dll");
        Assert.True(File.Exists(dll), dll);
        return dll;
    }
}
