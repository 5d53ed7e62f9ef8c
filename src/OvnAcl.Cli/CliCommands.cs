using System.CommandLine;
using System.CommandLine.Invocation;
using OvnAcl.Cli.Commands;

namespace OvnAcl.Cli;

/// <summary>The <c>ovnacl</c> command tree, run by <c>Program</c> and, in process, by tests/OvnAcl.Cli.Tests.</summary>
internal static class CliCommands
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("ovnacl: compile, check and reconcile OVN ACLs (Kubernetes NetworkPolicy, Neutron security groups)");
        root.Add(DbCommands.Create());
        root.Add(BenchCommands.Create());
        root.Add(MatchCommand.Create());
        root.Add(CompileCommand.Create());
        root.Add(ExplainCommand.Create());
        root.Add(ApplyCommand.Create());
        root.Add(ShowCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>, the commands writing to <paramref name="configuration"/>'s
    /// <see cref="InvocationConfiguration.Output"/> and <see cref="InvocationConfiguration.Error"/> (the console when null).
    /// A parse error (an unknown option, a bad value) is its message on the error writer and exit code 1, without the
    /// whole help text: each message names the option, and <c>--help</c> is there for the rest.
    /// </summary>
    public static Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        var result = CreateRoot().Parse(args);
        if (result.Action is ParseErrorAction parseError)
        {
            parseError.ShowHelp = false;
        }

        return result.InvokeAsync(configuration, cancellationToken);
    }
}
