using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OvnAcl.Acl;
using OvnAcl.Collections;

namespace OvnAcl.Explain;

/// <summary>One ordered pair of a <see cref="ReachabilityMatrix"/>.</summary>
public sealed record ReachabilityCell
{
    /// <summary>The endpoint that sends.</summary>
    public required OfflineEndpoint From { get; init; }

    /// <summary>The endpoint that receives.</summary>
    public required OfflineEndpoint To { get; init; }

    /// <summary>Null when the pair cannot be asked: one end has no address of the family.</summary>
    public AclVerdict? Verdict { get; init; }

    /// <summary>Tied ACLs with different verdicts decided (OVN's choice is undefined; the verdict is the deny).</summary>
    public bool Ambiguous { get; init; }

    /// <summary>The rules that decided (see <see cref="OfflineExplanation.DecidedBy"/>).</summary>
    public EquatableArray<AclRuleSource> DecidedBy { get; init; } = EquatableArray<AclRuleSource>.Empty;

    /// <summary>Why <see cref="Verdict"/> is null.</summary>
    public string? Skipped { get; init; }
}

/// <summary>The pods or ports of one logical switch and every ordered pair's verdict.</summary>
public sealed record ReachabilitySwitch
{
    /// <summary>The logical switch's name.</summary>
    public required string Name { get; init; }

    /// <summary>The endpoints on the switch, in the order of the matrix's rows and columns.</summary>
    public required EquatableArray<OfflineEndpoint> Endpoints { get; init; }

    /// <summary>Row-major: <c>Cells[i * Endpoints.Count + j]</c> is from endpoint i to endpoint j; the diagonal is null.</summary>
    public required EquatableArray<ReachabilityCell?> Cells { get; init; }

    /// <summary>The cell from endpoint <paramref name="from"/> to endpoint <paramref name="to"/> (indexes into <see cref="Endpoints"/>); null on the diagonal.</summary>
    public ReachabilityCell? Get(int from, int to) => Cells[(from * Endpoints.Count) + to];
}

/// <summary>
/// Which pod (or Neutron port) reaches which, for one protocol and destination port: every ordered pair of endpoints on
/// the same logical switch asked of <see cref="AclDecisionEngine"/>, as <c>ovnacl explain --matrix</c> prints it.
/// </summary>
public sealed record ReachabilityMatrix
{
    /// <summary>Which kind of input the matrix was computed from.</summary>
    public required PolicyInputKind Input { get; init; }

    /// <summary>The protocol of every packet asked about.</summary>
    public required AclProtocol Protocol { get; init; }

    /// <summary>The destination port of every packet asked about; null for a protocol without ports.</summary>
    public ushort? DestinationPort { get; init; }

    /// <summary>True when the packets are IPv6, false for IPv4.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>New connections, or replies within established ones.</summary>
    public AclTraffic Traffic { get; init; }

    /// <summary>One matrix per logical switch: traffic between switches is not decided by ACLs alone.</summary>
    public required EquatableArray<ReachabilitySwitch> Switches { get; init; }

    /// <summary>Objects without a logical switch port, left out: id and why.</summary>
    public EquatableArray<KeyValuePair<string, string>> Unplaced { get; init; }

