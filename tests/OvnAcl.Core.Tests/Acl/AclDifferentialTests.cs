using System.Diagnostics;
using System.Globalization;
using System.Text;
using OvnAcl.Acl;
using OvnAcl.Match;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Acl;

/// <summary>
/// The engine against OVN itself: random ACL sets written to a real NB, ovn-northd turning them into logical flows, and
/// ovn-trace (with <c>--ct=new</c> for both conntrack passes) saying whether each random packet reaches its destination.
/// Every packet the engine can decide unambiguously must get the same verdict. <c>OVNACL_DIFF_SCALE=N</c> runs N times
/// as many ACL sets.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class AclDifferentialTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Switch = "sw0";
    private const int Ports = 6;
    private const int AclSets = 8;
    private const int PacketsPerSet = 25;
    private static readonly string[] Groups = ["pg_a", "pg_b", "pg_c"];
    private static readonly int[] L4Ports = [22, 53, 80, 123, 443, 1500, 5432, 8080];

    private OvnSandbox Sandbox => fixture.Sandbox;

    public Task InitializeAsync() => Sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Engine_agrees_with_ovn_trace_on_random_acl_sets()
    {
        var scale = int.TryParse(Environment.GetEnvironmentVariable("OVNACL_DIFF_SCALE"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
        var started = Stopwatch.StartNew();
        int compared = 0, ambiguous = 0, allowed = 0;
        var disagreements = new List<string>();
        for (var set = 0; set < AclSets * scale; set++)
        {
            var random = new Random(7919 * (set + 1));
            var acls = await WriteRandomPolicyAsync(random, defaultDrop: set % 5 == 4);
            var view = await ReadViewAsync();
            Assert.Empty(view.Diagnostics);
            var engine = new AclDecisionEngine(view);
            for (var i = 0; i < PacketsPerSet; i++)
            {
                var (from, to, packet, microflow) = RandomPacket(random);
                var decision = engine.Decide(from, to, packet);
                if (decision.IsAmbiguous)
                {
                    ambiguous++;
                    continue;
                }

                var (ovnAllows, _) = await Sandbox.TraceNewConnectionAsync(Switch, microflow, to);
                compared++;
                allowed += ovnAllows ? 1 : 0;
                if (ovnAllows != (decision.Verdict == AclVerdict.Allow))
                {
                    var (_, detailed) = await Sandbox.TraceNewConnectionAsync(Switch, microflow, to, detailed: true);
                    disagreements.Add(Describe(set, acls, from, to, microflow, decision, ovnAllows, detailed));
                }
            }
        }

        output.WriteLine($"{AclSets * scale} ACL sets, {compared} packets compared ({allowed} allowed by OVN), {ambiguous} skipped as ambiguous ties, {disagreements.Count} disagreements, {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var disagreement in disagreements.Take(3))
        {
            output.WriteLine(disagreement);
        }

        Assert.Empty(disagreements);
        Assert.True(compared >= AclSets * scale * PacketsPerSet * 3 / 4, $"only {compared} packets compared");
        Assert.InRange(allowed, 1, compared - 1);
    }

    private static string Mac(int port) => $"0a:00:00:00:00:{port:x2}";

    private static string Ip4(int port) => $"10.0.0.{port}";

    private static string Ip6(int port) => $"fd00::{port:x}";

    private async Task<List<string>> WriteRandomPolicyAsync(Random random, bool defaultDrop)
    {
        await Sandbox.ResetAsync();
        var args = new List<string> { "ls-add", Switch };
        for (var p = 1; p <= Ports; p++)
        {
            var addresses = $"{Mac(p)} {Ip4(p)} {Ip6(p)}";
            args.AddRange(["--", "lsp-add", Switch, $"p{p}", "--", "lsp-set-addresses", $"p{p}", addresses, "--", "lsp-set-port-security", $"p{p}", addresses]);
        }

        foreach (var group in Groups)
        {
            var members = Enumerable.Range(1, Ports).Where(_ => random.Next(3) == 0).Select(p => $"p{p}").ToList();
            if (members.Count == 0)
            {
                members.Add($"p{random.Next(1, Ports + 1)}");
            }

            args.AddRange(["--", "pg-add", group, .. members]);
        }

        var first = random.Next(1, Ports + 1);
        args.AddRange(["--", "create", "Address_Set", "name=as_1", $"addresses=\"{Ip4(first)}\",\"{Ip4((first % Ports) + 1)}\""]);
        args.AddRange(["--", "create", "Address_Set", "name=as_2", "addresses=\"10.0.0.0/30\""]);
        args.AddRange(["--", "create", "Address_Set", "name=as_6", $"addresses=\"{Ip6(random.Next(1, Ports + 1))}\",\"fd00::/126\""]);
        args.AddRange(["--", "set", "NB_Global", ".", $"options:default_acl_drop={(defaultDrop ? "true" : "false")}"]);

        var acls = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var count = random.Next(4, 13);
        for (var i = 0; i < count; i++)
        {
            var toLport = random.Next(2) == 0;
            var direction = toLport ? "to-lport" : "from-lport";
            var owner = random.Next(4) == 0 ? Switch : Groups[random.Next(Groups.Length)];
            var priority = (1000 + random.Next(12)).ToString(CultureInfo.InvariantCulture);
            var match = RandomMatch(random, toLport);
            string[] actions = ["allow", "allow-related", "allow-stateless", "drop", "reject"];
            var action = actions[random.Next(actions.Length)];
            if (!seen.Add($"{owner}|{direction}|{priority}|{match}"))
            {
                continue;
            }

            var afterLb = !toLport && random.Next(6) == 0;
            args.AddRange(["--", $"--name=acl{i}", .. afterLb ? ["--apply-after-lb"] : Array.Empty<string>(), "acl-add", owner, direction, priority, match, action]);
            acls.Add($"{owner}: {direction} {priority} ({match}) {action}{(afterLb ? " [after-lb]" : "")}");
        }

        await Sandbox.RunNbctlAsync(args);
        await Sandbox.WaitForNorthdSyncAsync();
        if (defaultDrop)
        {
            acls.Add("NB_Global options:default_acl_drop=true");
        }

        return acls;
    }

    private static string RandomMatch(Random random, bool toLport)
    {
        var terms = new List<string>();
        var group = Groups[random.Next(Groups.Length)];
        switch (random.Next(5))
        {
            case 0 or 1:
                terms.Add($"{(toLport ? "outport" : "inport")} == @{group}");
                break;
            case 2:
                terms.Add($"inport == @{group}");
                break;
            case 3:
                terms.Add($"{(toLport ? "outport" : "inport")} == \"p{random.Next(1, Ports + 1)}\"");
                break;
        }

        var src = random.Next(2) == 0 ? "src" : "dst";
        switch (random.Next(9))
        {
            case 0:
                terms.Add("ip4");
                break;
            case 1:
                terms.Add($"ip4.{src} == $as_1");
                break;
            case 2:
                terms.Add($"ip4.{src} == ${Groups[random.Next(Groups.Length)]}_ip4");
                break;
            case 3:
                terms.Add($"ip4.{src} == $as_2");
                break;
            case 4:
                terms.Add($"ip4.{src} == {{{Ip4(random.Next(1, Ports + 1))}, 10.0.0.4/31}}");
                break;
            case 5:
                terms.Add($"ip6.{src} == ${Groups[random.Next(Groups.Length)]}_ip6");
                break;
            case 6:
                terms.Add($"ip6.{src} == $as_6");
                break;
            case 7:
                terms.Add("ip");
                break;
        }

        var port = L4Ports[random.Next(L4Ports.Length)];
        switch (random.Next(8))
        {
            case 0:
                terms.Add("tcp");
                break;
            case 1:
                terms.Add($"tcp.dst == {port}");
                break;
            case 2:
                terms.Add($"udp.dst == {{{port}, 53}}");
                break;
            case 3:
                terms.Add("1000 <= tcp.dst <= 6000");
                break;
            case 4:
                terms.Add("icmp4 || icmp6");
                break;
            case 5:
                terms.Add("udp");
                break;
            case 6:
                terms.Add($"tcp.dst != {port}");
                break;
        }

        if (terms.Count == 0)
        {
            terms.Add("ip");
        }

        return string.Join(" && ", terms.Select(t => t.Contains("||", StringComparison.Ordinal) ? $"({t})" : t));
    }

    private static (string From, string To, Packet Packet, string Microflow) RandomPacket(Random random)
    {
        var src = random.Next(1, Ports + 1);
        var dst = random.Next(1, Ports);
        dst = dst >= src ? dst + 1 : dst;
        var ipv6 = random.Next(4) == 0;
        var (srcIp, dstIp) = ipv6 ? (Ip6(src), Ip6(dst)) : (Ip4(src), Ip4(dst));
        var srcPort = (ushort)random.Next(1024, 65536);
        var dstPort = (ushort)L4Ports[random.Next(L4Ports.Length)];
        var family = ipv6 ? "ip6" : "ip4";
        var flow = new StringBuilder($"inport == \"p{src}\" && eth.src == {Mac(src)} && eth.dst == {Mac(dst)} && {family}.src == {srcIp} && {family}.dst == {dstIp} && ip.ttl == 64");
        Packet packet;
        switch (random.Next(3))
        {
            case 0:
                packet = Packet.Tcp4(srcIp, dstIp, srcPort, dstPort);
                flow.Append(CultureInfo.InvariantCulture, $" && tcp && tcp.src == {srcPort} && tcp.dst == {dstPort}");
                break;
            case 1:
                packet = Packet.Udp4(srcIp, dstIp, srcPort, dstPort);
                flow.Append(CultureInfo.InvariantCulture, $" && udp && udp.src == {srcPort} && udp.dst == {dstPort}");
                break;
            default:
                packet = Packet.Ping(srcIp, dstIp);
                flow.Append(ipv6 ? " && icmp6 && icmp6.type == 128 && icmp6.code == 0" : " && icmp4 && icmp4.type == 8 && icmp4.code == 0");
                break;
        }

        packet = packet with { EthSrc = MacAddress.Parse(Mac(src)), EthDst = MacAddress.Parse(Mac(dst)) };
        return ($"p{src}", $"p{dst}", packet, flow.ToString());
    }

    private async Task<AclPolicyView> ReadViewAsync()
    {
        await using var client = new OvsdbClient(Sandbox.NbRemote, OvsdbClientOptions.Default with { Tables = AclPolicyView.MonitoredTables });
        await client.StartAsync();
        return AclPolicyView.FromReplica(client.Replica);
    }

    private static string Describe(int set, List<string> acls, string from, string to, string microflow, AclDecision decision, bool ovnAllows, string trace)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"--- disagreement in ACL set {set}: {from} -> {to}");
        text.AppendLine(CultureInfo.InvariantCulture, $"ACLs:\n  {string.Join("\n  ", acls)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"packet: {microflow}");
        text.AppendLine(CultureInfo.InvariantCulture, $"ovn-trace: {(ovnAllows ? "allow" : "deny")}; engine: {AclText.Format(decision.Verdict)}");
        foreach (var stage in decision.Stages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  engine {AclText.Format(stage.Stage)}: {AclText.Format(stage.Verdict)} by {stage.Outcome} {stage.Acl} ct={stage.CtState} {stage.Explanation}");
        }

        text.AppendLine(trace);
        return text.ToString();
    }
}
