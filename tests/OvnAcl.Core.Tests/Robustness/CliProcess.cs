using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>The built <c>ovnacl</c> CLI run as a process, as a user runs it.</summary>
internal static class CliProcess
{
    /// <summary>
    /// The CLI's dll in the tests' configuration. <c>make test</c> builds the solution first, so it is there; the
    /// tests do not build it again (Acl/ExplainCliTests does, for runs of that class alone).
    /// </summary>
    public static string Dll()
    {
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var root = new DirectoryInfo(here);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OvnAcl.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var dll = Path.Combine(root.FullName, "src", "OvnAcl.Cli", "bin", configuration, "net10.0", "ovnacl.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (make build)");
        return dll;
    }

    public static Task<ToolResult> RunAsync(string dll, string[] args) =>
        OvsdbTool.TryRunAsync("dotnet", [dll, .. args], TimeSpan.FromSeconds(60));
}
