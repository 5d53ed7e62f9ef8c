using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl apply --db REMOTE [--dry-run] [--controller NAME] [--json] INPUT...</c>: reconciles the Northbound database to
/// the rows the input compiles to. The controller's rows the input no longer wants are deleted; rows of other owners are
/// never touched. Prints the plan (rows inserted, updated, deleted; members and ACLs; operations; request bytes), then
/// applies it. Exit 0 when the database holds every wanted row, 2 when some were left alone (a name owned by someone
/// else, a column the schema lacks), 1 on an error (nothing is written when the input has one). An input with no objects
/// is refused (exit 1, nothing sent, the message says what it would delete) unless <c>--allow-empty</c>.
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
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and send nothing" };
        var allowEmpty = new Option<bool>("--allow-empty")
        {
            Description = "Apply an input with no objects, deleting every row of the controller (refused without it: a wrong path must not remove all isolation)",
        };
        var controller = new Option<string>("--controller")
        {
            Description = "Owner of the rows (external_ids:owner-controller): only its rows are changed or deleted",
            DefaultValueFactory = _ => KubernetesCompileOptions.Default.ControllerName,
        };
        var rowsOption = new Option<bool>("--rows") { Description = "List every row the plan changes, not only the totals" };
        var json = new Option<bool>("--json") { Description = "Print the plan and the outcome as one JSON object" };
        var maxChanges = new Option<int>("--max-changes")
        {
            Description = "At most this many changes (members, ACLs, rows) per transaction; larger plans are sent in several",
            DefaultValueFactory = _ => AclReconcilerOptions.Default.MaxChangesPerTransaction,
        };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to connect and apply", DefaultValueFactory = _ => 60 };
        var ns = CompileCommand.NamespaceOption();
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
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var name = result.GetValue(controller)!;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new CliException("--controller needs a name");
            }

            var max = result.GetValue(maxChanges);
            if (max < 1)
            {
                throw new CliException("--max-changes needs a number of at least 1");
            }

            // Compile before connecting: invalid input writes nothing and needs no database.
            var paths = result.GetValue(inputs)!;
            var compilation = await CompileCommand.CompileAndReportAsync(paths, name, result.GetValue(ns), ct).ConfigureAwait(false);
            var rows = compilation.Rows;
            if (rows is null)
            {
                return 1;
            }

            var empty = compilation.ObjectCount == 0;

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(result.GetValue(timeout)));
            var desired = new DesiredState(name);
            desired.Load(rows);
            await using var client = common.CreateClient(result, "OVN_Northbound", AclReconciler.MonitoredTables());
            await client.StartAsync(deadline.Token).ConfigureAwait(false);
            await using var reconciler = new AclReconciler(client, desired, AclReconcilerOptions.Default with { MaxChangesPerTransaction = max });
            var plan = await reconciler.PlanAsync(deadline.Token).ConfigureAwait(false);
            if (empty && !result.GetValue(allowEmpty))
            {
                // Never fail open: an input that names nothing (a wrong path, a glob that matched no file) would
                // delete every row of the controller, and with them every isolation. kubectl apply refuses it too.
                throw new CliException(
                    $"the input has no objects ({string.Join(", ", paths)}); applying it would delete {Deletions(plan)} owned by '{name}'. " +
                    "Nothing was sent; pass --allow-empty if deleting them is meant");
            }

            var listRows = result.GetValue(rowsOption);
            if (result.GetValue(dryRun))
            {
                Console.Out.Write(result.GetValue(json) ? Json(plan, null) : Describe(plan, listRows, empty) + "Dry run: nothing sent." + Environment.NewLine);
                return plan.Conflicts.Count > 0 ? 2 : 0;
            }

            var outcome = await reconciler.ReconcileOnceAsync(deadline.Token).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                Console.Out.Write(Json(plan, outcome));
            }
            else
            {
                var text = new StringBuilder(Describe(plan, listRows, empty));
                text.Append(CultureInfo.InvariantCulture, $"Applied: {outcome.Transactions} transaction(s), {outcome.Applied.Operations} operation(s), {outcome.Applied.RequestBytes:N0} bytes in {outcome.Elapsed.TotalMilliseconds:F0} ms.");
                text.AppendLine();
                Console.Out.Write(text.ToString());
            }

            if (outcome.Error is { } error)
            {
                throw new CliException("the database did not take every change: " + error);
            }

            return outcome.Conflicts.Count > 0 ? 2 : 0;
        }));
        return command;
    }

    /// <summary>What the plan deletes, in words: "3 port groups (12 ACLs) and 4 address sets".</summary>
    private static string Deletions(ReconcilePlan plan)
    {
        var portGroups = plan.RowsOf("Port_Group").Where(r => r.Action == ReconcileRowAction.Delete).ToList();
        var addressSets = plan.RowsOf("Address_Set").Count(r => r.Action == ReconcileRowAction.Delete);
        return string.Create(CultureInfo.InvariantCulture,
            $"{portGroups.Count} port group(s) ({portGroups.Sum(r => r.AclsDeleted)} ACLs) and {addressSets} address set(s)");
    }

    private static string Describe(ReconcilePlan plan, bool listRows, bool emptyInput)
    {
        var text = new StringBuilder();
        if (emptyInput)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Warning: the input has no objects (--allow-empty): {Deletions(plan)} of this controller to delete.");
        }

        if (plan.IsEmpty)
        {
            text.AppendLine("Plan: nothing to change, the database already holds these rows.");
        }
        else
        {
            int Count(string table, ReconcileRowAction action) => plan.RowsOf(table).Count(r => r.Action == action);
            foreach (var (table, label) in new[] { ("Port_Group", "port groups"), ("Address_Set", "address sets") })
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"Plan: {label}: {Count(table, ReconcileRowAction.Insert)} to insert, {Count(table, ReconcileRowAction.Update)} to update, {Count(table, ReconcileRowAction.Delete)} to delete");
                text.AppendLine();
            }

            text.Append(CultureInfo.InvariantCulture,
                $"      members: +{plan.MembersAdded} -{plan.MembersRemoved}; ACLs: {plan.AclsInserted} to insert, {plan.AclsUpdated} to update, {plan.AclsDeleted} to delete; {plan.Operations} operation(s), {plan.RequestBytes:N0} bytes");
            text.AppendLine();
        }

        if (listRows)
        {
            foreach (var row in plan.Rows.OrderBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {row.Action.ToString().ToLowerInvariant(),-6} {row.Table} {row.Name}");
                var details = new List<string>();
                if (row.MembersAdded + row.MembersRemoved > 0)
                {
                    details.Add($"members +{row.MembersAdded} -{row.MembersRemoved}");
                }

                if (row.AclsInserted + row.AclsUpdated + row.AclsDeleted > 0)
                {
                    details.Add($"ACLs +{row.AclsInserted} ~{row.AclsUpdated} -{row.AclsDeleted}");
                }

                if (row.ExternalIdsChanged)
                {
                    details.Add("external_ids");
                }

                text.AppendLine(details.Count > 0 ? " (" + string.Join(", ", details) + ")" : "");
            }
        }

        if (plan.MissingPorts > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Note: {plan.MissingPorts} port group member(s) have no logical switch port yet; they join when it appears.");
            text.AppendLine();
        }

        foreach (var conflict in plan.Conflicts)
        {
            text.Append(CultureInfo.InvariantCulture, $"Left alone: {conflict.Table} {conflict.Name}: {conflict.Reason}");
            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Json(ReconcilePlan plan, ReconcileResult? outcome)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("plan");
            writer.WriteNumber("operations", plan.Operations);
            writer.WriteNumber("requestBytes", plan.RequestBytes);
            writer.WriteNumber("membersAdded", plan.MembersAdded);
            writer.WriteNumber("membersRemoved", plan.MembersRemoved);
            writer.WriteNumber("aclsInserted", plan.AclsInserted);
            writer.WriteNumber("aclsUpdated", plan.AclsUpdated);
            writer.WriteNumber("aclsDeleted", plan.AclsDeleted);
            writer.WriteNumber("missingPorts", plan.MissingPorts);
            writer.WriteStartArray("rows");
            foreach (var row in plan.Rows)
            {
                writer.WriteStartObject();
                writer.WriteString("table", row.Table);
                writer.WriteString("name", row.Name);
                writer.WriteString("action", row.Action.ToString().ToLowerInvariant());
                writer.WriteNumber("membersAdded", row.MembersAdded);
                writer.WriteNumber("membersRemoved", row.MembersRemoved);
                writer.WriteNumber("aclsInserted", row.AclsInserted);
                writer.WriteNumber("aclsUpdated", row.AclsUpdated);
                writer.WriteNumber("aclsDeleted", row.AclsDeleted);
                writer.WriteBoolean("externalIdsChanged", row.ExternalIdsChanged);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("conflicts");
            foreach (var conflict in plan.Conflicts)
            {
                writer.WriteStartObject();
                writer.WriteString("table", conflict.Table);
                writer.WriteString("name", conflict.Name);
                writer.WriteString("kind", conflict.Kind.ToString());
                writer.WriteString("reason", conflict.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            if (outcome is not null)
            {
                writer.WriteStartObject("applied");
                writer.WriteNumber("transactions", outcome.Transactions);
                writer.WriteNumber("operations", outcome.Applied.Operations);
                writer.WriteNumber("requestBytes", outcome.Applied.RequestBytes);
                writer.WriteNumber("milliseconds", Math.Round(outcome.Elapsed.TotalMilliseconds, 1));
                writer.WriteBoolean("converged", outcome.Converged);
                writer.WriteString("error", outcome.Error);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }
}