    /// <exception cref="ArgumentException">A destination port missing for TCP/UDP/SCTP, or given for ICMP.</exception>
    public static ReachabilityMatrix Compute(OfflineTopology topology, AclProtocol protocol, ushort? destinationPort, bool ipv6 = false, AclTraffic traffic = AclTraffic.NewConnection)
    {
        ArgumentNullException.ThrowIfNull(topology);
        if ((protocol == AclProtocol.Icmp) != (destinationPort is null))
        {
            throw new ArgumentException(protocol == AclProtocol.Icmp ? "ICMP has no ports" : $"{protocol.ToString().ToUpperInvariant()} needs a destination port", nameof(destinationPort));
        }

        var engine = new AclDecisionEngine(topology.View);
        var switches = new List<ReachabilitySwitch>();
        foreach (var name in topology.Switches)
        {
            var endpoints = topology.Endpoints.Where(e => e.Switch == name).ToList();
            var cells = new List<ReachabilityCell?>(endpoints.Count * endpoints.Count);
            foreach (var from in endpoints)
            {
                foreach (var to in endpoints)
                {
                    cells.Add(from == to ? null : Cell(topology, engine, from, to, protocol, destinationPort, ipv6, traffic));
                }
            }

            switches.Add(new ReachabilitySwitch { Name = name, Endpoints = endpoints.ToEquatableArray(), Cells = cells.ToEquatableArray() });
        }

        return new ReachabilityMatrix
        {
            Input = topology.Kind,
            Protocol = protocol,
            DestinationPort = destinationPort,
            Ipv6 = ipv6,
            Traffic = traffic,
            Switches = switches.ToEquatableArray(),
            Unplaced = topology.Unplaced.OrderBy(u => u.Key, StringComparer.Ordinal).ToEquatableArray(),
        };
    }

    private static ReachabilityCell Cell(OfflineTopology topology, AclDecisionEngine engine, OfflineEndpoint from, OfflineEndpoint to,
        AclProtocol protocol, ushort? destinationPort, bool ipv6, AclTraffic traffic)
    {
        var missing = new[] { from, to }.FirstOrDefault(e => e.FirstIp(ipv6) is null);
        if (missing is not null)
        {
            return new ReachabilityCell { From = from, To = to, Skipped = $"{missing.Label} has no {(ipv6 ? "IPv6" : "IPv4")} address" };
        }

        var packet = AclPacketFactory.Create(topology.View, from.Port, to.Port, protocol, destinationPort, ipv6);
        var decision = OfflineTopology.Decide(engine, from.Port, to.Port, packet, traffic);
        return new ReachabilityCell
        {
            From = from,
            To = to,
            Verdict = decision.Verdict,
            Ambiguous = decision.IsAmbiguous,
            DecidedBy = ExplainReport.DecidingAcls(decision).Select(s => topology.RuleOf(s.Acl!)).ToEquatableArray(),
        };
    }

    /// <summary>What is asked, e.g. <c>tcp/5432</c> or <c>icmp6</c>.</summary>
    public string Question =>
        (Protocol == AclProtocol.Icmp ? (Ipv6 ? "icmp6" : "icmp4") : Protocol.ToString().ToLowerInvariant() + "/" + DestinationPort!.Value.ToString(CultureInfo.InvariantCulture))
        + (Ipv6 && Protocol != AclProtocol.Icmp ? " over IPv6" : "")
        + (Traffic == AclTraffic.Reply ? ", replies" : ", new connections");

