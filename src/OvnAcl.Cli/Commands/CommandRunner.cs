using OvnAcl.Ovsdb;

namespace OvnAcl.Cli.Commands;

internal static class CommandRunner
{
    /// <summary>Runs a command body, turning the errors a user can act on into one line on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliException or OvsdbException or OvnAclException or IOException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"ovnacl: error: {ex.Message}");
            return 1;
        }
    }
}
