using System.CommandLine;

namespace OvnAcl.Cli.Commands;

/// <summary><c>ovnacl bench …</c>: end-to-end figures against a real database.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure OvnAcl against a real OVSDB server, with its peers in the same run");
        return bench;
    }
}
