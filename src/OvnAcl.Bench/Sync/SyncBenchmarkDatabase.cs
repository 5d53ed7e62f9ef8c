using System.Diagnostics;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>The size of the Northbound database <c>ovnacl bench sync --populate</c> writes.</summary>
internal sealed record SyncBenchmarkShape
{
    public static SyncBenchmarkShape Default { get; } = new();

    /// <summary>ACLs in all; spread evenly over the port groups, so a multiple of <see cref="PortGroups"/>.</summary>
    public int Acls { get; init; } = 100_000;
    public int PortGroups { get; init; } = 10_000;
    public int AddressSets { get; init; } = 10_000;
    public int LogicalSwitchPorts { get; init; } = 1_000;
    public int PortsPerGroup { get; init; } = 10;
    public int AddressesPerSet { get; init; } = 10;
    /// <summary>Operations per seeding transaction: large, so 100,000 ACLs take seconds, yet far below ovsdb-server's limits.</summary>
    public int OperationsPerTransaction { get; init; } = 4_000;

    internal SyntheticNorthboundOptions ToSeederOptions()
    {
        if (Acls < 0 || PortGroups < 0 || AddressSets < 0 || LogicalSwitchPorts < 0 || PortsPerGroup < 0 || AddressesPerSet < 0)
        {
            throw new ArgumentException("the database shape must not hold negative counts");
        }

        if (PortGroups == 0 ? Acls != 0 : Acls % PortGroups != 0)
        {
            throw new ArgumentException($"{Acls} ACLs do not divide among {PortGroups} port groups: every port group holds the same number of ACLs", nameof(Acls));
        }

        return SyntheticNorthboundOptions.Default with
        {
            LogicalSwitchPorts = LogicalSwitchPorts,
            PortGroups = PortGroups,
            PortsPerGroup = PortsPerGroup,
            AclsPerGroup = PortGroups == 0 ? 0 : Acls / PortGroups,
            AddressSets = AddressSets,
            AddressesPerSet = AddressesPerSet,
            OperationsPerTransaction = OperationsPerTransaction,
        };
    }
}

/// <summary>What <see cref="SyncBenchmarkDatabase.PopulateAsync"/> found and did.</summary>
internal sealed record SyncBenchmarkPopulation(bool Seeded, long Acls, long PortGroups, long AddressSets, long LogicalSwitchPorts, TimeSpan Elapsed);

/// <summary>Fills a Northbound database for the sync benchmark, once: a database already that large is left alone.</summary>
internal static class SyncBenchmarkDatabase
{
    public static async Task<SyncBenchmarkPopulation> PopulateAsync(string remotes, SyncBenchmarkShape shape, OvsdbConnectionOptions? connection = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var seeder = shape.ToSeederOptions();
        var stopwatch = Stopwatch.StartNew();
        connection ??= OvsdbConnectionOptions.Default;
        await ServerProbe.GetSchemaAsync(remotes, "OVN_Northbound", connection, cancellationToken).ConfigureAwait(false);

        // Only the columns needed to count rows and recognize an earlier synthetic population.
        await using var client = new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Database = "OVN_Northbound",
            Tables =
            [
                new OvsdbTableMonitor("ACL") { Columns = ["priority"] },
                new OvsdbTableMonitor("Port_Group") { Columns = ["name"], Indexes = ["name"] },
                new OvsdbTableMonitor("Address_Set") { Columns = ["name"], Indexes = ["name"] },
                new OvsdbTableMonitor("Logical_Switch_Port") { Columns = ["name"] },
            ],
            Connection = connection,
        });
        try
        {
            await client.StartAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (OvsdbConnectionException ex)
        {
            throw new BenchmarkException(ex.Message);
        }

        var replica = client.Replica;
        if (replica.Count("ACL") >= shape.Acls && replica.Count("Port_Group") >= shape.PortGroups && replica.Count("Address_Set") >= shape.AddressSets)
        {
            return Summarize(seeded: false);
        }

        // Port_Group and Address_Set names are unique (the NB schema indexes them): a second seeding would fail half-way.
        if (replica.Lookup("Port_Group", "name", "synthetic_pg_0").Count > 0 || replica.Lookup("Address_Set", "name", "synthetic_as_0").Count > 0)
        {
            throw new BenchmarkException(
                $"the database holds a smaller synthetic population ({replica.Count("ACL")} ACLs, {replica.Count("Port_Group")} port groups, {replica.Count("Address_Set")} address sets) "
                + "than asked for; start from an empty database to populate it");
        }

        try
        {
            await SyntheticNorthbound.SeedAsync(client, seeder, cancellationToken).ConfigureAwait(false);
        }
        catch (OvsdbException ex)
        {
            throw new BenchmarkException($"seeding the database failed: {ex.Message}", ex);
        }

        return Summarize(seeded: true);

        SyncBenchmarkPopulation Summarize(bool seeded) => new(
            seeded, replica.Count("ACL"), replica.Count("Port_Group"), replica.Count("Address_Set"), replica.Count("Logical_Switch_Port"), stopwatch.Elapsed);
    }
}
