using System.CommandLine;
using System.Text;
using OvnAcl.Benchmarking;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Cli.Commands;

/// <summary><c>ovnacl db …</c>: look at and write a database through the project's own OVSDB client.</summary>
internal static class DbCommands
{
    public static Command Create()
    {
        var db = new Command("db", "Read and write an OVSDB database through OvnAcl's client");
        db.Add(ListDbs());
        db.Add(Show());
        db.Add(Seed());
        return db;
    }

    private static Command ListDbs()
    {
        var common = new CommonOptions();
        var command = new Command("list-dbs", "List the databases a server hosts");
        common.AddTo(command);
        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            var remote = OvsdbRemote.ParseList(common.GetRemotes(result))[0];
            await using var connection = await OvsdbConnection.ConnectAsync(remote, common.GetConnectionOptions(result), ct).ConfigureAwait(false);
            foreach (var name in await connection.ListDatabasesAsync(ct).ConfigureAwait(false))
            {
                await CommandRunner.Output(result).WriteLineAsync(name).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var common = new CommonOptions();
        var database = new Option<string>("--database") { Description = "Database name", DefaultValueFactory = _ => "OVN_Northbound" };
        var tables = new Option<string[]>("--table", "-t") { Description = "Table to show (repeatable; default: every non-empty table)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("show", "Replicate a database with OvnAcl's client and print its rows, table by table");
        common.AddTo(command);
        command.Add(database);
        command.Add(tables);
        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            var names = result.GetValue(tables) ?? [];
            var monitors = names.Length == 0 ? null : names.Select(t => new OvsdbTableMonitor(t)).ToList();
            await using var client = common.CreateClient(result, result.GetValue(database)!, monitors);
            await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var output = new StringBuilder();
            foreach (var table in client.Replica.Tables.Order(StringComparer.Ordinal))
            {
                var rows = client.Replica.GetRows(table);
                if (rows.Count == 0 && names.Length == 0)
                {
                    continue;
                }

                var schema = client.Replica.Schema.GetTable(table);
                output.Append(table).Append(" (").Append(rows.Count).Append(rows.Count == 1 ? " row" : " rows").AppendLine(")");
                foreach (var row in rows.OrderBy(r => r.GetString("name") ?? "", StringComparer.Ordinal).ThenBy(r => r.Uuid))
                {
                    output.Append("  _uuid: ").AppendLine(row.Uuid.ToString());
                    foreach (var (column, value) in row.Columns)
                    {
                        if (value.Count > 0)
                        {
                            output.Append("    ").Append(column).Append(": ").AppendLine(OvsdbText.Format(value, schema.GetColumn(column).Type));
                        }
                    }
                }
            }

            await CommandRunner.Output(result).WriteAsync(output.ToString()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Seed()
    {
        var common = new CommonOptions();
        var ports = new Option<int>("--ports") { Description = "Logical switch ports", DefaultValueFactory = _ => 100 }.InRange(0);
        var groups = new Option<int>("--port-groups") { Description = "Port groups", DefaultValueFactory = _ => 10 }.InRange(0);
        var portsPerGroup = new Option<int>("--ports-per-group") { Description = "Ports in each port group", DefaultValueFactory = _ => 10 }.InRange(0);
        var acls = new Option<int>("--acls-per-group") { Description = "ACLs in each port group", DefaultValueFactory = _ => 10 }.InRange(0);
        var sets = new Option<int>("--address-sets") { Description = "Address sets", DefaultValueFactory = _ => 10 }.InRange(0);
        var addresses = new Option<int>("--addresses-per-set") { Description = "Addresses in each address set", DefaultValueFactory = _ => 10 }.InRange(0);
        var command = new Command("seed", "Write a synthetic Northbound database (switch, ports, port groups with ACLs, address sets)");
        common.AddTo(command);
        foreach (var option in new Option[] { ports, groups, portsPerGroup, acls, sets, addresses })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            var options = SyntheticNorthboundOptions.Default with
            {
                LogicalSwitchPorts = result.GetValue(ports),
                PortGroups = result.GetValue(groups),
                PortsPerGroup = result.GetValue(portsPerGroup),
                AclsPerGroup = result.GetValue(acls),
                AddressSets = result.GetValue(sets),
                AddressesPerSet = result.GetValue(addresses),
            };
            await using var client = common.CreateClient(result, "OVN_Northbound", [new OvsdbTableMonitor("NB_Global") { Columns = ["nb_cfg"] }]);
            await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var summary = await SyntheticNorthbound.SeedAsync(client, options, ct).ConfigureAwait(false);
            await CommandRunner.Output(result).WriteLineAsync($"wrote {summary.LogicalSwitchPorts} ports, {summary.PortGroups} port groups, {summary.Acls} ACLs, {summary.AddressSets} address sets in {summary.Transactions} transactions").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
