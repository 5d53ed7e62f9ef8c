using System.Diagnostics;
using System.Globalization;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary>
/// <c>ovnacl bench enforce</c>: the cost of a formulation where users pay for it, on the hypervisors. An
/// <see cref="OvnChassisSandbox"/> with N simulated chassis and P pods bound round-robin on one switch; for each shape and
/// formulation the rows are written to the NB, and once every chassis has installed them (<c>--wait=hv</c>) the OpenFlow
/// flows they added are counted; then M change events are committed one at a time, each timed from northd seeing its
/// nb_cfg (<c>NB_Global.nb_cfg_timestamp</c>) to the last chassis reporting it installed (<c>Chassis_Private.nb_cfg_timestamp</c>),
/// and the CPU ovn-northd and the ovn-controllers spent on them is read from <c>/proc/PID/stat</c>.
/// </summary>
internal static class EnforceBenchmark
{
    // USER_HZ: /proc/PID/stat counts utime and stime in these on every Linux this runs on.
    private const double ClockTicksPerSecond = 100;

    public static async Task<EnforceReport> RunAsync(EnforceBenchmarkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Chassis is < 1 or > 250)
        {
            throw new ArgumentException($"must be between 1 and 250, not {options.Chassis}", nameof(EnforceBenchmarkOptions.Chassis));
        }

        if (options.Events < 1)
        {
            throw new ArgumentException($"must be 1 or more, not {options.Events}", nameof(EnforceBenchmarkOptions.Events));
        }

        if (options.Rounds < 1)
        {
            throw new ArgumentException($"must be 1 or more, not {options.Rounds}", nameof(EnforceBenchmarkOptions.Rounds));
        }

