using System.Text.Json;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary>A plan as <c>ovnacl apply</c> prints it, text and JSON, from the library alone.</summary>
public sealed class ReconcilePlanReportTests
{
    private static readonly ReconcilePlan Plan = new(
        [
            new ReconcileRowPlan("Port_Group", "pg_b", ReconcileRowAction.Insert) { MembersAdded = 2, AclsInserted = 3 },
            new ReconcileRowPlan("Port_Group", "pg_a", ReconcileRowAction.Delete) { MembersRemoved = 1, AclsDeleted = 4 },
            new ReconcileRowPlan("Address_Set", "as_a", ReconcileRowAction.Update) { MembersAdded = 1, MembersRemoved = 1, ExternalIdsChanged = true },
        ],
        Operations: 5, RequestBytes: 12_345)
    {
        Conflicts = [new ReconcileConflict("Port_Group", "pg_theirs", ReconcileConflictKind.NotOwned, "owned by 'someone-else'")],
        MissingPorts = 2,
    };

    [Fact]
    public void Text_gives_totals_rows_missing_ports_and_conflicts()
    {
        Assert.Equal(
            """
            Plan: port groups: 1 to insert, 0 to update, 1 to delete
            Plan: address sets: 0 to insert, 1 to update, 0 to delete
                  members: +3 -2; ACLs: 3 to insert, 0 to update, 4 to delete; 5 operation(s), 12,345 bytes
              update Address_Set as_a (members +1 -1, external_ids)
              delete Port_Group pg_a (members +0 -1, ACLs +0 ~0 -4)
              insert Port_Group pg_b (members +2 -0, ACLs +3 ~0 -0)
            Note: 2 port group member(s) have no logical switch port yet; they join when it appears.
            Left alone: Port_Group pg_theirs: owned by 'someone-else'

            """.ReplaceLineEndings(), ReconcilePlanReport.ToText(Plan, listRows: true));
        Assert.StartsWith("Warning: the input has no objects (--allow-empty): 1 port group(s) (4 ACLs) and 0 address set(s) of this controller to delete.",
            ReconcilePlanReport.ToText(Plan, emptyInput: true), StringComparison.Ordinal);
        Assert.Equal("Plan: nothing to change, the database already holds these rows." + Environment.NewLine, ReconcilePlanReport.ToText(ReconcilePlan.Empty));
        Assert.Equal("1 port group(s) (4 ACLs) and 0 address set(s)", ReconcilePlanReport.DescribeDeletions(Plan));
    }

    [Fact]
    public void Json_is_snake_case_with_applied_only_after_applying()
    {
        using var planned = JsonDocument.Parse(ReconcilePlanReport.ToJson(Plan));
        Assert.False(planned.RootElement.TryGetProperty("applied", out _));
        var plan = planned.RootElement.GetProperty("plan");
        Assert.Equal(["operations", "request_bytes", "members_added", "members_removed", "acls_inserted", "acls_updated", "acls_deleted", "missing_ports", "rows", "conflicts"],
            plan.EnumerateObject().Select(p => p.Name));
        Assert.Equal(12_345, plan.GetProperty("request_bytes").GetInt32());
        var row = plan.GetProperty("rows")[0];
        Assert.Equal(("Port_Group", "pg_b", "insert", 3, false),
            (row.GetProperty("table").GetString(), row.GetProperty("name").GetString(), row.GetProperty("action").GetString(),
             row.GetProperty("acls_inserted").GetInt32(), row.GetProperty("external_ids_changed").GetBoolean()));
        Assert.Equal("not_owned", plan.GetProperty("conflicts")[0].GetProperty("kind").GetString());

        var outcome = new ReconcileResult(Plan, Transactions: 2, TimeSpan.FromMilliseconds(12.34), Plan.Conflicts, Error: null);
        using var applied = JsonDocument.Parse(ReconcilePlanReport.ToJson(Plan, outcome));
        var json = applied.RootElement.GetProperty("applied");
        Assert.Equal((2, 5, 12_345, 12.3, true), (json.GetProperty("transactions").GetInt32(), json.GetProperty("operations").GetInt32(),
            json.GetProperty("request_bytes").GetInt32(), json.GetProperty("milliseconds").GetDouble(), json.GetProperty("converged").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("error").ValueKind);
        Assert.Equal("Applied: 2 transaction(s), 5 operation(s), 12,345 bytes in 12 ms." + Environment.NewLine, ReconcilePlanReport.ToText(outcome));
    }
}
