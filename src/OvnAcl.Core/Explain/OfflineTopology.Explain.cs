using System.Net;
using System.Net.Sockets;
using OvnAcl.Acl;
using OvnAcl.Match;
using OvnAcl.Northbound;

namespace OvnAcl.Explain;

public sealed partial class OfflineTopology
{
    /// <summary>
    /// Would a packet from <paramref name="from"/> reach <paramref name="to"/>? Each end is what <see cref="Find"/>
    /// takes, or an IP outside the topology (at most one end). Given an IP of the family, the packet uses it; otherwise
    /// the endpoints' first address of the family (<paramref name="ipv6"/>, implied by an IPv6 end).
    /// </summary>
    /// <exception cref="OvnAclException">An unknown or unplaced end, both ends outside, ends on different switches, or an end without an address of the family.</exception>
    public OfflineExplanation Explain(string from, string to, AclProtocol protocol, ushort? destinationPort, bool ipv6 = false, AclTraffic traffic = AclTraffic.NewConnection)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var (source, sourceIp) = Locate(from);
        var (destination, destinationIp) = Locate(to);
        if (source is null && destination is null)
        {
            throw new OvnAclException($"neither '{from}' nor '{to}' is a {What} of the input; at least one end must be");
        }

        var given = new[] { sourceIp, destinationIp }.OfType<IPAddress>().Select(ip => ip.AddressFamily).Distinct().ToList();
        if (given.Count > 1)
        {
            throw new OvnAclException($"'{from}' and '{to}' are of different IP families");
        }

        ipv6 = given.Count == 1 ? given[0] == AddressFamily.InterNetworkV6 : ipv6;
        source ??= External(sourceIp!, destination!.Switch) with { Node = NodeOf(sourceIp!) };
        destination ??= External(destinationIp!, source.Switch) with { Node = NodeOf(destinationIp!) };
        if (source.Switch != destination.Switch)
        {
            throw new OvnAclException($"{Describe(source)} (switch {source.Switch}) and {Describe(destination)} (switch {destination.Switch}) are on different logical switches; routed traffic is not modelled");
        }

        if (source.Port == destination.Port)
        {
            throw new OvnAclException($"'{from}' and '{to}' are the same logical switch port");
        }

        foreach (var end in new[] { source, destination }.Where(e => e.FirstIp(ipv6) is null))
        {
            throw new OvnAclException($"{Describe(end)} has no {(ipv6 ? "IPv6" : "IPv4")} address{(ipv6 ? "" : "; try --ipv6")}");
        }

        var externals = new[] { source, destination }.Where(e => e.Kind == OfflineEndpointKind.External).ToList();
        var view = ViewWith(externals);
        var packet = AclPacketFactory.Create(view, source.Port, destination.Port, protocol, destinationPort, ipv6);
        packet = packet with { IpSrc = sourceIp ?? packet.IpSrc, IpDst = destinationIp ?? packet.IpDst };
        return new OfflineExplanation
        {
            Decision = Decide(new AclDecisionEngine(view), source.Port, destination.Port, packet, traffic),
            From = source,
            To = destination,
            View = view,
            RuleOf = RuleOf,
        };
    }

    internal static AclDecision Decide(AclDecisionEngine engine, string from, string to, Packet request, AclTraffic traffic) =>
        traffic == AclTraffic.Reply
            ? engine.Decide(to, from, AclPacketFactory.Reverse(request), AclTraffic.Reply)
            : engine.Decide(from, to, request);

    private (OfflineEndpoint? Endpoint, IPAddress? Ip) Locate(string text)
    {
        if (Kind == PolicyInputKind.Kubernetes && text.StartsWith(NodePrefix, StringComparison.Ordinal))
        {
            return (null, NodeAddress(text[NodePrefix.Length..]));
        }

        var endpoint = FindEndpoint(text);
        var ip = IPAddress.TryParse(text, out var parsed) && LooksLikeIp(text, parsed) ? parsed : null;
        return endpoint is null && ip is null
            ? throw new OvnAclException($"'{text}' is no {What} of the input nor an IP address")
            : (endpoint, ip);
    }

    private const string NodePrefix = "node/";

    /// <summary>
    /// A node's first source address (IPv4 before IPv6), from the address sets compiled for it: traffic from a node
    /// enters the pods' switch routed, as from any address outside.
    /// </summary>
    private IPAddress NodeAddress(string name)
    {
        var sets = NodeAddressSets().Where(s => s.ExternalIds.Get("owner") == name).ToList();
        if (sets.Count == 0)
        {
            var nodes = NodeAddressSets().Select(s => s.ExternalIds["owner"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            throw new OvnAclException($"no node '{name}' in the input" + (nodes.Count > 0 ? $" (nodes: {string.Join(", ", nodes)})" : ": give its Node object"));
        }

        return sets.SelectMany(s => s.Addresses).Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>()
                   .OrderBy(ip => ip.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
               ?? throw new OvnAclException($"node '{name}' has no address (status.addresses or the ovnacl.io/node-source-addresses annotation)");
    }

    /// <summary>The node whose address sets hold <paramref name="ip"/>, if any.</summary>
    private string? NodeOf(IPAddress ip) =>
        NodeAddressSets().FirstOrDefault(s => s.Addresses.Any(a => IPAddress.TryParse(a, out var member) && member.Equals(ip)))?.ExternalIds.Get("owner");

    /// <summary>The address sets the compiler wrote for nodes' source addresses (<c>owner-type=Node</c>).</summary>
    private IEnumerable<AddressSetRow> NodeAddressSets() => Rows.AddressSets.Where(s => s.ExternalIds.Get("owner-type") == "Node");

    private OfflineEndpoint? FindEndpoint(string text)
    {
        var byLabel = Endpoints.Where(e => e.Label == text).ToList();
        return byLabel.Count == 1 && !IPAddress.TryParse(text, out _) ? byLabel[0] : Find(text);
    }

    private static bool LooksLikeIp(string text, IPAddress ip) =>
        text.Contains(ip.AddressFamily == AddressFamily.InterNetwork ? '.' : ':', StringComparison.Ordinal);

    private string Describe(OfflineEndpoint endpoint) => endpoint.Kind switch
    {
        OfflineEndpointKind.Pod => $"pod {endpoint.Id}",
        OfflineEndpointKind.NeutronPort => $"Neutron port {endpoint}",
        _ => $"outside address {endpoint.Id}",
    };
}
