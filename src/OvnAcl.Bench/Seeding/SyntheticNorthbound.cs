using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>Shape of a synthetic Northbound database, for demos and benchmarks.</summary>
internal sealed record SyntheticNorthboundOptions
{
    public static SyntheticNorthboundOptions Default { get; } = new();

    public int LogicalSwitchPorts { get; init; } = 100;
    public int PortGroups { get; init; } = 10;
    public int PortsPerGroup { get; init; } = 10;
    public int AclsPerGroup { get; init; } = 10;
    public int AddressSets { get; init; } = 10;
    public int AddressesPerSet { get; init; } = 10;
    /// <summary>Operations per transaction while seeding; large databases are written in many transactions.</summary>
    public int OperationsPerTransaction { get; init; } = 2_000;
    /// <summary>Value of <c>external_ids:owner</c> on every row, so the rows can be told apart from others'.</summary>
    public string Owner { get; init; } = "ovnacl-synthetic";
}

/// <summary>
/// Writes a synthetic Northbound database through an <see cref="OvsdbClient"/>: one logical switch with ports, port groups
/// holding ports and ACLs of the shapes ovn-kubernetes and Neutron write, and address sets of IPv4 addresses.
/// </summary>
internal static class SyntheticNorthbound
{
    public static async Task<SyntheticNorthboundSummary> SeedAsync(OvsdbClient client, SyntheticNorthboundOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var schema = client.Schema;
        var owner = OvsdbDatum.StringMap([new("owner", options.Owner)]);
        var transactions = 0;

        // The switch first: ports are not root rows and live only while a switch references them.
        var portUuids = new List<Guid>(options.LogicalSwitchPorts);
        var switchTxn = new OvsdbTransaction(schema);
        var portNames = new List<string>();
        for (var i = 0; i < options.LogicalSwitchPorts; i++)
        {
            portNames.Add(switchTxn.Insert("Logical_Switch_Port", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString($"synthetic-port-{i}"),
                ["addresses"] = OvsdbDatum.FromString($"0a:58:0a:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2} {Address(i)}"),
                ["external_ids"] = owner,
            }));
        }

        switchTxn.Insert("Logical_Switch", new Dictionary<string, OvsdbDatum>
        {
            ["name"] = OvsdbDatum.FromString("synthetic-switch"),
            ["ports"] = OvsdbDatum.Set(portNames.Select(OvsdbAtom.NamedUuid)),
            ["external_ids"] = owner,
        });
        var switchResult = await CommitAsync(client, switchTxn, cancellationToken).ConfigureAwait(false);
        transactions++;
        portUuids.AddRange(portNames.Select(switchResult.GetInsertedUuid));

        var txn = new OvsdbTransaction(schema);
        for (var g = 0; g < options.PortGroups; g++)
        {
            var group = $"synthetic_pg_{g}";
            var aclNames = new List<string>(options.AclsPerGroup);
            for (var a = 0; a < options.AclsPerGroup; a++)
            {
                var toLport = a % 2 == 0;
                var peer = $"$synthetic_as_{(g + a) % Math.Max(1, options.AddressSets)}";
                var match = toLport
                    ? $"outport == @{group} && ip4 && ip4.src == {peer} && tcp && tcp.dst == {8000 + a}"
                    : $"inport == @{group} && ip4 && ip4.dst == {peer} && udp && 1000 <= udp.dst <= {1000 + a}";
                aclNames.Add(txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
                {
                    ["direction"] = OvsdbDatum.FromString(toLport ? "to-lport" : "from-lport"),
                    ["priority"] = OvsdbDatum.FromInteger(1000 + a),
                    ["match"] = OvsdbDatum.FromString(match),
                    ["action"] = OvsdbDatum.FromString("allow-related"),
                    ["name"] = OvsdbDatum.FromString($"{group}_{a}"),
                    ["external_ids"] = owner,
                }));
            }

            var members = portUuids.Count == 0
                ? OvsdbDatum.Empty
                : OvsdbDatum.UuidSet(Enumerable.Range(g * options.PortsPerGroup, options.PortsPerGroup).Select(i => portUuids[i % portUuids.Count]));
            txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(group),
                ["ports"] = members,
                ["acls"] = OvsdbDatum.Set(aclNames.Select(OvsdbAtom.NamedUuid)),
                ["external_ids"] = owner,
            });
            if (txn.Count >= options.OperationsPerTransaction)
            {
                await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);
                transactions++;
                txn = new OvsdbTransaction(schema);
            }
        }

        for (var s = 0; s < options.AddressSets; s++)
        {
            txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString($"synthetic_as_{s}"),
                ["addresses"] = OvsdbDatum.StringSet(Enumerable.Range(s * options.AddressesPerSet, options.AddressesPerSet).Select(Address)),
                ["external_ids"] = owner,
            });
            if (txn.Count >= options.OperationsPerTransaction)
            {
                await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);
                transactions++;
                txn = new OvsdbTransaction(schema);
            }
        }

        if (txn.Count > 0)
        {
            await CommitAsync(client, txn, cancellationToken).ConfigureAwait(false);
            transactions++;
        }

        return new SyntheticNorthboundSummary(
            options.LogicalSwitchPorts,
            options.PortGroups,
            options.PortGroups * options.AclsPerGroup,
            options.AddressSets,
            transactions);
    }

    /// <summary>A unique IPv4 address in 10.128.0.0/9 for index <paramref name="i"/>.</summary>
    public static string Address(int i) => $"10.{128 + ((i >> 16) & 0x7f)}.{(i >> 8) & 0xff}.{i & 0xff}";

    private static async Task<OvsdbTransactionResult> CommitAsync(OvsdbClient client, OvsdbTransaction txn, CancellationToken cancellationToken)
    {
        var result = await client.TransactAsync(txn, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw result.Error ?? result.OutcomeUnknownCause ?? new OvsdbException("seeding transaction did not commit");
        }

        return result;
    }
}

internal sealed record SyntheticNorthboundSummary(int LogicalSwitchPorts, int PortGroups, int Acls, int AddressSets, int Transactions);
