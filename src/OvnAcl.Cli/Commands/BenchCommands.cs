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
        bench.Add(Churn());
        return bench;
    }

    private static Command Churn()
    {
        var common = new CommonOptions();
        var defaults = ChurnBenchmarkOptions.Default;
        var start = new Option<string?>("--start") { Description = "Start the database(s) to measure instead of --db: standalone, raft (3 nodes), or standalone,raft" };
        var pods = new Option<int>("--pods") { Description = "Pods (and logical switch ports)", DefaultValueFactory = _ => defaults.Pods };
        var policies = new Option<int>("--policies") { Description = "Policies, one per namespace", DefaultValueFactory = _ => defaults.Policies };
        var events = new Option<int>("--events") { Description = "Pod events per measured run", DefaultValueFactory = _ => defaults.Events };
        var rate = new Option<string?>("--rate", "--sweep") { Description = "Offered load(s) in events/s, comma-separated for a sweep (default: as fast as possible)" };
        var batch = new Option<string>("--batch") { Description = "Events per transaction, comma-separated (the peers' batch; OvnAcl's most per transaction)", DefaultValueFactory = _ => "100" };
        var peers = new Option<string>("--peers") { Description = "Peers measured in the same run: ovsdbapp, raw, comma-separated, or none", DefaultValueFactory = _ => "ovsdbapp,raw" };
        var runs = new Option<int>("--runs") { Description = "Measured runs of each client per batch and load (the median is reported)", DefaultValueFactory = _ => defaults.Runs };
        var warmup = new Option<int>("--warmup-events") { Description = "Unmeasured events OvnAcl and raw each run first, so that they are measured with the JIT warm", DefaultValueFactory = _ => defaults.WarmupEvents };
        var pipeline = new Option<int>("--pipeline") { Description = "Transactions OvnAcl's reconciler keeps in flight", DefaultValueFactory = _ => defaults.PipelineDepth };
        var python = new Option<string>("--python") { Description = "Python with ovsdbapp (and matplotlib for --plot) installed", DefaultValueFactory = _ => defaults.PythonProgram };
        var script = new Option<string?>("--ovsdbapp-script") { Description = "Path of ovsdbapp_churn.py (default: peers/ovsdbapp_churn.py next to the ovnacl binary, copied there from benchmarks/peers at build)" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of throughput and latency against offered load (needs python3-matplotlib)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var soakDefaults = ChurnSoakOptions.Default;
        var soak = new Option<string?>("--soak") { Description = "Soak instead: offer one --rate (default 1000/s) for this long (e.g. 10m, 90s) with faults injected into the --start'ed database(s); figures in docs/reliability.md" };
        var faults = new Option<string?>("--faults") { Description = "With --soak: faults injected in turn: kill, freeze, kill-follower, or none (default: kill,freeze; on RAFT also kill-follower; kill/freeze hit the leader)" };
        var reportFile = new Option<string?>("--report") { Description = "Also write the figures as JSON to this file (with --soak: every series the plot draws)" };
        var faultEvery = new Option<string>("--fault-every") { Description = "With --soak: time between faults", DefaultValueFactory = _ => $"{soakDefaults.FaultEvery.TotalSeconds:0}s" };
        var command = new Command("churn", "Pod add/delete events through OvnAcl's engine, reconciler and client into a real NB, next to ovsdbapp and a raw pipelined client");
        common.AddTo(command);
        foreach (var option in new Option[] { start, pods, policies, events, rate, batch, peers, runs, warmup, pipeline, python, script, plot, json, soak, faults, faultEvery, reportFile })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(async () =>
        {
            var kinds = (result.GetValue(start) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(k => k.ToLowerInvariant() switch
                {
                    "standalone" => BenchmarkServerKind.Standalone,
                    "raft" => BenchmarkServerKind.Raft,
                    _ => throw new CliException($"--start takes standalone, raft or both, not '{k}'"),
                }).ToList();
            var options = ChurnBenchmarkOptions.Default with
            {
                Remotes = kinds.Count == 0 ? common.GetRemotes(result) : "",
                Start = kinds,
                Pods = result.GetValue(pods),
                Policies = result.GetValue(policies),
                Events = result.GetValue(events),
                Rates = ParseList(result.GetValue(rate), "--rate", double.Parse),
                Batches = ParseList(result.GetValue(batch), "--batch", int.Parse),
                Peers = ChurnBenchmark.ParsePeers(result.GetValue(peers)!),
                Runs = result.GetValue(runs),
                WarmupEvents = result.GetValue(warmup),
                PipelineDepth = result.GetValue(pipeline),
                Connection = common.GetConnectionOptions(result),
                PythonProgram = result.GetValue(python)!,
                OvsdbappScript = result.GetValue(script) ?? defaults.OvsdbappScript,
                Progress = Console.Error,
                ProgressBar = !Console.IsErrorRedirected,
            };
            if (result.GetValue(soak) is { } soakFor)
            {
                var rates = options.Rates.Count == 0 ? [soakDefaults.Rate] : options.Rates;
                if (rates.Count != 1 || options.Batches.Count != 1)
                {
                    throw new CliException("--soak takes one --rate and one --batch");
                }

                return await SoakAsync(options with
                {
                    Soak = soakDefaults with
                    {
                        Duration = ParseDuration(soakFor, "--soak"),
                        Rate = rates[0],
                        FaultEvery = ParseDuration(result.GetValue(faultEvery)!, "--fault-every"),
                        Faults = result.GetValue(faults) is { } list ? ChurnSoakOptions.ParseFaults(list) : null,
                    },
                }, new Output(result.GetValue(plot), result.GetValue(json), result.GetValue(reportFile)), ct).ConfigureAwait(false);
            }

            var report = await ChurnBenchmark.RunAsync(options, ct).ConfigureAwait(false);
            await EmitAsync(report.WriteJson, report.ToTable, "churn_plot.py", new Output(result.GetValue(plot), result.GetValue(json), result.GetValue(reportFile)), options.PythonProgram, ct)
                .ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The flag of each benchmark option that the bench names as an <see cref="ArgumentException.ParamName"/> (a
    /// property of its options): the bench words its errors for any caller, the CLI says which flag was wrong.
    /// </summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        [nameof(ChurnBenchmarkOptions.Remotes)] = "--db",
        [nameof(ChurnBenchmarkOptions.Start)] = "--start",
        [nameof(ChurnBenchmarkOptions.Pods)] = "--pods",
        [nameof(ChurnBenchmarkOptions.Policies)] = "--policies",
        [nameof(ChurnBenchmarkOptions.Events)] = "--events",
        [nameof(ChurnBenchmarkOptions.Runs)] = "--runs",
        [nameof(ChurnBenchmarkOptions.Batches)] = "--batch",
        [nameof(ChurnBenchmarkOptions.Rates)] = "--rate",
        [nameof(ChurnBenchmarkOptions.Peers)] = "--peers",
        [nameof(ChurnBenchmarkOptions.PipelineDepth)] = "--pipeline",
        [nameof(ChurnBenchmarkOptions.WarmupEvents)] = "--warmup-events",
        [nameof(ChurnBenchmarkOptions.Soak)] = "--soak",
        [nameof(ChurnSoakOptions.Faults)] = "--faults",
        [nameof(ChurnSoakOptions.FaultEvery)] = "--fault-every",
        [nameof(SyncBenchmarkOptions.WarmupRuns)] = "--warmup",
        [nameof(SyncBenchmarkShape.Acls)] = "--acls",
    };

    /// <summary>Runs a bench command: a benchmark's failure and a bad option value become one error line naming the flag.</summary>
    private static Task<int> RunAsync(Func<Task<int>> body) => CommandRunner.RunAsync(async () =>
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (BenchmarkException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (ArgumentException ex) when (ex.ParamName is { } name && Flags.TryGetValue(name, out var flag))
        {
            var suffix = $" (Parameter '{name}')";
            throw new CliException($"{flag}: {(ex.Message.EndsWith(suffix, StringComparison.Ordinal) ? ex.Message[..^suffix.Length] : ex.Message)}");
        }
    });

    /// <summary>Where a benchmark's figures go besides the screen: a plot, JSON instead of the table, a JSON file.</summary>
    private sealed record Output(string? Plot, bool Json, string? ReportFile);

    /// <summary>Writes the report file and the plot if asked, then the JSON or the table to stdout.</summary>
    private static async Task EmitAsync(Action<Utf8JsonWriter> writeJson, Func<string> toTable, string plotScriptName, Output output, string python, CancellationToken cancellationToken)
    {
        if (output.ReportFile is not null)
        {
            await using var file = File.Create(output.ReportFile);
            await using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
            writeJson(writer);
        }

        if (output.Plot is not null)
        {
            await ChurnPlot.DrawAsync(writeJson, PeerScripts.Plot(plotScriptName), output.Plot, python, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine($"plot written to {output.Plot}");
        }

        if (output.Json)
        {
            using var stdout = Console.OpenStandardOutput();
            using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                writeJson(writer);
            }

            Console.WriteLine();
        }
        else
        {
            Console.Write(toTable());
        }
    }

    private static async Task<int> SoakAsync(ChurnBenchmarkOptions options, Output output, CancellationToken cancellationToken)
    {
        var report = await ChurnSoak.RunAsync(options, cancellationToken).ConfigureAwait(false);
        await EmitAsync(report.WriteJson, report.ToTable, "soak_plot.py", output, options.PythonProgram, cancellationToken).ConfigureAwait(false);

        // A soak that lost or added anything, or changed another owner's rows, is a failure, not a figure.
        var bad = report.Servers.Where(s => s.Missing + s.Extra + s.Differing + s.OthersChanged > 0 || s.Confirmed != s.Offered).ToList();
        foreach (var server in bad)
        {
            Console.Error.WriteLine($"error: {server.Name}: the database did not converge to the desired rows (missing {server.Missing}, extra {server.Extra}, differing {server.Differing}, other owner's rows changed {server.OthersChanged}, unconfirmed {server.Offered - server.Confirmed})");
        }

        return bad.Count == 0 ? 0 : 1;
    }

    /// <summary>Reads <c>90</c>, <c>90s</c>, <c>10m</c> or <c>1h</c>.</summary>
    private static TimeSpan ParseDuration(string text, string option)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? char.ToLowerInvariant(trimmed[^1]) : 's';
        var number = char.IsLetter(trimmed.LastOrDefault()) ? trimmed[..^1] : trimmed;
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || !(value > 0)
            || unit is not ('s' or 'm' or 'h'))
        {
            throw new CliException($"{option} takes a duration such as 90s, 10m or 1h, not '{text}'");
        }

        return unit switch { 'h' => TimeSpan.FromHours(value), 'm' => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
    }

    private static List<T> ParseList<T>(string? text, string option, Func<string, IFormatProvider, T> parse)
    {
        try
        {
            return [.. (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => parse(t, System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (FormatException)
        {
            throw new CliException($"{option} takes comma-separated numbers, not '{text}'");
        }
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
        var script = new Option<string?>("--ovsdbapp-script") { Description = "Path of ovsdbapp_sync.py (default: peers/ovsdbapp_sync.py next to the ovnacl binary, copied there from benchmarks/peers at build)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var command = new Command("sync", "Time from nothing to a synchronized replica of the whole database: OvnAcl, ovsdb-client dump, ovsdbapp, the raw wire");
        common.AddTo(command);
        foreach (var option in new Option[] { populate, acls, groups, sets, ports, runs, warmup, peers, timeout, python, script, json })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(async () =>
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
                OvsdbappScript = result.GetValue(script) ?? defaults.OvsdbappScript,
                Progress = Console.Error,
            };
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
        }));
        return command;
    }
}
