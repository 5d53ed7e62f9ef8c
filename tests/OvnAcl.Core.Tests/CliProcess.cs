using System.Diagnostics;
using System.Reflection;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests;

/// <summary>
/// The <c>ovnacl</c> CLI as a real process, for the tests where the process is the point (one killed midway). It is
/// built before the tests by the project reference; everything else runs the command tree in process (tests/OvnAcl.Cli.Tests).
/// </summary>
internal static class CliProcess
{
    /// <summary>The built ovnacl.dll of the tests' configuration (the path the project file records).</summary>
    private static string Dll()
    {
        var dll = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OvnAclCliDll").Value!;
        Assert.True(File.Exists(dll), $"{dll} is missing: the project reference to src/OvnAcl.Cli builds it before the tests");
        return Path.GetFullPath(dll);
    }

    public static Task<ToolResult> RunAsync(params string[] args) =>
        OvsdbTool.TryRunAsync("dotnet", [Dll(), .. args], TimeSpan.FromSeconds(90));

    /// <summary>Starts the CLI and returns at once, for a test that kills it midway; the caller kills and disposes it.</summary>
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll());
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
}