    /// <summary>A grid per switch, rows = from, columns = to, ✓ allowed, ✗ dropped, ? ambiguous tie, · not asked; then a legend.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Question}: rows = from, columns = to; ✓ allowed, ✗ dropped");
        foreach (var sw in Switches)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"switch {sw.Name}");
            Grid(text, sw.Endpoints.Select(e => e.Label).ToList(), (i, j) => sw.Get(i, j) is not { } cell ? "-" : Symbol(cell));
            foreach (var endpoint in sw.Endpoints)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {endpoint.Label}: {endpoint.Port}{(endpoint.Port == endpoint.Id ? "" : $" ({endpoint.Id})")} {string.Join(' ', endpoint.Ips)}");
            }
        }

        var notes = Switches.SelectMany(s => s.Cells).OfType<ReachabilityCell>().Where(c => c.Ambiguous || c.Skipped is not null)
            .Select(c => c.Skipped is { } why ? $"· {c.From.Label} -> {c.To.Label}: not asked, {why}" : $"? {c.From.Label} -> {c.To.Label}: tied ACLs with different actions; OVN's choice is undefined")
            .Distinct(StringComparer.Ordinal).ToList();
        foreach (var (id, why) in Unplaced)
        {
            notes.Add($"left out: {id}: {why}");
        }

        if (notes.Count > 0)
        {
            text.AppendLine();
            notes.ForEach(n => text.AppendLine(n));
        }

        return text.ToString();
    }

    /// <summary>A grid as <see cref="ToText"/> draws it: <paramref name="labels"/> as rows and columns.</summary>
    public static void Grid(StringBuilder text, IReadOnlyList<string> labels, Func<int, int, string> cell)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(cell);
        var rowWidth = labels.Max(l => l.Length) + 2;
        var widths = labels.Select(l => Math.Max(l.Length, 1) + 2).ToList();
        text.Append(' ', rowWidth + 2);
        for (var j = 0; j < labels.Count; j++)
        {
            text.Append(labels[j].PadRight(widths[j]));
        }

        text.AppendLine();
        for (var i = 0; i < labels.Count; i++)
        {
            text.Append("  ").Append(labels[i].PadRight(rowWidth));
            for (var j = 0; j < labels.Count; j++)
            {
                var symbol = cell(i, j);
                var left = (labels[j].Length - 1) / 2;
                text.Append(new string(' ', left)).Append(symbol).Append(' ', widths[j] - left - 1);
            }

            text.AppendLine();
        }
    }

    /// <summary>
    /// One object: <c>input</c>, <c>protocol</c>, <c>port</c>, <c>ipv6</c>, <c>traffic</c>, <c>switches</c> (each with
    /// <c>endpoints</c>, <c>matrix</c> as from label → to label → <c>"allow"</c>/<c>"deny"</c>/null, and <c>cells</c>
    /// with the deciding rules), <c>left_out</c> (docs/explain.md).
    /// </summary>
    public string ToJson()
    {
        var switches = new JsonArray();
        foreach (var sw in Switches)
        {
            var matrix = new JsonObject();
            var cells = new JsonArray();
            for (var i = 0; i < sw.Endpoints.Count; i++)
            {
                var row = new JsonObject();
                for (var j = 0; j < sw.Endpoints.Count; j++)
                {
                    if (sw.Get(i, j) is not { } cell)
                    {
                        continue;
                    }

                    var verdict = cell.Verdict is { } v ? AclText.Format(v) : null;
                    row[sw.Endpoints[j].Label] = verdict;
                    cells.Add(new JsonObject
                    {
                        ["from"] = cell.From.Label,
                        ["to"] = cell.To.Label,
                        ["verdict"] = verdict,
                        ["ambiguous"] = cell.Ambiguous,
                        ["skipped"] = cell.Skipped,
                        ["decided_by"] = new JsonArray([.. cell.DecidedBy.Select(r => (JsonNode?)r.ToJson())]),
                    });
                }

                matrix[sw.Endpoints[i].Label] = row;
            }

            switches.Add(new JsonObject
            {
                ["name"] = sw.Name,
                ["endpoints"] = new JsonArray([.. sw.Endpoints.Select(e => (JsonNode?)ExplainReport.EndpointJson(e))]),
                ["matrix"] = matrix,
                ["cells"] = cells,
            });
        }

        var root = new JsonObject
        {
            ["input"] = Input == PolicyInputKind.Kubernetes ? "kubernetes" : "neutron",
            ["protocol"] = Protocol.ToString().ToLowerInvariant(),
            ["port"] = DestinationPort,
            ["ipv6"] = Ipv6,
            ["traffic"] = Traffic == AclTraffic.Reply ? "reply" : "new",
            ["switches"] = switches,
            ["left_out"] = new JsonArray([.. Unplaced.Select(u => (JsonNode?)new JsonObject { ["id"] = u.Key, ["reason"] = u.Value })]),
        };
        return root.ToJsonString(OutputJson.Options);
    }

    private static string Symbol(ReachabilityCell cell) => cell.Skipped is not null ? "·" : cell.Ambiguous ? "?" : cell.Verdict == AclVerdict.Allow ? "✓" : "✗";
}
