using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using OvnAcl.Acl.Building;
using OvnAcl.Collections;
using OvnAcl.Match;
using OvnAcl.Northbound;

namespace OvnAcl.Acl;

/// <summary>Which row an ACL hangs off: a logical switch or a port group.</summary>
public sealed record AclOwner(AclOwnerKind Kind, string Name)
{
    /// <summary><c>port group NAME</c> or <c>switch NAME</c>, for explanations.</summary>
    public override string ToString() => (Kind == AclOwnerKind.PortGroup ? "port group " : "switch ") + Name;
}

/// <summary>An ACL with its match parsed, and the row that owns it. An ACL referenced by two owners appears once per owner.</summary>
public sealed record AclView
{
    /// <summary>The NB row; setting it parses <see cref="Direction"/> and <see cref="Action"/>.</summary>
    /// <exception cref="FormatException">The row's direction or action is not one the NB allows.</exception>
    public required AclRow Row
    {
        get => _row;
        init
        {
            _row = value;
            Direction = AclText.ParseDirection(value.Direction);
            Action = AclText.ParseAction(value.Action);
        }
    }

    private readonly AclRow _row = null!;

    /// <summary>The switch or port group whose <c>acls</c> hold the row.</summary>
    public required AclOwner Owner { get; init; }

    /// <summary><see cref="AclRow.Direction"/>, parsed.</summary>
    public AclDirection Direction { get; private init; }

    /// <summary><see cref="AclRow.Action"/>, parsed.</summary>
    public AclAction Action { get; private init; }

