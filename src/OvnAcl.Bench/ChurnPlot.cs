using System.Text.Json;
using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary>Draws a benchmark report as a PNG with a plot script (<see cref="PeerScripts.Plot"/>; Debian's python3-matplotlib) reading its JSON.</summary>
internal static class ChurnPlot
{
    /// <summary>Runs <paramref name="script"/> on the JSON that <paramref name="writeJson"/> writes, to draw <paramref name="pngPath"/>.</summary>
    public static async Task DrawAsync(Action<Utf8JsonWriter> writeJson, string script, string pngPath, string python = "/usr/bin/python3", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writeJson);
        var json = Path.Combine(Path.GetTempPath(), $"ovnacl-churn-plot-{Environment.ProcessId}.json");
        try
        {
            await using (var stream = File.Create(json))
            await using (var writer = new Utf8JsonWriter(stream))
            {
                writeJson(writer);
            }

            PeerScripts.Require(script);
            var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            ToolResult outcome;
            try
            {
                outcome = await OvsdbTool.TryRunAsync(python, [script, json, pngPath], TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException ex)
            {
                throw new BenchmarkException($"plotting failed: {ex.Message}");
            }

            if (outcome.ExitCode != 0)
            {
                throw new BenchmarkException($"plotting failed ({outcome.FirstStderrLine}); install python3-matplotlib");
            }
        }
        finally
        {
            File.Delete(json);
        }
    }
}
