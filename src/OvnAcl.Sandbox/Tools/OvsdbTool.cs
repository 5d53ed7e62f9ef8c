using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OvnAcl.Sandbox;

/// <summary>
/// Runs the OVS/OVN command-line tools (ovsdb-client, ovsdb-tool, ovn-nbctl, ovs-appctl, openssl…) as independent
/// witnesses: what they see in a database does not depend on the client under test.
/// </summary>
public static class OvsdbTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs a tool and returns its output whatever its exit code; throws only when it cannot start or times out.</summary>
    public static async Task<ToolResult> TryRunAsync(
        string executable, IReadOnlyList<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var stdout = new MemoryStream();
        string Text() => Encoding.UTF8.GetString(stdout.GetBuffer(), 0, (int)stdout.Length);
        try
        {
            var result = await TryStreamAsync(executable, args, chunk => stdout.Write(chunk), timeout, cancellationToken).ConfigureAwait(false);
            return result with { Stdout = Text() };
        }
        catch (SandboxException e) when (stdout.Length > 0)
        {
            throw new SandboxException($"{e.Message}\n--- stdout so far ---\n{Text()}", e);
        }
    }

    /// <summary>
    /// Runs a tool and hands every chunk of its stdout to <paramref name="onOutput"/> as it comes, so that a large
    /// output (a whole database dump) is never held and a full pipe never slows the tool down. Returns once the tool
    /// has exited and its output is drained, with <see cref="ToolResult.Elapsed"/> covering exactly that and an empty
    /// <see cref="ToolResult.Stdout"/>; throws only when it cannot start or times out (it is killed then).
    /// </summary>
    public static async Task<ToolResult> TryStreamAsync(
        string executable, IReadOnlyList<string> args, Action<ReadOnlySpan<byte>> onOutput, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onOutput);
        var path = ToolPaths.Resolve(executable);
        var startInfo = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        ToolPaths.Sanitize(startInfo.Environment);
        var commandLine = FormatCommandLine(executable, args);
        var limit = timeout ?? DefaultTimeout;
        var elapsed = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new SandboxException($"could not start `{commandLine}`: {e.Message}", e);
        }

        ProcessRegistry.Register(process);
        try
        {
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(limit);
            try
            {
                var stdout = process.StandardOutput.BaseStream;
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await stdout.ReadAsync(buffer, timeoutSource.Token).ConfigureAwait(false)) > 0)
                {
                    onOutput(buffer.AsSpan(0, read));
                }

                await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ProcessRegistry.SendKill(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new SandboxException(
                    $"`{commandLine}` did not finish within {limit.TotalSeconds:0.#} s and was killed.\n" +
                    $"--- stderr so far ---\n{await stderr.ConfigureAwait(false)}");
            }

            elapsed.Stop();
            return new ToolResult(commandLine, process.ExitCode, "", await stderr.ConfigureAwait(false)) { Elapsed = elapsed.Elapsed };
        }
        finally
        {
            ProcessRegistry.Unregister(process);
        }
    }

    /// <summary>Runs a tool that must succeed; a non-zero exit throws <see cref="ToolFailedException"/> carrying stderr.</summary>
    public static async Task<ToolResult> RunAsync(
        string executable, IReadOnlyList<string> args, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await TryRunAsync(executable, args, timeout, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw new ToolFailedException(result);
    }

    /// <summary>
    /// <c>ovsdb-client list-dbs REMOTE</c>. <paramref name="clientOptions"/> go before the command, e.g.
    /// <see cref="Pki.ClientOptions"/> for an <c>ssl:</c> remote.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ListDbsAsync(
        string remote, IReadOnlyList<string>? clientOptions = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("ovsdb-client", [.. clientOptions ?? [], "list-dbs", remote], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// <c>ovsdb-client -f json dump REMOTE DATABASE</c>: every table with every row, values kept as the server's
    /// RFC 7047 JSON (<c>["uuid", …]</c>, <c>["set", …]</c>, <c>["map", …]</c>) for the caller's own codec.
    /// </summary>
    public static async Task<OvsdbDump> DumpJsonAsync(string remote, string database, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("ovsdb-client", ["-f", "json", "dump", remote, database], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return OvsdbDump.Parse(result.Stdout);
    }

    /// <summary>
    /// <c>ovsdb-client transact REMOTE TRANSACTION</c> with the params array of a <c>transact</c> request
    /// (<c>["OVN_Northbound", {op…}, …]</c>); returns the result array. ovsdb-client exits 0 even when an
    /// operation fails, so an <c>error</c> in the results is raised here as <see cref="SandboxException"/>.
    /// </summary>
    public static async Task<JsonElement> TransactAsync(string remote, string transactionJson, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("ovsdb-client", ["transact", remote, transactionJson], cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        using var document = JsonDocument.Parse(result.Stdout);
        var results = document.RootElement.Clone();
        if (results.ValueKind == JsonValueKind.Array &&
            results.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("error", out _)))
        {
            throw new SandboxException($"transaction on {remote} failed: {results.GetRawText()}\ntransaction: {transactionJson}");
        }

        return results;
    }

    internal static string FormatCommandLine(string executable, IReadOnlyList<string> args) =>
        string.Join(' ', args.Prepend(executable).Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_=:./,@".Contains(c))
            ? a
            : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
}
