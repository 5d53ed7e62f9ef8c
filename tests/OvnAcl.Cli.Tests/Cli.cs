using System.CommandLine;

namespace OvnAcl.Cli.Tests;

/// <summary>
/// <c>ovnacl</c> as a user runs it, in process: the command tree parses <c>args</c> and runs, writing to captured
/// writers instead of the console. The exit code and the two outputs are what a terminal would show.
/// </summary>
internal static class Cli
{
    public static async Task<ToolResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // A test wants the exception itself, not a printed stack trace and exit code 1.
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        var exitCode = await CliCommands.InvokeAsync(args, configuration);
        return new ToolResult("ovnacl " + string.Join(' ', args), exitCode, output.ToString(), error.ToString());
    }
}
