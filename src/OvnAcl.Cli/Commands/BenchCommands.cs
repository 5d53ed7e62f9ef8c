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
        bench.Add(Enforce());
        return bench;
    }

    private static Command Enforce()
    {
        var defaults = EnforceBenchmarkOptions.Default;
        var chassis = new Option<int>("--chassis") { Description = "Simulated hypervisors (ovs-vswitchd + ovn-controller each)", DefaultValueFactory = _ => defaults.Chassis };
        var pods = new Option<int>("--pods") { Description = "Pods, spread round-robin over the chassis on one logical switch", DefaultValueFactory = _ => defaults.Pods };
        var events = new Option<int>("--events") { Description = "Change events timed per shape and formulation (a pod deleted, then created again; policy-churn: a policy added, updated, deleted)", DefaultValueFactory = _ => defaults.Events };
        var shapes = new Option<IReadOnlyList<EnforceShape>>("--shapes")
        {
            Description = "Policy shapes, comma-separated: pod-churn, ipblock-except, named-port, namespace-selector, policy-churn, cluster-policy (default: all; ovn-kubernetes has no cluster-policy formulation for OVN 23.03)",
            HelpName = "pod-churn,ipblock-except,...",
            DefaultValueFactory = _ => defaults.Shapes,
            CustomParser = OptionParsers.Using(EnforceBenchmarkOptions.ParseShapes),
        };
        var formulations = new Option<IReadOnlyList<EnforceFormulation>>("--formulations")
        {
            Description = "Whose rows: ovnacl (OvnAcl's compiler), ovn-kubernetes (the rows it writes for the same policies), comma-separated",
            HelpName = "ovnacl,ovn-kubernetes",
            DefaultValueFactory = _ => defaults.Formulations,
            CustomParser = OptionParsers.Using(EnforceBenchmarkOptions.ParseFormulations),
        };
        var rounds = new Option<int>("--rounds") { Description = "Rounds over every shape, the formulations' order alternating; a sample pools its rounds' events", DefaultValueFactory = _ => defaults.Rounds };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var reportFile = new Option<string?>("--report") { Description = "Also write the figures as JSON to this file" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of the flows on the busiest chassis and the enforce times (needs python3-matplotlib)" };
        var python = new Option<string>("--python") { Description = "Python with matplotlib, for --plot", DefaultValueFactory = _ => "/usr/bin/python3" };
        var command = new Command("enforce", "OpenFlow flows, time until every chassis has installed a change, and northd/ovn-controller CPU, for OvnAcl's rows and ovn-kubernetes'");
        foreach (var option in new Option[] { chassis, pods, events, rounds, shapes, formulations, json, reportFile, plot, python })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(result, async () =>
        {
            var report = await EnforceBenchmark.RunAsync(defaults with
            {
                Chassis = result.GetValue(chassis),
                Pods = result.GetValue(pods),
                Events = result.GetValue(events),
                Rounds = result.GetValue(rounds),
                Shapes = result.GetValue(shapes)!,
                Formulations = result.GetValue(formulations)!,
                Progress = CommandRunner.Error(result),
            }, ct).ConfigureAwait(false);
            await EmitAsync(result, report.WriteJson, report.ToTable, "enforce_plot.py", new Output(result.GetValue(plot), result.GetValue(json), result.GetValue(reportFile)),
                result.GetValue(python)!, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Churn()
    {
        var common = new CommonOptions();
        var defaults = ChurnBenchmarkOptions.Default;
        var start = new Option<List<BenchmarkServerKind>>("--start")
        {
            Description = "Start the database(s) to measure instead of --db: standalone, raft (3 nodes), or standalone,raft",
            HelpName = "standalone|raft|standalone,raft",
            CustomParser = OptionParsers.Using(ParseServerKinds),
        };
        var pods = new Option<int>("--pods") { Description = "Pods (and logical switch ports)", DefaultValueFactory = _ => defaults.Pods };
        var policies = new Option<int>("--policies") { Description = "Policies, one per namespace", DefaultValueFactory = _ => defaults.Policies };
        var events = new Option<int>("--events") { Description = "Pod events per measured run", DefaultValueFactory = _ => defaults.Events };
        var rate = new Option<List<double>?>("--rate", "--sweep")
        {
            Description = "Offered load(s) in events/s, comma-separated for a sweep (default: as fast as possible)",
            CustomParser = OptionParsers.NumberList<double>(),
        };
        var batch = new Option<List<int>?>("--batch")
        {
            Description = "Events per transaction, comma-separated (the peers' batch; OvnAcl's most per transaction)",
            DefaultValueFactory = _ => [.. defaults.Batches],
            CustomParser = OptionParsers.NumberList<int>(),
        };
        var peers = new Option<ChurnBenchmarkPeers>("--peers")
        {
            Description = "Peers measured in the same run: ovsdbapp, raw, comma-separated, or none (default: ovsdbapp,raw)",
            HelpName = "ovsdbapp,raw|none",
            DefaultValueFactory = _ => ChurnBenchmark.ParsePeers("ovsdbapp,raw"),
            CustomParser = OptionParsers.Using(ChurnBenchmark.ParsePeers),
        };
        var runs = new Option<int>("--runs") { Description = "Measured runs of each client per batch and load (the median is reported)", DefaultValueFactory = _ => defaults.Runs };
        var warmup = new Option<int>("--warmup-events") { Description = "Unmeasured events OvnAcl and raw each run first, so that they are measured with the JIT warm", DefaultValueFactory = _ => defaults.WarmupEvents };
        var pipeline = new Option<int>("--pipeline") { Description = "Transactions OvnAcl's reconciler keeps in flight", DefaultValueFactory = _ => defaults.PipelineDepth };
        var python = new Option<string>("--python") { Description = "Python with ovsdbapp (and matplotlib for --plot) installed", DefaultValueFactory = _ => defaults.PythonProgram };
        var script = new Option<string?>("--ovsdbapp-script") { Description = "Path of ovsdbapp_churn.py (default: peers/ovsdbapp_churn.py next to the ovnacl binary, copied there from benchmarks/peers at build)" };
        var plot = new Option<string?>("--plot") { Description = "Write a PNG of throughput and latency against offered load (needs python3-matplotlib)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var soakDefaults = ChurnSoakOptions.Default;
        var soak = new Option<TimeSpan?>("--soak")
        {
            Description = "Soak instead: offer one --rate (default 1000/s) for this long (e.g. 10m, 90s) with faults injected into the --start'ed database(s); figures in docs/reliability.md",
            HelpName = "duration",
            CustomParser = OptionParsers.Duration,
        };
        var faults = new Option<IReadOnlyList<SoakFault>?>("--faults")
        {
            Description = "With --soak: faults injected in turn: kill, freeze, kill-follower, or none (default: kill,freeze; on RAFT also kill-follower; kill/freeze hit the leader)",
            CustomParser = OptionParsers.Using(ChurnSoakOptions.ParseFaults),
        };
        var reportFile = new Option<string?>("--report") { Description = "Also write the figures as JSON to this file (with --soak: every series the plot draws)" };
        var faultEvery = new Option<TimeSpan?>("--fault-every")
        {
            Description = "With --soak: time between faults",
            HelpName = "duration",
            DefaultValueFactory = _ => soakDefaults.FaultEvery,
            CustomParser = OptionParsers.Duration,
        };
        var command = new Command("churn", "Pod add/delete events through OvnAcl's engine, reconciler and client into a real NB, next to ovsdbapp and a raw pipelined client");
        common.AddTo(command);
        foreach (var option in new Option[] { start, pods, policies, events, rate, batch, peers, runs, warmup, pipeline, python, script, plot, json, soak, faults, faultEvery, reportFile })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(result, async () =>
        {
            var kinds = result.GetValue(start) ?? [];
            var error = CommandRunner.Error(result);
            var options = ChurnBenchmarkOptions.Default with
            {
                Remotes = kinds.Count == 0 ? common.GetRemotes(result) : "",
                Start = kinds,
                Pods = result.GetValue(pods),
                Policies = result.GetValue(policies),
                Events = result.GetValue(events),
                Rates = result.GetValue(rate) ?? [],
                Batches = result.GetValue(batch) ?? [],
                Peers = result.GetValue(peers),
                Runs = result.GetValue(runs),
                WarmupEvents = result.GetValue(warmup),
                PipelineDepth = result.GetValue(pipeline),
                Connection = common.GetConnectionOptions(result),
                PythonProgram = result.GetValue(python)!,
                OvsdbappScript = result.GetValue(script) ?? defaults.OvsdbappScript,
                Progress = error,
                ProgressBar = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected,
            };
            var output = new Output(result.GetValue(plot), result.GetValue(json), result.GetValue(reportFile));
            if (result.GetValue(soak) is { } soakFor)
            {
                var rates = options.Rates.Count == 0 ? [soakDefaults.Rate] : options.Rates;
                if (rates.Count != 1 || options.Batches.Count != 1)
                {
                    throw new CliException("--soak takes one --rate and one --batch");
                }

                var soakReport = await ChurnSoak.RunAsync(options with
                {
                    Soak = soakDefaults with
                    {
                        Duration = soakFor,
                        Rate = rates[0],
                        FaultEvery = result.GetValue(faultEvery)!.Value,
                        Faults = result.GetValue(faults),
                    },
                }, ct).ConfigureAwait(false);
                await EmitAsync(result, soakReport.WriteJson, soakReport.ToTable, "soak_plot.py", output, options.PythonProgram, ct).ConfigureAwait(false);
                var failures = soakReport.Failures();
                foreach (var failure in failures)
                {
                    await error.WriteLineAsync("error: " + failure).ConfigureAwait(false);
                }

                return failures.Count == 0 ? 0 : 1;
            }

            var report = await ChurnBenchmark.RunAsync(options, ct).ConfigureAwait(false);
            await EmitAsync(result, report.WriteJson, report.ToTable, "churn_plot.py", output, options.PythonProgram, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static List<BenchmarkServerKind> ParseServerKinds(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(k => k.ToLowerInvariant() switch
        {
            "standalone" => BenchmarkServerKind.Standalone,
            "raft" => BenchmarkServerKind.Raft,
            _ => throw new FormatException($"takes standalone, raft or both, not '{k}'"),
        })];

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
        [nameof(EnforceBenchmarkOptions.Chassis)] = "--chassis",
        [nameof(EnforceBenchmarkOptions.Rounds)] = "--rounds",
    };

    /// <summary>Runs a bench command: a benchmark's failure and a bad option value become one error line naming the flag.</summary>
    private static Task<int> RunAsync(ParseResult result, Func<Task<int>> body) => CommandRunner.RunAsync(result, async () =>
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

    /// <summary>Writes the report file and the plot if asked, then the JSON or the table to the output.</summary>
    private static async Task EmitAsync(ParseResult result, Action<Utf8JsonWriter> writeJson, Func<string> toTable, string plotScriptName, Output output, string python,
        CancellationToken cancellationToken)
    {
        if (output.ReportFile is not null)
        {
            await using var file = File.Create(output.ReportFile);
            await using var writer = new Utf8JsonWriter(file, s_jsonWriterOptions);
            writeJson(writer);
        }

        if (output.Plot is not null)
        {
            await ChurnPlot.DrawAsync(writeJson, PeerScripts.Plot(plotScriptName), output.Plot, python, cancellationToken).ConfigureAwait(false);
            await CommandRunner.Error(result).WriteLineAsync($"plot written to {output.Plot}").ConfigureAwait(false);
        }

        await CommandRunner.Output(result).WriteAsync(output.Json ? Json(writeJson) : toTable()).ConfigureAwait(false);
    }

    /// <summary>Indented, match syntax and '&gt;' unescaped: as every <c>--json</c> output (README, "JSON output").</summary>
    private static readonly JsonWriterOptions s_jsonWriterOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A report's JSON (snake_case, as every <c>--json</c> output), with a final newline.</summary>
    private static string Json(Action<Utf8JsonWriter> writeJson)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_jsonWriterOptions))
        {
            writeJson(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
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
        var peers = new Option<SyncBenchmarkPeers>("--peers")
        {
            Description = "Peers measured in the same run: dump, dump-json, ovsdbapp, wire, comma-separated, or none (default: dump,ovsdbapp,wire)",
            HelpName = "dump,dump-json,ovsdbapp,wire|none",
            DefaultValueFactory = _ => SyncBenchmark.ParsePeers("dump,ovsdbapp,wire"),
            CustomParser = OptionParsers.Using(SyncBenchmark.ParsePeers),
        };
        var timeout = new Option<TimeSpan?>("--run-timeout")
        {
            Description = "Time one run may take: seconds, or a duration such as 90s or 5m",
            HelpName = "duration",
            DefaultValueFactory = _ => defaults.RunTimeout,
            CustomParser = OptionParsers.Duration,
        };
        var python = new Option<string>("--python") { Description = "Python with ovsdbapp installed", DefaultValueFactory = _ => defaults.PythonProgram };
        var script = new Option<string?>("--ovsdbapp-script") { Description = "Path of ovsdbapp_sync.py (default: peers/ovsdbapp_sync.py next to the ovnacl binary, copied there from benchmarks/peers at build)" };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON object (fields in docs/benchmarks.md)" };
        var command = new Command("sync", "Time from nothing to a synchronized replica of the whole database: OvnAcl, ovsdb-client dump, ovsdbapp, the raw wire");
        common.AddTo(command);
        foreach (var option in new Option[] { populate, acls, groups, sets, ports, runs, warmup, peers, timeout, python, script, json })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => RunAsync(result, async () =>
        {
            var remotes = common.GetRemotes(result);
            var connection = common.GetConnectionOptions(result);
            var error = CommandRunner.Error(result);
            var options = SyncBenchmarkOptions.Default with
            {
                Remotes = remotes,
                Runs = result.GetValue(runs),
                WarmupRuns = result.GetValue(warmup),
                Peers = result.GetValue(peers),
                RunTimeout = result.GetValue(timeout)!.Value,
                Connection = connection,
                PythonProgram = result.GetValue(python)!,
                OvsdbappScript = result.GetValue(script) ?? defaults.OvsdbappScript,
                Progress = error,
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
                await error.WriteLineAsync(
                    $"{(population.Seeded ? "populated" : "already populated")}: {population.Acls} ACLs, {population.PortGroups} port groups, "
                    + $"{population.AddressSets} address sets, {population.LogicalSwitchPorts} ports ({population.Elapsed.TotalSeconds:0.0} s)").ConfigureAwait(false);
            }

            var report = await SyncBenchmark.RunAsync(options, ct).ConfigureAwait(false);
            await CommandRunner.Output(result).WriteAsync(result.GetValue(json) ? Json(report.WriteJson) : report.ToTable()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
