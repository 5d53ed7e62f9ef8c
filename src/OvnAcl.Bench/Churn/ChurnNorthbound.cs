using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>The rows of the synthetic cluster written once per database, before anything is measured.</summary>
internal sealed record ChurnRows(Guid[] Ports, Guid[] PeerPortGroups, Guid[] PeerAddressSets);

/// <summary>
/// Writes the logical switch and one port per pod (bounded transactions), and the peers' port groups and address sets
/// holding every pod: the state every measured stream starts from and returns to.
/// </summary>
internal static class ChurnNorthbound
{
    private const int PortsPerTransaction = 1000;

    public static async Task<ChurnRows> SeedAsync(string remotes, ChurnWorkload workload, OvsdbConnectionOptions connection, CancellationToken cancellationToken)
    {
        await using var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Tables =
            [
                new OvsdbTableMonitor("Logical_Switch") { Columns = ["name"], Indexes = ["name"] },
                new OvsdbTableMonitor("Port_Group") { Columns = ["name"], Indexes = ["name"] },
                new OvsdbTableMonitor("Address_Set") { Columns = ["name"], Indexes = ["name"] },
            ],
            Connection = connection,
        });
        try
        {
            await client.StartAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (OvsdbConnectionException ex)
        {
            throw new BenchmarkException(ex.Message, ex);
        }

        if (client.Replica.Lookup("Logical_Switch", "name", ChurnWorkload.SwitchName).Count > 0
            || client.Replica.Lookup("Port_Group", "name", workload.PeerPortGroup(0)).Count > 0)
        {
            throw new BenchmarkException($"the database already holds a churn cluster ({ChurnWorkload.SwitchName}); give an empty Northbound database");
        }

        var txn = client.CreateTransaction();
        txn.Insert("Logical_Switch", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString(ChurnWorkload.SwitchName) });
        await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);

        var ports = new Guid[workload.Pods];
        for (var first = 0; first < workload.Pods; first += PortsPerTransaction)
        {
            var count = Math.Min(PortsPerTransaction, workload.Pods - first);
            txn = client.CreateTransaction();
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = txn.Insert("Logical_Switch_Port", new Dictionary<string, OvsdbDatum>
                {
                    ["name"] = OvsdbDatum.FromString(workload.PortName(first + i)),
                    ["addresses"] = OvsdbDatum.StringSet([$"0a:58:{(first + i) >> 24 & 255:x2}:{(first + i) >> 16 & 255:x2}:{(first + i) >> 8 & 255:x2}:{(first + i) & 255:x2} {ChurnWorkload.Address(first + i)}"]),
                });
            }

            txn.Mutate("Logical_Switch", [OvsdbCondition.Equal("name", ChurnWorkload.SwitchName)],
                [OvsdbMutation.Insert("ports", OvsdbDatum.Set(names.Select(OvsdbAtom.NamedUuid)))]);
            var result = await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                ports[first + i] = result.GetInsertedUuid(names[i]);
            }
        }

        txn = client.CreateTransaction();
        var groupNames = new string[workload.PeerRowSets];
        var setNames = new string[workload.PeerRowSets];
        for (var s = 0; s < workload.PeerRowSets; s++)
        {
            var members = Enumerable.Range(0, workload.Pods).Where(p => p % workload.PeerRowSets == s).ToList();
            groupNames[s] = txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(workload.PeerPortGroup(s)),
                ["ports"] = OvsdbDatum.UuidSet(members.Select(p => ports[p])),
            });
            setNames[s] = txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(workload.PeerAddressSet(s)),
                ["addresses"] = OvsdbDatum.StringSet(members.Select(ChurnWorkload.Address)),
            });
        }

        var rows = await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);
        return new ChurnRows(ports, [.. groupNames.Select(rows.GetInsertedUuid)], [.. setNames.Select(rows.GetInsertedUuid)]);
    }

    private static async Task<OvsdbTransactionResult> CommitAsync(OvsdbClient client, OvsdbTransaction txn, CancellationToken cancellationToken)
    {
        var result = await client.TransactAsync(txn, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? result
            : throw new BenchmarkException($"writing the synthetic cluster failed: {result.Error?.Message ?? result.OutcomeUnknownCause?.Message}");
    }
}
