using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace OvnAcl.Benchmarking;

/// <summary>Runs a peer program with its output drained as it comes, so that a full pipe never slows it down.</summary>
internal static class ChildProcess
{
    public sealed record Outcome(int ExitCode, TimeSpan Elapsed, string StandardError);

    /// <summary>
    /// Starts <paramref name="program"/>, hands every chunk of its stdout to <paramref name="onOutput"/>, and returns
    /// once it has exited and its output is drained; the elapsed time covers exactly that. Killed on timeout.
    /// </summary>
    public static async Task<Outcome> RunAsync(string program, IEnumerable<string> arguments, Action<ReadOnlySpan<byte>> onOutput, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new SyncPeerException($"cannot start {program}: {ex.Message}");
        }

        try
        {
            var stderr = process.StandardError.ReadToEndAsync(timeoutSource.Token);
            var stdout = process.StandardOutput.BaseStream;
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stdout.ReadAsync(buffer, timeoutSource.Token).ConfigureAwait(false)) > 0)
            {
                onOutput(buffer.AsSpan(0, read));
            }

            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
            stopwatch.Stop();
            return new Outcome(process.ExitCode, stopwatch.Elapsed, (await stderr.ConfigureAwait(false)).Trim());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SyncPeerException($"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The first line of a program's error output, for a one-line note.</summary>
    public static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "(no error output)" : line;
    }

    /// <summary>Collects small outputs (a peer's JSON line).</summary>
    public sealed class TextCollector
    {
        private readonly MemoryStream _bytes = new();

        public void Add(ReadOnlySpan<byte> chunk) => _bytes.Write(chunk);

        public override string ToString() => Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
    }
}