    /// <summary><c>options:apply-after-lb=true</c> moves a from-lport ACL to the stage after load balancing.</summary>
    public bool ApplyAfterLb => Direction == AclDirection.FromLport
        && string.Equals(Row.Options.Get("apply-after-lb"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The parsed and checked match; null when the text is not a valid OVN match (see <see cref="MatchError"/>).</summary>
    public MatchExpr? Match { get; init; }

    /// <summary>Why <see cref="AclRow.Match"/> could not be used; OVN ignores such an ACL too (its flow fails to parse).</summary>
    public string? MatchError { get; init; }

    /// <summary>The pipeline stage that evaluates the ACL: to-lport, or from-lport before or after load balancing (<c>apply-after-lb</c>).</summary>
    public AclStage Stage => Direction == AclDirection.ToLport ? AclStage.ToLport : ApplyAfterLb ? AclStage.FromLportAfterLb : AclStage.FromLport;

    /// <summary>Owner, direction, priority, match and action in one line, for explanations.</summary>
    public override string ToString() =>
        $"{AclText.Format(Direction)} {Row.Priority} ({Row.Match}) {AclText.Format(Action)}{(Row.Tier != 0 ? $" tier {Row.Tier}" : "")} on {Owner}";
}

/// <summary>A logical switch port with its addresses read (<c>addresses</c> and <c>dynamic_addresses</c>) and its port security.</summary>
public sealed record LogicalPortView
{
    /// <summary>The logical switch port's name.</summary>
    public required string Name { get; init; }
    /// <summary>The logical switch the port is on.</summary>
    public required string Switch { get; init; }
    /// <summary><c>Logical_Switch_Port.type</c>: empty for a VM or pod port, <c>router</c>, <c>localnet</c> and so on otherwise.</summary>
    public string Type { get; init; } = "";
    /// <summary><c>enabled</c>: a disabled port sends and receives nothing.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>MACs of the port's static and dynamic addresses, in column order.</summary>
    public EquatableArray<MacAddress> Macs { get; init; }

    /// <summary>IPv4 addresses of the port's static and dynamic addresses.</summary>
    public EquatableArray<IPAddress> Ipv4 { get; init; }
    /// <summary>IPv6 addresses of the port's static and dynamic addresses.</summary>
    public EquatableArray<IPAddress> Ipv6 { get; init; }

    /// <summary><c>port_security</c> entries as written (empty: no port security).</summary>
    public EquatableArray<string> PortSecurity { get; init; }

    /// <summary><c>options:router-port</c> of a <c>router</c> port: the logical router port it is patched to.</summary>
    public string? RouterPort { get; init; }
}

/// <summary>A logical switch: its ports and the ACLs on the switch row itself.</summary>
public sealed record LogicalSwitchView
{
    /// <summary>The logical switch's name.</summary>
    public required string Name { get; init; }
    /// <summary>Names of the switch's ports.</summary>
    public EquatableArray<string> Ports { get; init; }
    /// <summary>The ACLs on the switch row, applying to every port of it.</summary>
    public EquatableArray<AclView> Acls { get; init; }

    /// <summary>The load balancers the switch applies (its own and its load balancer groups'), VIPs read.</summary>
    public EquatableArray<LoadBalancerView> LoadBalancers { get; init; } = EquatableArray<LoadBalancerView>.Empty;
}

/// <summary>A port group: its member ports (by name) and its ACLs.</summary>
public sealed record PortGroupView
{
    /// <summary>The port group's name, as matches name it after <c>@</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Names of the member ports.</summary>
    public EquatableArray<string> Ports { get; init; }
    /// <summary>The port group's ACLs, applying to its member ports.</summary>
    public EquatableArray<AclView> Acls { get; init; }
}

/// <summary>
/// What decides traffic in a Northbound database, resolved and indexed: switches, ports with their addresses, port groups,
/// address sets (with OVN's automatic <c>$&lt;pg&gt;_ip4</c>/<c>$&lt;pg&gt;_ip6</c>), ACLs with parsed matches, and
/// <c>default_acl_drop</c>. Build one with <see cref="FromRows"/> or <see cref="FromReplica"/>; ask it with <see cref="AclDecisionEngine"/>.
/// Immutable; it is an index over rows, so it compares by reference (compare the <see cref="Rows"/> for content).
/// </summary>
public sealed partial class AclPolicyView
{
    private readonly FrozenDictionary<string, SwitchMatchContext> _contexts;

    private AclPolicyView(
        NorthboundAclRows rows,
        FrozenDictionary<string, LogicalSwitchView> switches,
        FrozenDictionary<string, LogicalPortView> ports,
        FrozenDictionary<string, PortGroupView> portGroups,
        FrozenDictionary<string, EquatableArray<string>> addressSets,
        ImmutableArray<string> diagnostics)
    {
        Rows = rows;
        Switches = switches;
        Ports = ports;
        PortGroups = portGroups;
        AddressSets = addressSets;
        Diagnostics = diagnostics;
        _contexts = switches.Values.ToFrozenDictionary(s => s.Name, s => new SwitchMatchContext(this, s), StringComparer.Ordinal);
    }

    /// <summary>The rows this view was built from.</summary>
    public NorthboundAclRows Rows { get; }

    /// <summary>Every logical switch, by name.</summary>
    public IReadOnlyDictionary<string, LogicalSwitchView> Switches { get; }

    /// <summary>Every logical switch port, by name.</summary>
    public IReadOnlyDictionary<string, LogicalPortView> Ports { get; }

    /// <summary>Every port group, by name.</summary>
    public IReadOnlyDictionary<string, PortGroupView> PortGroups { get; }

    /// <summary>Every address set a match can name: the NB's Address_Set rows and, per port group, <c>&lt;pg&gt;_ip4</c> and <c>&lt;pg&gt;_ip6</c>.</summary>
    public IReadOnlyDictionary<string, EquatableArray<string>> AddressSets { get; }

    /// <summary><c>NB_Global options:default_acl_drop</c>: true when a packet no ACL matches is dropped rather than allowed.</summary>
    public bool DefaultAclDrop => Rows.DefaultAclDrop;

    /// <summary>Every ACL with its owner: switches' first, then port groups', each in name order.</summary>
    public IEnumerable<AclView> Acls => Switches.Values.OrderBy(s => s.Name, StringComparer.Ordinal).SelectMany(s => s.Acls)
        .Concat(PortGroups.Values.OrderBy(g => g.Name, StringComparer.Ordinal).SelectMany(g => g.Acls));

    /// <summary>Problems met while building: unparsable matches, members that are not ports, a port on two switches.</summary>
    public ImmutableArray<string> Diagnostics { get; }

    /// <summary>
    /// The ACLs that a logical switch evaluates: its own and those of every port group with at least one port on it
    /// (ovn-northd applies a port group's ACLs, unchanged, to every switch holding one of its ports; the match alone
    /// decides which packets they concern).
    /// </summary>
    public IEnumerable<AclView> AclsOnSwitch(string switchName)
    {
        var view = Switches.TryGetValue(switchName, out var s) ? s : throw new AclPolicyException($"no logical switch '{switchName}'");
        var ports = view.Ports.ToHashSet(StringComparer.Ordinal);
        return view.Acls.Concat(PortGroups.Values
            .Where(g => g.Ports.Any(ports.Contains))
            .OrderBy(g => g.Name, StringComparer.Ordinal)
            .SelectMany(g => g.Acls));
    }

    /// <summary>
    /// What <c>$set</c> and <c>@group</c> mean in the flows of one switch: address sets are global, but a port group
    /// only holds its members on that switch (northd writes one Southbound Port_Group per switch).
    /// </summary>
    public IMatchContext MatchContextFor(string switchName) =>
        _contexts.TryGetValue(switchName, out var context) ? context : throw new AclPolicyException($"no logical switch '{switchName}'");

    /// <summary>The logical switch port <paramref name="name"/>.</summary>
    /// <exception cref="AclPolicyException">No such port.</exception>
    public LogicalPortView GetPort(string name) =>
        Ports.TryGetValue(name, out var port) ? port : throw new AclPolicyException($"no logical switch port '{name}'");

    /// <summary>
    /// How a packet gets from one switch to another: a logical router with a port patched to a <c>router</c> port of each
    /// switch (ovn-kubernetes' node switches and <c>ovn_cluster_router</c>). Null when no single router joins them.
    /// </summary>
    internal (LogicalPortView Out, string Router, LogicalPortView In)? FindRoute(string fromSwitch, string toSwitch)
    {
        LogicalPortView[] RouterPorts(string name) => Switches.TryGetValue(name, out var sw)
            ? [.. sw.Ports.Select(p => Ports[p]).Where(p => p.Type == "router" && p.RouterPort is not null)]
            : [];

        var outs = RouterPorts(fromSwitch);
        var ins = RouterPorts(toSwitch);
        foreach (var router in Rows.Routers.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var ports = router.Ports.ToHashSet(StringComparer.Ordinal);
            if (outs.FirstOrDefault(p => ports.Contains(p.RouterPort!)) is { } exit && ins.FirstOrDefault(p => ports.Contains(p.RouterPort!)) is { } entry)
            {
                return (exit, router.Name, entry);
            }
        }

        return null;
    }

    /// <summary>Builds the view from plain rows, e.g. a compiler's output.</summary>
    public static AclPolicyView FromRows(NorthboundAclRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var diagnostics = ImmutableArray.CreateBuilder<string>();
        var matches = ParseMatches(rows);
        AclView AclOf(AclRow row, AclOwner owner) => ReadAcl(row, owner, matches[row.Match], diagnostics);
        var ports = new Dictionary<string, LogicalPortView>(StringComparer.Ordinal);
        var switches = new Dictionary<string, LogicalSwitchView>(StringComparer.Ordinal);
        var portRows = new Dictionary<string, LogicalSwitchPortRow>(StringComparer.Ordinal);
        foreach (var sw in rows.Switches)
        {
            if (switches.ContainsKey(sw.Name))
            {
                diagnostics.Add($"two logical switches are named '{sw.Name}'; the second is ignored");
                continue;
            }

            foreach (var port in sw.Ports)
            {
                if (!ports.TryAdd(port.Name, ReadPort(port, sw.Name)))
                {
                    diagnostics.Add($"logical switch port '{port.Name}' appears twice (switch '{sw.Name}'); the second is ignored");
                    continue;
                }

                portRows[port.Name] = port;
            }

            switches[sw.Name] = new LogicalSwitchView
            {
                Name = sw.Name,
                Ports = sw.Ports.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToImmutableArray(),
                Acls = sw.Acls.Select(a => AclOf(a, new AclOwner(AclOwnerKind.LogicalSwitch, sw.Name))).ToImmutableArray(),
                LoadBalancers = ReadLoadBalancers(sw, diagnostics),
            };
        }

        var groups = new Dictionary<string, PortGroupView>(StringComparer.Ordinal);
        var addressSets = new Dictionary<string, EquatableArray<string>>(StringComparer.Ordinal);
        foreach (var set in rows.AddressSets)
        {
            addressSets[set.Name] = set.Addresses;
        }

        foreach (var group in rows.PortGroups)
        {
            foreach (var missing in group.Ports.Where(p => !ports.ContainsKey(p)))
            {
                diagnostics.Add($"port group '{group.Name}' names '{missing}', which is not a port of any logical switch");
            }

            var members = group.Ports.Where(ports.ContainsKey).Distinct(StringComparer.Ordinal).ToImmutableArray();
            groups[group.Name] = new PortGroupView
            {
                Name = group.Name,
                Ports = members,
                Acls = group.Acls.Select(a => AclOf(a, new AclOwner(AclOwnerKind.PortGroup, group.Name))).ToImmutableArray(),
            };

            // ovn-northd (sync_address_sets): the members' addresses and dynamic_addresses, never port_security.
            var (v4, v6) = GroupAddresses(members.Select(m => portRows[m]));
            addressSets[group.Name + "_ip4"] = v4;
            addressSets[group.Name + "_ip6"] = v6;
        }

        return new AclPolicyView(
            rows,
            switches.ToFrozenDictionary(StringComparer.Ordinal),
            ports.ToFrozenDictionary(StringComparer.Ordinal),
            groups.ToFrozenDictionary(StringComparer.Ordinal),
            addressSets.ToFrozenDictionary(StringComparer.Ordinal),
            diagnostics.ToImmutable());
    }

    /// <summary>
    /// The load balancer VIP on <paramref name="switchName"/> that a new connection to <paramref name="address"/>
    /// (<paramref name="protocol"/>, <paramref name="port"/>) hits, with its row; null when the address is no VIP there.
    /// </summary>
    public (LoadBalancerView LoadBalancer, LoadBalancerVip Vip)? FindVip(string switchName, IPAddress address, AclProtocol protocol, ushort? port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var view = Switches.TryGetValue(switchName, out var s) ? s : throw new AclPolicyException($"no logical switch '{switchName}'");
        foreach (var lb in view.LoadBalancers)
        {
            if (lb.Find(address, protocol, port) is { } vip)
            {
                return (lb, vip);
            }
        }

        return null;
    }

    private static EquatableArray<LoadBalancerView> ReadLoadBalancers(LogicalSwitchRow row, ImmutableArray<string>.Builder diagnostics)
    {
        var views = row.LoadBalancers.DistinctBy(l => (l.Name, l.Uuid)).Select(LoadBalancerView.Read).ToList();
        foreach (var problem in views.SelectMany(v => v.Problems))
        {
            diagnostics.Add(problem);
        }

        return views.ToEquatableArray();
    }

    private static LogicalPortView ReadPort(LogicalSwitchPortRow row, string switchName)
    {
        var macs = new List<MacAddress>();
        var v4 = new List<IPAddress>();
        var v6 = new List<IPAddress>();
        foreach (var entry in StaticAndDynamic(row))
        {
            if (LspAddressParser.TryParse(entry, out var parsed))
            {
                macs.Add(parsed!.Mac);
                foreach (var (address, _) in parsed.Ips)
                {
                    (address.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Add(address);
                }
            }
        }

        return new LogicalPortView
        {
            Name = row.Name,
            Switch = switchName,
            Type = row.Type,
            Enabled = row.Enabled ?? true,
            Macs = macs.ToArray(),
            Ipv4 = v4.ToArray(),
            Ipv6 = v6.ToArray(),
            PortSecurity = row.PortSecurity,
            RouterPort = row.RouterPort,
        };
    }

    private static IEnumerable<string> StaticAndDynamic(LogicalSwitchPortRow row) =>
        row.Addresses.Where(a => !LspAddressParser.IsDynamic(a)).Concat(row.DynamicAddresses is { } d ? [d] : []);

    private static (EquatableArray<string> V4, EquatableArray<string> V6) GroupAddresses(IEnumerable<LogicalSwitchPortRow> members)
    {
        var v4 = new List<string>();
        var v6 = new List<string>();
        foreach (var entry in members.SelectMany(StaticAndDynamic))
        {
            if (LspAddressParser.TryParse(entry, out var parsed))
            {
                foreach (var (address, _) in parsed!.Ips)
                {
                    (address.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Add(address.ToString());
                }
            }
        }

        return (v4.Distinct(StringComparer.Ordinal).ToArray(), v6.Distinct(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Below this many distinct matches they are parsed on the calling thread.</summary>
    private const int ParallelParseThreshold = 2048;

    /// <summary>
    /// Every distinct match of the rows, parsed once (an NB of 100,000 ACLs: most of the time to build the view), on all
    /// cores when there are many. A tree is immutable and its positions are its own text's, so ACLs with the same match
    /// text can share one.
    /// </summary>
    private static Dictionary<string, (MatchExpr? Match, string? Error)> ParseMatches(NorthboundAclRows rows)
    {
        var texts = rows.Switches.SelectMany(s => s.Acls).Concat(rows.PortGroups.SelectMany(g => g.Acls))
            .Select(a => a.Match).Distinct(StringComparer.Ordinal).ToArray();
        var parsed = new (MatchExpr? Match, string? Error)[texts.Length];
        if (texts.Length < ParallelParseThreshold)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                parsed[i] = Parse(texts[i]);
            }
        }
        else
        {
            Parallel.For(0, texts.Length, i => parsed[i] = Parse(texts[i]));
        }

        var byText = new Dictionary<string, (MatchExpr? Match, string? Error)>(texts.Length, StringComparer.Ordinal);
        for (var i = 0; i < texts.Length; i++)
        {
            byText[texts[i]] = parsed[i];
        }

        return byText;

        static (MatchExpr? Match, string? Error) Parse(string text) => MatchExpression.TryParse(text, out var match, out var problems)
            ? (match, null)
            : (null, string.Join("; ", problems.Select(p => p.ToString())));
    }

    private static AclView ReadAcl(AclRow row, AclOwner owner, (MatchExpr? Match, string? Error) parsed, ImmutableArray<string>.Builder diagnostics)
    {
        if (parsed.Match is { } match)
        {
            return new AclView { Row = row, Owner = owner, Match = match };
        }

        diagnostics.Add($"ACL {row.Direction} {row.Priority} on {owner}: match '{row.Match}' is not valid, so the ACL never applies: {parsed.Error}");
        return new AclView { Row = row, Owner = owner, MatchError = parsed.Error };
    }

    /// <summary>The per-switch view of <c>$set</c> and <c>@group</c>.</summary>
    private sealed class SwitchMatchContext : IMatchContext
    {
        private readonly Dictionary<string, IReadOnlySet<string>> _portGroups = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<MatchConstant>?> _addressSets;

        public SwitchMatchContext(AclPolicyView view, LogicalSwitchView sw)
        {
            var onSwitch = sw.Ports.ToHashSet(StringComparer.Ordinal);
            foreach (var group in view.PortGroups.Values)
            {
                var members = group.Ports.Where(onSwitch.Contains).ToHashSet(StringComparer.Ordinal);
                if (members.Count > 0)
                {
                    _portGroups[group.Name] = members;
                }
            }

            _addressSets = view.AddressSets.ToDictionary(a => a.Key, a => Entries(a.Value), StringComparer.Ordinal);
        }

        public bool TryGetAddressSet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<MatchConstant>? addresses)
        {
            addresses = _addressSets.TryGetValue(name, out var entries) ? entries : null;
            return addresses is not null;
        }

        public bool TryGetPortGroup(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlySet<string>? ports) =>
            _portGroups.TryGetValue(name, out ports);

        // An entry OVN could not read makes the whole set unusable, as a flow naming it would fail to parse.
        private static IReadOnlyList<MatchConstant>? Entries(EquatableArray<string> addresses)
        {
            try
            {
                return addresses.Select(NumericLiteral.ParseEntry).ToImmutableArray();
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
