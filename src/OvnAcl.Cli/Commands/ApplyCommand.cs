using System.CommandLine;
using OvnAcl.Kubernetes;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl apply --db REMOTE [--dry-run] [--controller NAME] [--json] INPUT...</c>: reconciles the Northbound database to
/// the rows the input compiles to. The controller's rows the input no longer wants are deleted; rows of other owners are
/// never touched. Prints the plan (rows inserted, updated, deleted; members and ACLs; operations; request bytes), then
/// applies it. Exit 0 when the database holds every wanted row, 2 when some were left alone (a name owned by someone
/// else, a column the schema lacks), 1 on an error (nothing is written when the input has one). An input with no objects
/// is refused (exit 1, nothing sent, the message says what it would delete) unless <c>--allow-empty</c>. Cluster
/// policies take the form the server's schema has (<c>--target auto</c>: ACL tiers and pass from OVN 23.06, flattened
/// before), or the one <c>--target VERSION</c> names; a tiered one on a server without tiers is refused before sending.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Files or directories: Kubernetes NetworkPolicies, Pods and Namespaces (YAML/JSON; - reads standard input), or Neutron API JSON",
            Arity = ArgumentArity.OneOrMore,
        }.NoOptionLikePaths();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and send nothing" };
        var allowEmpty = new Option<bool>("--allow-empty")
        {
            Description = "Apply an input with no objects, deleting every row of the controller (refused without it: a wrong path must not remove all isolation)",
        };
        var controller = CompileCommand.ControllerOption("Owner of the rows (external_ids:owner-controller): only its rows are changed or deleted");
        var rowsOption = new Option<bool>("--rows") { Description = "List every row the plan changes, not only the totals" };
        var json = new Option<bool>("--json") { Description = "Print the plan and the outcome as one JSON object" };
        var maxChanges = new Option<int>("--max-changes")
        {
            Description = "At most this many changes (members, ACLs, rows) per transaction; larger plans are sent in several",
            DefaultValueFactory = _ => AclReconcilerOptions.Default.MaxChangesPerTransaction,
        }.InRange(1);
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = "Time to connect and apply, counted from the start (the connection is made while the input compiles): seconds, or a duration such as 90s or 2m",
            HelpName = "duration",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
            CustomParser = OptionParsers.Duration,
        };
        var ns = CompileCommand.NamespaceOption();
        var target = CompileCommand.TargetOption(auto: true);
        var command = new Command("apply", "Reconcile the Northbound database to the rows compiled from Kubernetes or Neutron input: only what differs is written");
        common.AddTo(command);
        command.Add(inputs);
        command.Add(dryRun);
        command.Add(allowEmpty);
        command.Add(controller);
        command.Add(rowsOption);
        command.Add(json);
        command.Add(maxChanges);
        command.Add(timeout);
        command.Add(ns);
        command.Add(target);
        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            var name = result.GetValue(controller)!;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(result.GetValue(timeout)!.Value);

            // The connection is made while the input compiles: at 100,000 pods the replica takes seconds to arrive and
            // the compile seconds more, on other cores. Nothing is written before the compile succeeded, and an input
            // with errors is reported as such whatever the database (or the --db option) says.
            OvsdbClient? client = null;
            Task started;
            try
            {
                client = common.CreateClient(result, "OVN_Northbound", AclReconciler.MonitoredTables());
                started = client.StartAsync(deadline.Token);
            }
            catch (CliException ex)
            {
                started = Task.FromException(ex);
            }

            await using var owned = client;
            var paths = result.GetValue(inputs)!;
            PolicyCompilation compilation;
            var tiered = TargetTiers(result) ?? false;
            try
            {
                compilation = await PolicyCompiler.CompileAsync(paths, CompileCommand.Options(name, result.GetValue(ns), tiered), ct).ConfigureAwait(false);
                if (compilation.Rows is null && TargetTiers(result) is null && client is not null && compilation.KubernetesInput is { } input
                    && compilation.Diagnostics.Where(d => d.IsError).All(d => d.Code == CompileDiagnosticCodes.AdminPassNeedsTiers))
                {
                    // Refused only for want of ACL tiers (OVNK0409): under --target auto the server may have them.
                    // Its diagnostics are printed below, whichever compilation stands.
                    if (await SchemaHasTiersAsync(client, started).ConfigureAwait(false))
                    {
                        compilation = CompileTiered(result, input, name);
                        tiered = true;
                    }
                }

                await CompileCommand.ReportAsync(result, compilation).ConfigureAwait(false);
            }
            catch
            {
                await AbandonAsync(deadline, started).ConfigureAwait(false);
                throw;
            }

            var rows = compilation.Rows;
            if (rows is null)
            {
                await AbandonAsync(deadline, started).ConfigureAwait(false);
                return 1;
            }

            try
            {
                return await ApplyAsync(result, compilation, tiered, client!, started, paths, name, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new CliException($"the database was not reached and reconciled within {result.GetValue(timeout)!.Value.TotalSeconds:0.###} s (--timeout); run with -v to see the connection attempts");
            }
        }));
        return command;

        async Task<int> ApplyAsync(ParseResult result, PolicyCompilation compilation, bool compiledTiered, OvsdbClient client, Task started, string[] paths, string name,
            CancellationToken deadline)
        {
            await started.ConfigureAwait(false);
            (compilation, var form) = ForSchema(result, compilation, compiledTiered, client.Schema, name);
            var rows = compilation.Rows!;
            var empty = compilation.ObjectCount == 0;
            var desired = new DesiredState(name);
            desired.Load(rows);
            await using var reconciler = new AclReconciler(client, desired, AclReconcilerOptions.Default with { MaxChangesPerTransaction = result.GetValue(maxChanges) });
            var plan = await reconciler.PlanAsync(deadline).ConfigureAwait(false);
            if (empty && !result.GetValue(allowEmpty))
            {
                // Never fail open: an input that names nothing (a wrong path, a glob that matched no file) would
                // delete every row of the controller, and with them every isolation. kubectl apply refuses it too.
                throw new CliException(
                    $"the input has no objects ({string.Join(", ", paths)}); applying it would delete {ReconcilePlanReport.DescribeDeletions(plan)} owned by '{name}'. " +
                    "Nothing was sent; pass --allow-empty if deleting them is meant");
            }

            var output = CommandRunner.Output(result);
            var listRows = result.GetValue(rowsOption);
            if (result.GetValue(dryRun))
            {
                await output.WriteAsync(result.GetValue(json)
                    ? ReconcilePlanReport.ToJson(plan)
                    : form + ReconcilePlanReport.ToText(plan, listRows, empty) + "Dry run: nothing sent." + Environment.NewLine).ConfigureAwait(false);
                return plan.Conflicts.Count > 0 ? 2 : 0;
            }

            var outcome = await reconciler.ReconcileOnceAsync(deadline).ConfigureAwait(false);
            await output.WriteAsync(result.GetValue(json)
                ? ReconcilePlanReport.ToJson(plan, outcome)
                : form + ReconcilePlanReport.ToText(plan, listRows, empty) + ReconcilePlanReport.ToText(outcome)).ConfigureAwait(false);
            if (outcome.Error is { } error)
            {
                throw new CliException("the database did not take every change: " + error);
            }

            return outcome.Conflicts.Count > 0 ? 2 : 0;
        }

        // The objects already read, compiled again in ACL tiers for a server that has them.
        PolicyCompilation CompileTiered(ParseResult result, KubernetesInput input, string name) =>
            PolicyCompiler.Compile(input, CompileCommand.Options(name, result.GetValue(ns), aclTiers: true).Kubernetes);

        // --target: null for auto (the schema decides), else whether the named version has ACL tiers.
        bool? TargetTiers(ParseResult result) =>
            result.GetValue(target) is var text && text == CompileCommand.AutoTarget ? null : CompileCommand.HasAclTiers(text!);

        // The compilation for the database's schema, and the line saying which form cluster policies take (empty
        // without them). The input was compiled flattened while connecting; a schema with ACL tiers (OVN 23.06+) under
        // --target auto gets it compiled again in tiers, from the objects already read. A tiered --target on a schema
        // without tiers is refused before anything is sent.
        (PolicyCompilation Compilation, string Form) ForSchema(ParseResult result, PolicyCompilation compilation, bool compiledTiered, DatabaseSchema schema, string name)
        {
            var serverTiers = NorthboundFeatures.HasAclTiers(schema);
            var wanted = TargetTiers(result);
            if (wanted == true && !serverTiers)
            {
                throw new CliException($"--target {result.GetValue(target)} writes ACL tiers and pass, but this database's NB schema {schema.Version} has no ACL tier column or no pass action " +
                    "(OVN 23.06 and later have them); nothing was sent. Use --target auto, or the database's version");
            }

            if (wanted is null && serverTiers && !compiledTiered && compilation.KubernetesInput is { } input)
            {
                compilation = CompileTiered(result, input, name);
            }

            var tiered = wanted ?? serverTiers;
            var form = compilation.KubernetesInput is { ClusterPolicies.IsEmpty: false }
                ? tiered
                    ? $"Cluster policies: in ACL tiers (1 admin, 2 NetworkPolicy, 3 baseline) with pass, for NB schema {schema.Version}{(wanted is null ? " (--target auto)" : "")}.{Environment.NewLine}"
                    : $"Cluster policies: flattened into one priority order, for NB schema {schema.Version}{(wanted is null ? " (--target auto: no ACL tiers)" : "")}.{Environment.NewLine}"
                : "";
            return (compilation, form);
        }
    }

    /// <summary>Whether the server's schema has ACL tiers, once connected; false when the connection fails (its error is reported later).</summary>
    private static async Task<bool> SchemaHasTiersAsync(OvsdbClient client, Task started)
    {
        try
        {
            await started.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OvsdbException or CliException or IOException)
        {
            return false;
        }

        return NorthboundFeatures.HasAclTiers(client.Schema);
    }

    /// <summary>Stops a connection the command no longer needs (the input had errors) and forgets how it ended.</summary>
    private static async Task AbandonAsync(CancellationTokenSource deadline, Task started)
    {
        await deadline.CancelAsync().ConfigureAwait(false);
        try
        {
            await started.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OvsdbException or CliException or IOException)
        {
            // the input's diagnostics are the answer
        }
    }
}
