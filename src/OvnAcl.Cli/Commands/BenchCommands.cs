using System.CommandLine;
using System.Text.Json;
using OvnAcl.Benchmarking;

namespace OvnAcl.Cli.Commands;

/// <summary><c>ovnacl bench …</c>: end-to-end figures against a real database.</summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure OvnAcl against a real OVSDB server, with its peers in the same run");
        bench.Add(Sync());
        return bench;
    }

    private static Command Sync()
    {
        var common = new CommonOptions();
        var shape = SyncBenchmarkShape.Default;
        var defaults = SyncBenchmarkOptions.Default;
        var populate = new Option<bool>("--populate") { Description = "First fill the database with a synthetic population, unless it already holds that many rows" };
        var acls = new Option<int>("--acls") { Description = "ACLs to populate (a multiple of --port-groups)", DefaultValueFactory = _ => shape.Acls };
        var groups = new Option<int>("--port-groups") { Description = "Port groups to populate", DefaultValueFactory = _ => shape.PortGroups };
        var sets = new Option<int>("--address-sets") { Description = "Address sets to populate", DefaultValueFactory = _ => shape.AddressSets };
        var ports = new Option<int>("--ports") { Description = "Logical switch ports to populate", DefaultValueFactory = _ => shape.LogicalSwitchPorts };
        var runs = new Option<int>("--runs") { Description = "Measured runs of every peer", DefaultValueFactory = _ => defaults.Runs };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured first runs of the in-process peers (OvnAcl, wire)", DefaultValueFactory = _ => defaults.WarmupRuns };
        var peers = new Option<string>("--peers") { Description = "Peers measured in the same run: dump, dump-json, ovsdbapp, wire, comma-separated, or none", DefaultValueFactory = _ => "dump,ovsdbapp,wire" };
        var timeout = new Option<int>("--run-timeout") { Description = "Seconds one run may take", DefaultValueFactory = _ => (int)defaults.RunTimeout.TotalSeconds };
        var python = new Option<string>("--python") { Description = "Python with ovsdbapp installed", DefaultValueFactory = _ => defaults.PythonProgram };
        var script = new Option<string?>("--ovsdbapp-script") { Description = "Path of benchmarks/peers/ovsdbapp_sync.py (default: found from the current directory or the CLI's)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var command = new Command("sync", "Time from nothing to a synchronized replica of the whole database: OvnAcl, ovsdb-client dump, ovsdbapp, the raw wire");
        common.AddTo(command);
        foreach (var option in new Option[] { populate, acls, groups, sets, ports, runs, warmup, peers, timeout, python, script, json })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var remotes = common.GetRemotes(result);
            var connection = common.GetConnectionOptions(result);
            var options = SyncBenchmarkOptions.Default with
            {
                Remotes = remotes,
                Runs = result.GetValue(runs),
                WarmupRuns = result.GetValue(warmup),
                Peers = SyncBenchmark.ParsePeers(result.GetValue(peers)!),
                RunTimeout = result.GetValue(timeout) > 0
                    ? TimeSpan.FromSeconds(result.GetValue(timeout))
                    : throw new CliException("--run-timeout must be 1 or more seconds"),
                Connection = connection,
                PythonProgram = result.GetValue(python)!,
                OvsdbappScript = result.GetValue(script) ?? SyncBenchmark.FindOvsdbappScript(Environment.CurrentDirectory, AppContext.BaseDirectory),
                Progress = Console.Error,
            };
            try
            {
                if (result.GetValue(populate))
                {
                    var population = await SyncBenchmarkDatabase.PopulateAsync(remotes, shape with
                    {
                        Acls = result.GetValue(acls),
                        PortGroups = result.GetValue(groups),
                        AddressSets = result.GetValue(sets),
                        LogicalSwitchPorts = result.GetValue(ports),
                    }, connection, ct).ConfigureAwait(false);
                    Console.Error.WriteLine(
                        $"{(population.Seeded ? "populated" : "already populated")}: {population.Acls} ACLs, {population.PortGroups} port groups, "
                        + $"{population.AddressSets} address sets, {population.LogicalSwitchPorts} ports ({population.Elapsed.TotalSeconds:0.0} s)");
                }

                var report = await SyncBenchmark.RunAsync(options, ct).ConfigureAwait(false);
                if (result.GetValue(json))
                {
                    using var stdout = Console.OpenStandardOutput();
                    using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                    {
                        report.WriteJson(writer);
                    }

                    Console.WriteLine();
                }
                else
                {
                    Console.Write(report.ToTable());
                }

                return 0;
            }
            catch (BenchmarkException ex)
            {
                throw new CliException(ex.Message);
            }
        }));
        return command;
    }
}
