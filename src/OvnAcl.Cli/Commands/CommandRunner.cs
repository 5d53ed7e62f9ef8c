using System.CommandLine;
using OvnAcl.Ovsdb;

namespace OvnAcl.Cli.Commands;

internal static class CommandRunner
{
    /// <summary>
    /// Runs a command body, turning the errors a user can act on into one line on the invocation's error writer and
    /// exit code 1. Commands write through <see cref="Output"/> and <see cref="Error"/>, never <see cref="Console"/>,
    /// so that an embedding program or a test gets what a terminal would show.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult result, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CliException or OvsdbException or OvnAclException or IOException or FormatException or ArgumentException)
        {
            await Error(result).WriteLineAsync($"ovnacl: error: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>Where the command's results go (standard output unless the invocation says otherwise).</summary>
    public static TextWriter Output(ParseResult result) => result.InvocationConfiguration.Output;

    /// <summary>
    /// Writes a large result through <paramref name="write"/>: to the invocation's output, or, when that is the
    /// console, to standard output through a 64 KB buffer (the console's writer flushes on every write; and a result
    /// formatted into one string first was held two or three times over: 18 MB of JSON for 100,000 pods).
    /// </summary>
    public static async Task WriteLargeAsync(ParseResult result, Action<TextWriter> write)
    {
        var output = Output(result);
        if (!ReferenceEquals(output, Console.Out))
        {
            write(output);
            return;
        }

        await output.FlushAsync().ConfigureAwait(false);
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
        await using (stdout.ConfigureAwait(false))
        {
            write(stdout);
        }
    }

    /// <summary>Where diagnostics, progress and errors go (standard error unless the invocation says otherwise).</summary>
    public static TextWriter Error(ParseResult result) => result.InvocationConfiguration.Error;
}