        var layout = new EnforceWorkload(EnforceShape.PodChurn, options.Pods);
        var names = Enumerable.Range(1, options.Chassis).Select(i => "hv" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        await using var sandbox = await OvnChassisSandbox.StartAsync(OvnChassisSandboxOptions.Default with { ChassisNames = names, SyncTimeout = options.SyncTimeout }, cancellationToken)
            .ConfigureAwait(false);
        Progress(options, $"{options.Chassis} chassis up in {sandbox.StartupDuration.TotalSeconds:0.0} s");

        var args = new List<string> { "ls-add", EnforceWorkload.SwitchName };
        for (var j = 0; j < options.Pods; j++)
        {
            var port = layout.PortName(j);
            args.AddRange(["--", "lsp-add", EnforceWorkload.SwitchName, port, "--", "lsp-set-addresses", port, $"{EnforceWorkload.Mac(j)} {EnforceWorkload.Address(j)}"]);
        }

        await sandbox.Central.RunNbctlAsync(args, cancellationToken).ConfigureAwait(false);
        await sandbox.BindPortsAsync(Enumerable.Range(0, options.Pods).Select(j => (layout.PortName(j), names[j % names.Count])), cancellationToken).ConfigureAwait(false);
        var baseline = await sandbox.CountFlowsAsync(cancellationToken).ConfigureAwait(false);
        Progress(options, $"{options.Pods} pods bound; {baseline.Values.Sum()} flows over all chassis with no policy");

        // Rounds alternate the formulations' order (A B, then B A) so that neither always runs first on a shape, or
        // always on a warmer machine; a shape's rounds are then pooled.
        var rounds = new List<EnforceSample>();
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var shape in options.Shapes)
            {
                foreach (var formulation in round % 2 == 0 ? options.Formulations : options.Formulations.Reverse())
                {
                    if (!EnforceBenchmarkOptions.Writes(formulation, shape))
                    {
                        if (round == 0)
                        {
                            Progress(options, $"{EnforceBenchmarkOptions.Name(shape)} {EnforceBenchmarkOptions.Name(formulation)}: not measured (it writes cluster policies in ACL tiers, which OVN 23.03 lacks)");
                        }

                        continue;
                    }

                    try
                    {
                        rounds.Add(await MeasureAsync(sandbox, shape, formulation, baseline, options, cancellationToken).ConfigureAwait(false));
                    }
                    catch (ToolFailedException ex)
                    {
                        // A refused row or a chassis that never caught up: the tool's stderr and the daemons' log tails say why.
                        throw new BenchmarkException($"{EnforceBenchmarkOptions.Name(shape)} / {EnforceBenchmarkOptions.Name(formulation)}: {ex.Message}{sandbox.Diagnostics(10)}", ex);
                    }

                    var s = rounds[^1];
                    Progress(options, $"round {round + 1}/{options.Rounds}: {s.Shape} {s.Formulation}: {s.Acls} ACLs, +{s.OpenflowFlows} flows (+{s.OpenflowFlowsMaxChassis} on the busiest chassis), enforce p50 {ChurnSample.Percentile(s.EnforceMs, 0.5):0.0} ms");
                }
            }
        }

        var samples = options.Shapes.SelectMany(shape => options.Formulations.Where(formulation => EnforceBenchmarkOptions.Writes(formulation, shape)).Select(formulation =>
            EnforceSample.Pool([.. rounds.Where(r => r.Shape == EnforceBenchmarkOptions.Name(shape) && r.Formulation == EnforceBenchmarkOptions.Name(formulation))]))).ToList();
        return new EnforceReport(options.Chassis, options.Pods, options.Events, options.Rounds, sandbox.StartupDuration.TotalSeconds, baseline.Values.Sum(), samples);
    }

    /// <summary>The rows of a formulation for the workload's cluster as it is now.</summary>
    internal static NorthboundRows Rows(EnforceWorkload workload, EnforceFormulation formulation) => formulation switch
    {
        EnforceFormulation.OvnAcl => KubernetesCompiler.Compile(workload.Input()).GetRowsOrThrow(),
        _ when !EnforceBenchmarkOptions.Writes(formulation, workload.Shape) =>
            throw new BenchmarkException($"{EnforceBenchmarkOptions.Name(formulation)} has no formulation of {EnforceBenchmarkOptions.Name(workload.Shape)} for OVN 23.03"),
        _ => OvnKubernetesFormulation.Rows(workload.PolicyObjects(), workload.PodObjects(), workload.NamespaceObjects(),
            p => p.Metadata.NamespaceProperty + "_" + p.Metadata.Name),
    };

    /// <summary>
    /// The <c>ovn-nbctl</c> commands (one transaction) that turn <paramref name="before"/> into <paramref name="after"/>,
    /// the same diff for both formulations: address sets created, re-membered or destroyed; port groups created with
    /// their ACLs or deleted; and in a port group kept, its ports set and the ACLs that differ deleted
    /// (<c>acl-del</c> by direction, priority and match) or created. With <paramref name="membersOnly"/> (a pod event),
    /// anything beyond members is refused: such an event must not change ACLs.
    /// </summary>
    internal static List<string> RowChanges(NorthboundRows before, NorthboundRows after, bool membersOnly)
    {
        if (membersOnly
            && (!before.PortGroups.Select(p => (p.Name, p.Acls)).SequenceEqual(after.PortGroups.Select(p => (p.Name, p.Acls)))
                || !before.AddressSets.Select(a => a.Name).SequenceEqual(after.AddressSets.Select(a => a.Name), StringComparer.Ordinal)))
        {
            throw new BenchmarkException("a pod event changed more than port group and address set members; a pod event must change members only");
        }

        var commands = new List<string>();
        var oldSets = before.AddressSets.ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var set in after.AddressSets)
        {
            if (!oldSets.Remove(set.Name, out var old))
            {
                commands.AddRange(["--", .. NbctlScriptWriter.CreateAddressSet(set)]);
            }
            else if (old.Addresses != set.Addresses)
            {
                commands.AddRange(set.Addresses.Count == 0
                    ? ["--", "clear", "Address_Set", set.Name, "addresses"]
                    : ["--", "set", "Address_Set", set.Name, "addresses=" + NbctlScriptWriter.Set(set.Addresses)]);
            }
        }

        var id = 0;
        var oldGroups = before.PortGroups.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var group in after.PortGroups)
        {
            if (!oldGroups.Remove(group.Name, out var old))
            {
                var ids = AddAcls(group.Acls);
                commands.AddRange(["--", "pg-add", group.Name, .. group.Ports]);
                if (ids.Count > 0)
                {
                    commands.AddRange(["--", "add", "Port_Group", group.Name, "acls", .. ids]);
                }

                continue;
            }

            if (old.Ports != group.Ports)
            {
                commands.AddRange(group.Ports.Count == 0 ? ["--", "clear", "Port_Group", group.Name, "ports"] : ["--", "pg-set-ports", group.Name, .. group.Ports]);
            }

            foreach (var gone in old.Acls.Except(group.Acls))
            {
                commands.AddRange(["--", "--type=port-group", "acl-del", group.Name, gone.Direction, gone.Priority.ToString(CultureInfo.InvariantCulture), gone.Match]);
            }

            var added = AddAcls([.. group.Acls.Except(old.Acls)]);
            if (added.Count > 0)
            {
                commands.AddRange(["--", "add", "Port_Group", group.Name, "acls", .. added]);
            }
        }

        foreach (var gone in oldGroups.Keys)
        {
            commands.AddRange(["--", "pg-del", gone]);
        }

        foreach (var gone in oldSets.Keys)
        {
            commands.AddRange(["--", "destroy", "Address_Set", gone]);
        }

        return commands;

        List<string> AddAcls(IEnumerable<AclRow> acls)
        {
            var ids = new List<string>();
            foreach (var acl in acls)
            {
                var name = "@acl" + id++.ToString(CultureInfo.InvariantCulture);
                ids.Add(name);
                commands.AddRange(["--", .. NbctlScriptWriter.CreateAcl(acl, name)]);
            }

            return ids;
        }
    }

    private static async Task<EnforceSample> MeasureAsync(OvnChassisSandbox sandbox, EnforceShape shape, EnforceFormulation formulation, IReadOnlyDictionary<string, int> baseline,
        EnforceBenchmarkOptions options, CancellationToken cancellationToken)
    {
        await OvsdbTool.TransactAsync(sandbox.Central.NbRemote,
            """["OVN_Northbound",{"op":"delete","table":"Port_Group","where":[]},{"op":"delete","table":"Address_Set","where":[]}]""", cancellationToken).ConfigureAwait(false);
        var workload = new EnforceWorkload(shape, options.Pods);
        var rows = Rows(workload, formulation);
        var script = Path.Combine(sandbox.Dir, $"{EnforceBenchmarkOptions.Name(shape)}-{EnforceBenchmarkOptions.Name(formulation)}.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl), cancellationToken).ConfigureAwait(false);
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.Central.NbRemote], options.SyncTimeout, cancellationToken).ConfigureAwait(false);
        await sandbox.WaitForChassisSyncAsync(cancellationToken).ConfigureAwait(false);
        var flows = await sandbox.CountFlowsAsync(cancellationToken).ConfigureAwait(false);
        var added = flows.ToDictionary(f => f.Key, f => f.Value - baseline[f.Key], StringComparer.Ordinal);

        var northd = sandbox.Central.Northd.Pid ?? throw new BenchmarkException("ovn-northd is not running");
        var controllers = sandbox.Chassis.Select(c => c.Controller?.Pid ?? throw new BenchmarkException($"ovn-controller of {c.Name} is not running")).ToList();
        var enforce = new List<double>();
        var wall = new List<double>();
        var recomputesBefore = await NorthdRecomputesAsync(sandbox, cancellationToken).ConfigureAwait(false);
        var northdBefore = CpuMilliseconds(northd);
        var controllersBefore = controllers.Sum(CpuMilliseconds);
        for (var k = 0L; k < options.Events; k++)
        {
            workload.Apply(k);
            var next = Rows(workload, formulation);
            var changes = RowChanges(rows, next, workload.ChangesMembersOnly);
            rows = next;
            if (changes.Count == 0)
            {
                throw new BenchmarkException($"event {k} of {EnforceBenchmarkOptions.Name(shape)} changed no row of {EnforceBenchmarkOptions.Name(formulation)}");
            }

            var started = Stopwatch.GetTimestamp();
            await sandbox.Central.RunNbctlAsync(["--wait=hv", "--timeout=" + (int)options.SyncTimeout.TotalSeconds, .. changes], cancellationToken).ConfigureAwait(false);
            wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            enforce.Add(await InstalledAfterMillisecondsAsync(sandbox, cancellationToken).ConfigureAwait(false));
        }

        var northdMs = CpuMilliseconds(northd) - northdBefore;
        var controllersMs = controllers.Sum(CpuMilliseconds) - controllersBefore;
        var recomputesAfter = await NorthdRecomputesAsync(sandbox, cancellationToken).ConfigureAwait(false);
        return new EnforceSample
        {
            Shape = EnforceBenchmarkOptions.Name(shape),
            Formulation = EnforceBenchmarkOptions.Name(formulation),
            PortGroups = rows.PortGroups.Count,
            AddressSets = rows.AddressSets.Count,
            Acls = rows.PortGroups.Sum(p => p.Acls.Count),
            OpenflowFlows = added.Values.Sum(),
            OpenflowFlowsMaxChassis = added.Values.Max(),
            OpenflowFlowsTotal = flows.Values.Sum(),
            Events = options.Events,
            EnforceMs = [.. enforce.Order()],
            WallMs = [.. wall.Order()],
            NorthdCpuMsPerChange = northdMs / options.Events,
            ControllerCpuMsPerChange = controllersMs / options.Events,
            NorthdRecomputes = recomputesAfter - recomputesBefore,
        };
    }

    /// <summary>
    /// After a <c>--wait=hv</c> change: the last chassis' <c>Chassis_Private.nb_cfg_timestamp</c> (it installed the OpenFlow
    /// for that nb_cfg) minus <c>NB_Global.nb_cfg_timestamp</c> (northd started on it). Same host, one clock.
    /// </summary>
    private static async Task<double> InstalledAfterMillisecondsAsync(OvnChassisSandbox sandbox, CancellationToken cancellationToken)
    {
        var global = (await sandbox.Central.RunNbctlAsync(["get", "NB_Global", ".", "nb_cfg", "nb_cfg_timestamp"], cancellationToken).ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (nbCfg, committed) = (global[0], global[1]);
        var chassis = (await OvsdbTool.RunAsync("ovn-sbctl", ["--db=" + sandbox.Central.SbRemote, "--format=csv", "--no-headings", "--columns=name,nb_cfg,nb_cfg_timestamp", "list", "Chassis_Private"],
                cancellationToken: cancellationToken).ConfigureAwait(false)).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(','))
            .Select(f => (Name: f[0].Trim('"'), NbCfg: long.Parse(f[1], CultureInfo.InvariantCulture), Installed: long.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToList();
        if (chassis.Count != sandbox.Chassis.Count || chassis.Any(c => c.NbCfg != nbCfg))
        {
            throw new BenchmarkException($"after --wait=hv for nb_cfg {nbCfg} the chassis report {string.Join(", ", chassis.Select(c => $"{c.Name}={c.NbCfg}"))}");
        }

        return chassis.Max(c => c.Installed) - committed;
    }

    /// <summary>
    /// How often ovn-northd's <c>northd</c> engine node has recomputed everything instead of handling a change
    /// incrementally (<c>inc-engine/show-stats</c>: "Node: northd", "- recompute: N"); null if northd does not say.
    /// </summary>
    private static async Task<long?> NorthdRecomputesAsync(OvnChassisSandbox sandbox, CancellationToken cancellationToken)
    {
        var stats = await sandbox.Central.Northd.TryAppctlAsync(["inc-engine/show-stats"], cancellationToken).ConfigureAwait(false);
        if (!stats.Succeeded)
        {
            return null;
        }

        var inNorthd = false;
        foreach (var line in stats.Stdout.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("Node:", StringComparison.Ordinal))
            {
                inNorthd = line == "Node: northd";
            }
            else if (inNorthd && line.StartsWith("- recompute:", StringComparison.Ordinal))
            {
                return long.Parse(line["- recompute:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of <c>/proc/PID/stat</c>, after the parenthesised name), in ms.</summary>
    internal static double CpuMilliseconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000 / ClockTicksPerSecond;
    }

    private static void Progress(EnforceBenchmarkOptions options, string line) => options.Progress?.WriteLine(line);
}
