using System.CommandLine;
using OvnAcl.Reconciliation;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl show --db REMOTE [--controller NAME] [--acls] [--json]</c>: the port groups and address sets a controller
/// owns in the Northbound database (<see cref="OwnedRows"/>), each with the policy, namespace or security group it came
/// from, its member and ACL counts, and with <c>--acls</c> the ACLs themselves.
/// </summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var controller = new Option<string>("--controller") { Description = "Owner whose rows to list", DefaultValueFactory = _ => "ovnacl" }.NotBlank();
        var acls = new Option<bool>("--acls") { Description = "List each port group's ACLs" };
        var json = new Option<bool>("--json") { Description = "One JSON object: controller, port_groups and address_sets" };
        var command = new Command("show", "List the port groups, address sets and ACLs a controller owns in the Northbound database, with what each came from");
        common.AddTo(command);
        command.Add(controller);
        command.Add(acls);
        command.Add(json);
        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            await using var client = common.CreateClient(result, "OVN_Northbound", OwnedRows.MonitoredTables);
            await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var owned = OwnedRows.Read(client.Replica, result.GetValue(controller)!);
            await CommandRunner.Output(result).WriteAsync(result.GetValue(json) ? owned.ToJson() : owned.ToText(result.GetValue(acls))).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
