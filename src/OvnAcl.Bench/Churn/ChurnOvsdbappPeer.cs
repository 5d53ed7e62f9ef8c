using System.Globalization;
using System.Text.Json;
using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary>
/// ovsdbapp's OVN Northbound API committing the same events, run by <c>peers/ovsdbapp_churn.py</c> (<see cref="PeerScripts"/>) in
/// the system Python. Times and CPU are the script's own, from its first event (its IDL already synchronized).
/// </summary>
internal sealed class ChurnOvsdbappPeer(ChurnBenchmarkOptions options, ChurnWorkload workload, string remotes)
{
    private const int ModulesMissing = 3;

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        // A missing script is a broken build, not a peer that cannot run here: that is an error, naming the path.
        PeerScripts.Require(options.OvsdbappScript);
        try
        {
            var outcome = await OvsdbTool.TryRunAsync(options.PythonProgram, ["-c", "import ovsdbapp.schema.ovn_northbound.impl_idl"],
                TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return outcome.ExitCode == 0 ? null : $"ovsdbapp is not importable by {options.PythonProgram}; install python3-ovsdbapp";
        }
        catch (SandboxException ex)
        {
            return $"{ex.Message}; install python3-ovsdbapp";
        }
    }

    public async Task<ChurnSample> MeasureAsync(long first, int events, int batch, double? rate, ChurnProgress progress, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ovnacl-churn-{Environment.ProcessId}-{first}.json");
        try
        {
            await using (var stream = File.Create(file))
            await using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("events");
                for (var k = first; k < first + events; k++)
                {
                    var (pod, add) = workload.Event(k);
                    writer.WriteStartArray();
                    writer.WriteStringValue(workload.PeerPortGroup(pod));
                    writer.WriteStringValue(workload.PortName(pod));
                    writer.WriteStringValue(workload.PeerAddressSet(pod));
                    writer.WriteStringValue(ChurnWorkload.Address(pod));
                    writer.WriteStringValue(add ? "add" : "del");
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            var inv = CultureInfo.InvariantCulture;
            List<string> arguments = [options.OvsdbappScript, "--events", file, "--batch", batch.ToString(inv), "--timeout", options.RunTimeout.TotalSeconds.ToString(inv)];
            if (rate is { } r)
            {
                arguments.AddRange(["--rate", r.ToString(inv)]);
            }

            arguments.Add(remotes);
            progress.Update($"ovsdbapp batch {batch} {(rate is { } o ? $"{o:0}/s" : "max")}", 0, events);
            ToolResult outcome;
            try
            {
                outcome = await OvsdbTool.TryRunAsync(options.PythonProgram, arguments, options.RunTimeout + TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }
            catch (SandboxException ex)
            {
                throw new BenchmarkException($"ovsdbapp: {ex.Message}");
            }

            progress.Clear();
            if (outcome.ExitCode != 0)
            {
                throw new BenchmarkException($"the ovsdbapp script exited with {outcome.ExitCode}{(outcome.ExitCode == ModulesMissing ? " (ovsdbapp missing)" : "")}: {outcome.FirstStderrLine}");
            }

            using var result = JsonDocument.Parse(outcome.Stdout);
            var root = result.RootElement;
            var latency = root.GetProperty("latency_ms");
            return new ChurnSample
            {
                Peer = ChurnReport.OvsdbappName,
                Batch = batch,
                OfferedRate = rate,
                Events = events,
                Confirmed = root.GetProperty("events").GetInt64(),
                Seconds = root.GetProperty("seconds").GetDouble(),
                Transactions = root.GetProperty("transactions").GetInt64(),
                MemberChangesPerEvent = 2, // pg_add_ports/pg_del_ports and address_set_add/remove_addresses of one port and its IP
                LatencyP50Ms = latency.GetProperty("p50").GetDouble(),
                LatencyP99Ms = latency.GetProperty("p99").GetDouble(),
                LatencyMaxMs = latency.GetProperty("max").GetDouble(),
                CpuSeconds = root.GetProperty("cpu_seconds").GetDouble(),
            };
        }
        finally
        {
            File.Delete(file);
        }
    }
}
