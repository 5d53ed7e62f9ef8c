using BenchmarkDotNet.Attributes;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarks;

/// <summary>
/// Building and encoding to UTF-8 JSON the <c>transact</c> params of 100 pod events, the batch of the churn goals:
/// as the peers send them (two mutates per event: the port in a port group, the address in an address set) and as
/// OvnAcl's reconciler sends them (one mutate per row changed, carrying every member of the batch for that row; 10
/// policy and 10 namespace port groups and 10 address sets, the shape of <c>ovnacl bench churn</c>).
/// </summary>
[MemoryDiagnoser]
public class TransactionEncoding
{
    private const int Events = 100;
    private const int Rows = 10;
    private Guid[] _ports = [];
    private Guid[] _groups = [];
    private Guid[] _denyGroups = [];
    private Guid[] _sets = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _ports = [.. Enumerable.Range(0, Events).Select(_ => NewGuid(random))];
        _groups = [.. Enumerable.Range(0, Rows).Select(_ => NewGuid(random))];
        _denyGroups = [.. Enumerable.Range(0, Rows).Select(_ => NewGuid(random))];
        _sets = [.. Enumerable.Range(0, Rows).Select(_ => NewGuid(random))];
    }

    /// <summary>200 operations: a mutate of a port group and one of an address set per event.</summary>
    [Benchmark(Baseline = true)]
    public int PerEvent100()
    {
        var txn = new OvsdbTransaction(NorthboundJson.Schema);
        for (var e = 0; e < Events; e++)
        {
            txn.Mutate("Port_Group", [OvsdbCondition.UuidEquals(_groups[e % Rows])], [OvsdbMutation.Delete("ports", OvsdbDatum.FromUuid(_ports[e]))]);
            txn.Mutate("Address_Set", [OvsdbCondition.UuidEquals(_sets[e % Rows])], [OvsdbMutation.Delete("addresses", OvsdbDatum.FromString(Address(e)))]);
        }

        return txn.ToUtf8Json().Length;
    }

    /// <summary>30 operations: one mutate per row, each carrying the members of the 100 events that row gains or loses.</summary>
    [Benchmark]
    public int PerRow100()
    {
        var txn = new OvsdbTransaction(NorthboundJson.Schema);
        for (var r = 0; r < Rows; r++)
        {
            var members = Enumerable.Range(0, Events).Where(e => e % Rows == r).ToArray();
            var ports = OvsdbDatum.UuidSet(members.Select(e => _ports[e]));
            txn.Mutate("Port_Group", [OvsdbCondition.UuidEquals(_groups[r])], [OvsdbMutation.Delete("ports", ports)]);
            txn.Mutate("Port_Group", [OvsdbCondition.UuidEquals(_denyGroups[r])], [OvsdbMutation.Delete("ports", ports)]);
            txn.Mutate("Address_Set", [OvsdbCondition.UuidEquals(_sets[r])], [OvsdbMutation.Delete("addresses", OvsdbDatum.StringSet(members.Select(Address)))]);
        }

        return txn.ToUtf8Json().Length;
    }

    private static string Address(int e) => $"10.128.{e >> 8}.{e & 255}";

    private static Guid NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
