using BenchmarkDotNet.Attributes;
using OvnAcl.Match;

namespace OvnAcl.Benchmarks;

/// <summary>
/// Parse, check, print and evaluate of ten ACL matches shaped as ovn-kubernetes and Neutron write them: the per-ACL
/// cost the compiler (print), the reconciler (parse of the NB's matches) and explain (evaluate) pay.
/// </summary>
[MemoryDiagnoser]
public class MatchBenchmarks
{
    private static readonly string[] Matches =
    [
        "outport == @a14732335573298357347 && ip4 && ip4.src == {$a10372313938484063478, $a12836958380284545313} && tcp && 800 <= tcp.dst <= 850",
        "inport == @a14732335573298357347 && ip4 && ip4.dst == {$a5520315424567290000} && udp && udp.dst == 53",
        "outport == @a14732335573298357347 && ip4 && ip4.src == 10.128.0.0/14 && ip4.src != {10.128.2.0/23, 10.128.4.0/23}",
        "(ip4.mcast || (mldv1 || mldv2 || (ip6.dst[120..127] == 0xff && ip6.dst[116] == 1))) && outport == @clusterPortGroup",
        "!ct.est || (ct.est && ct_mark.blocked == 1)",
        "inport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip4 && ip4.dst == 10.0.0.0/24 && tcp && tcp.dst >= 80 && tcp.dst <= 90",
        "outport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip4 && ip4.src == $pg_8e5f3b2a_1111_2222_3333_444455556666_ip4 && tcp && tcp.dst == 22",
        "outport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip6 && ip6.src == fd00:1234::/64 && icmp6",
        "inport == @neutron_pg_drop && (arp || ip)",
        "outport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip4 && ip4.src == 0.0.0.0/0 && udp && 33434 <= udp.dst <= 33534",
    ];

    private MatchExpr[] _parsed = [];
    private MatchEvaluator _evaluator = new();
    private Packet _packet = new();

    [GlobalSetup]
    public void Setup()
    {
        _parsed = Matches.Select(MatchExpression.Parse).ToArray();
        var context = MatchContext.Empty
            .WithAddressSet("a10372313938484063478", "10.128.2.5", "10.128.2.6")
            .WithAddressSet("a12836958380284545313", "10.128.4.0/24")
            .WithAddressSet("a5520315424567290000", "10.96.0.10")
            .WithAddressSet("pg_8e5f3b2a_1111_2222_3333_444455556666_ip4", "10.0.0.5");
        foreach (var group in new[] { "a14732335573298357347", "clusterPortGroup", "pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab", "neutron_pg_drop" })
        {
            context = context.WithPortGroup(group, "port-1", "port-2");
        }

        _evaluator = new MatchEvaluator(context);
        _packet = Packet.Tcp4("10.128.2.5", "10.0.0.7", 40000, 820) with { Inport = "port-9", Outport = "port-1", CtState = CtState.Tracked | CtState.New };
    }

    [Benchmark]
    public int Parse()
    {
        var nodes = 0;
        foreach (var text in Matches)
        {
            nodes += MatchExpression.Parse(text) is AndExpr and ? and.Operands.Length : 1;
        }

        return nodes;
    }

    [Benchmark]
    public int ParseAndCheck()
    {
        var diagnostics = 0;
        foreach (var text in Matches)
        {
            MatchExpression.TryParse(text, out _, out var found);
            diagnostics += found.Length;
        }

        return diagnostics;
    }

    [Benchmark]
    public int Print()
    {
        var length = 0;
        foreach (var expression in _parsed)
        {
            length += MatchExpression.Print(expression).Length;
        }

        return length;
    }

    [Benchmark]
    public int Evaluate()
    {
        var matched = 0;
        foreach (var expression in _parsed)
        {
            matched += _evaluator.Evaluate(expression, _packet) ? 1 : 0;
        }

        return matched;
    }
}
