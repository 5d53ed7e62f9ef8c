using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OvnAcl.Reconciliation;

/// <summary>A <see cref="ReconcilePlan"/> and what applying it did, as <c>ovnacl apply</c> prints them: text for people, JSON for programs.</summary>
public static class ReconcilePlanReport
{
    /// <summary>What the plan deletes, in words: <c>3 port group(s) (12 ACLs) and 4 address set(s)</c>.</summary>
    public static string DescribeDeletions(ReconcilePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var portGroups = plan.RowsOf("Port_Group").Where(r => r.Action == ReconcileRowAction.Delete).ToList();
        var addressSets = plan.RowsOf("Address_Set").Count(r => r.Action == ReconcileRowAction.Delete);
        return string.Create(CultureInfo.InvariantCulture,
            $"{portGroups.Count} port group(s) ({portGroups.Sum(r => r.AclsDeleted)} ACLs) and {addressSets} address set(s)");
    }

    /// <summary>The plan as text: totals per table, members and ACLs, operations and bytes, missing ports and rows left alone.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="listRows">Also list every row the plan changes.</param>
    /// <param name="emptyInput">The input had no objects: say first what of the controller's the plan deletes.</param>
    public static string ToText(ReconcilePlan plan, bool listRows = false, bool emptyInput = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        if (emptyInput)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Warning: the input has no objects (--allow-empty): {DescribeDeletions(plan)} of this controller to delete.");
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
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"Plan: {label}: {Count(table, ReconcileRowAction.Insert)} to insert, {Count(table, ReconcileRowAction.Update)} to update, {Count(table, ReconcileRowAction.Delete)} to delete");
            }

            text.AppendLine(CultureInfo.InvariantCulture,
                $"      members: +{plan.MembersAdded} -{plan.MembersRemoved}; ACLs: {plan.AclsInserted} to insert, {plan.AclsUpdated} to update, {plan.AclsDeleted} to delete; {plan.Operations} operation(s), {plan.RequestBytes:N0} bytes");
        }

        if (listRows)
        {
            foreach (var row in plan.Rows.OrderBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {ActionName(row.Action),-6} {row.Table} {row.Name}");
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
            text.AppendLine(CultureInfo.InvariantCulture, $"Note: {plan.MissingPorts} port group member(s) have no logical switch port yet; they join when it appears.");
        }

        foreach (var conflict in plan.Conflicts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Left alone: {conflict.Table} {conflict.Name}: {conflict.Reason}");
        }

        return text.ToString();
    }

    /// <summary>What applying did, in one line: transactions, operations, bytes and time.</summary>
    public static string ToText(ReconcileResult outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return string.Create(CultureInfo.InvariantCulture,
            $"Applied: {outcome.Transactions} transaction(s), {outcome.Applied.Operations} operation(s), {outcome.Applied.RequestBytes:N0} bytes in {outcome.Elapsed.TotalMilliseconds:F0} ms.{Environment.NewLine}");
    }

    /// <summary>
    /// <c>{"plan": {...}, "applied": {...}}</c> (docs/reconciler.md), <c>applied</c> only when <paramref name="outcome"/> is
    /// given; names in snake_case as every <c>--json</c> output.
    /// </summary>
    public static string ToJson(ReconcilePlan plan, ReconcileResult? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var json = new ReconcilePlanJson(
            new PlanJson(plan.Operations, plan.RequestBytes, plan.MembersAdded, plan.MembersRemoved, plan.AclsInserted, plan.AclsUpdated, plan.AclsDeleted,
                plan.MissingPorts,
                [.. plan.Rows.Select(r => new PlanRowJson(r.Table, r.Name, ActionName(r.Action), r.MembersAdded, r.MembersRemoved, r.AclsInserted, r.AclsUpdated,
                    r.AclsDeleted, r.ExternalIdsChanged))],
                [.. plan.Conflicts.Select(c => new ConflictJson(c.Table, c.Name, OutputJson.Name(c.Kind.ToString()), c.Reason))]),
            outcome is null ? null : new AppliedJson(outcome.Transactions, outcome.Applied.Operations, outcome.Applied.RequestBytes,
                Math.Round(outcome.Elapsed.TotalMilliseconds, 1), outcome.Converged, outcome.Error));
        return JsonSerializer.Serialize(json, OutputJson.Context.ReconcilePlanJson) + Environment.NewLine;
    }

    private static string ActionName(ReconcileRowAction action) => action switch
    {
        ReconcileRowAction.Insert => "insert",
        ReconcileRowAction.Update => "update",
        _ => "delete",
    };
}

internal sealed record ReconcilePlanJson(PlanJson Plan, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AppliedJson? Applied);

internal sealed record PlanJson(int Operations, int RequestBytes, int MembersAdded, int MembersRemoved, int AclsInserted, int AclsUpdated, int AclsDeleted,
    int MissingPorts, IReadOnlyList<PlanRowJson> Rows, IReadOnlyList<ConflictJson> Conflicts);

internal sealed record PlanRowJson(string Table, string Name, string Action, int MembersAdded, int MembersRemoved, int AclsInserted, int AclsUpdated,
    int AclsDeleted, bool ExternalIdsChanged);

internal sealed record ConflictJson(string Table, string Name, string Kind, string Reason);

internal sealed record AppliedJson(int Transactions, int Operations, int RequestBytes, double Milliseconds, bool Converged, string? Error);
