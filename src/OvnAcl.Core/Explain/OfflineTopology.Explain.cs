using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OvnAcl.Acl;
using OvnAcl.Collections;
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
        if (Kind == PolicyInputKind.Kubernetes && (to.StartsWith(ServicePrefix, StringComparison.Ordinal) || IsVip(to)))
        {
            return ExplainLoadBalanced(from, to, protocol, destinationPort, ipv6, traffic);
        }

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
        var (decision, passes) = WithPasses(Decide(new AclDecisionEngine(view), source.Port, destination.Port, packet, traffic), externals, source.Port, destination.Port, packet, traffic);
        return new OfflineExplanation
        {
            Decision = decision,
            From = source,
            To = destination,
            View = view,
            RuleOf = RuleOf,
            PassedBy = passes,
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

    private const string ServicePrefix = "service/";

    /// <summary>An IP no endpoint holds that is a VIP of one of the Services' load balancers.</summary>
    private bool IsVip(string text) =>
        IPAddress.TryParse(text, out var ip) && LooksLikeIp(text, ip) && !Endpoints.Any(e => e.Ips.Contains(ip)) && VipEntries().Any(v => v.Vip.Vip.Address.Equals(ip));

    private IEnumerable<(LoadBalancerView Lb, LoadBalancerVip Vip)> VipEntries() =>
        LoadBalancers.Select(LoadBalancerView.Read).SelectMany(lb => lb.Vips.Select(v => (lb, v)));

    /// <summary>
    /// A connection to a Service's VIP (<c>service/NAMESPACE/NAME</c> with the Service port, or a ClusterIP): decided for
    /// each backend after load balancing, as OVN does (docs/explain.md, Services).
    /// </summary>
    private OfflineExplanation ExplainLoadBalanced(string from, string to, AclProtocol protocol, ushort? destinationPort, bool ipv6, AclTraffic traffic)
    {
        if (traffic == AclTraffic.Reply)
        {
            throw new OvnAclException("--reply through a Service VIP is not modelled: ask about the reply from the backend (its pod or IP) instead");
        }

        var proto = protocol.ToString().ToLowerInvariant();
        IPAddress vipAddress;
        if (to.StartsWith(ServicePrefix, StringComparison.Ordinal))
        {
            var key = ServiceKey(to[ServicePrefix.Length..]);
            var entries = VipEntries().Where(v => v.Lb.Service == key).ToList();
            var family = entries.Where(v => (v.Vip.Vip.Address.AddressFamily == AddressFamily.InterNetworkV6) == ipv6).ToList();
            if (family.Count == 0)
            {
                throw new OvnAclException($"Service {key} has no {(ipv6 ? "IPv6" : "IPv4")} ClusterIP{(ipv6 ? "" : "; try --ipv6")}");
            }

            var hit = family.FirstOrDefault(v => v.Lb.Protocol == protocol && v.Vip.Vip.Port == destinationPort);
            vipAddress = hit.Vip?.Vip.Address ?? throw new OvnAclException(
                $"Service {key} has no {proto} port {destinationPort?.ToString(CultureInfo.InvariantCulture) ?? "(none given)"} (ports: {string.Join(", ", family.Select(v => $"{v.Lb.Protocol.ToString().ToLowerInvariant()}/{v.Vip.Vip.Port}").Distinct(StringComparer.Ordinal))})");
        }
        else
        {
            vipAddress = IPAddress.Parse(to);
        }

        ipv6 = vipAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var (source, sourceIp) = Locate(from);
        if (source is null && Switches.Length != 1)
        {
            throw new OvnAclException($"'{from}' is no pod of the input; a connection to a VIP needs a pod as its client");
        }

        source ??= External(sourceIp!, Switches[0]) with { Node = NodeOf(sourceIp!) };
        if (source.FirstIp(ipv6) is null)
        {
            throw new OvnAclException($"{Describe(source)} has no {(ipv6 ? "IPv6" : "IPv4")} address, and the VIP {vipAddress} is {(ipv6 ? "IPv6" : "IPv4")}");
        }

        if (View.FindVip(source.Switch, vipAddress, protocol, destinationPort) is not { } found)
        {
            var ports = VipEntries().Where(v => v.Vip.Vip.Address.Equals(vipAddress)).Select(v => $"{v.Lb.Protocol.ToString().ToLowerInvariant()}/{v.Vip.Vip.Port}").Distinct(StringComparer.Ordinal);
            var owners = VipEntries().Where(v => v.Vip.Vip.Address.Equals(vipAddress)).Select(v => v.Lb.Service ?? v.Lb.Row.Name).Distinct(StringComparer.Ordinal);
            throw new OvnAclException($"{vipAddress} is the ClusterIP of Service {string.Join(", ", owners)}, which has no {proto} port {destinationPort?.ToString(CultureInfo.InvariantCulture) ?? "(none given)"} (ports: {string.Join(", ", ports)})");
        }

        // Backends the topology has no pod for (a host-network pod, an address outside) are reached through a router port each.
        var externals = new List<OfflineEndpoint>();
        if (source.Kind == OfflineEndpointKind.External)
        {
            externals.Add(source);
        }

        var endpoints = new Dictionary<LoadBalancerAddress, OfflineEndpoint>();
        foreach (var backend in found.Vip.Backends)
        {
            var endpoint = Endpoints.FirstOrDefault(e => e.Ips.Contains(backend.Address))
                ?? externals.FirstOrDefault(e => e.Ips.Contains(backend.Address));
            if (endpoint is null)
            {
                endpoint = External(backend.Address, source.Switch) with { Node = NodeOf(backend.Address) };
                endpoint = externals.Count == 0 ? endpoint : endpoint with { Port = $"{ExternalPortName}-{externals.Count}" };
                externals.Add(endpoint);
            }

            endpoints[backend] = endpoint;
        }

        var view = ViewWith(externals);
        var packet = AclPacketFactory.Create(view, source.Port, source.Port, protocol, destinationPort, ipv6);
        packet = packet with { IpSrc = sourceIp ?? packet.IpSrc, IpDst = vipAddress, EthDst = MacAddress.Parse(MacFor(ExternalPortName)) };
        var decided = new AclDecisionEngine(view).DecideThroughLoadBalancer(source.Port, packet, b => endpoints[b].Port);
        var backends = decided.Backends.Select(b => new OfflineBackend { Backend = b.Backend, Endpoint = endpoints[b.Backend], Decision = b.Decision! }).ToEquatableArray();
        var shown = backends.FirstOrDefault(b => b.Decision.Verdict == AclVerdict.Deny) ?? backends.FirstOrDefault();
        var vipEnd = new OfflineEndpoint
        {
            Label = found.Vip.Vip.ToString(),
            Id = found.LoadBalancer.Service ?? found.Vip.Vip.ToString(),
            Kind = OfflineEndpointKind.ServiceVip,
            Port = found.LoadBalancer.Row.Name,
            Switch = source.Switch,
            Mac = "",
            Ips = [vipAddress],
        };
        // The backend shown, decided again on the tiered rows through the same load balancer, names the Passes it went
        // through (for flattened rows, whose Pass rules left no ACL).
        var (decision, passes) = WithPasses(shown?.Decision ?? decided.WithoutBackends!, externals, engine =>
        {
            var again = engine.DecideThroughLoadBalancer(source.Port, packet, b => endpoints[b].Port);
            return shown is null ? again.WithoutBackends : again.Backends.FirstOrDefault(b => b.Backend == shown.Backend)?.Decision;
        });
        return new OfflineExplanation
        {
            Decision = decision,
            From = source,
            To = shown?.Endpoint ?? vipEnd,
            View = view,
            RuleOf = RuleOf,
            PassedBy = passes,
            LoadBalancing = new OfflineLoadBalancing { Decision = decided, Backends = backends },
        };
    }

    /// <summary><c>NAMESPACE/NAME</c>, or a NAME that one namespace's Service has.</summary>
    private string ServiceKey(string text)
    {
        var known = LoadBalancers.Select(LoadBalancerView.Read).Select(l => l.Service).OfType<string>().Concat(ServicesWithoutVip.Keys)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var key = text.Contains('/', StringComparison.Ordinal) ? text : known.Where(k => k.EndsWith("/" + text, StringComparison.Ordinal)).ToList() switch
        {
            [var one] => one,
            { Count: > 1 } many => throw new OvnAclException($"Service name '{text}' is ambiguous: use one of {string.Join(", ", many)}"),
            _ => text,
        };
        if (ServicesWithoutVip.TryGetValue(key, out var why))
        {
            throw new OvnAclException($"Service {key} has no VIP to explain through: {why}");
        }

        return known.Contains(key)
            ? key
            : throw new OvnAclException($"no Service '{text}' in the input: use service/NAMESPACE/NAME" + (known.Count > 0 ? $" (Services: {string.Join(", ", known.Take(12))})" : "; give its Service object"));
    }

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
        OfflineEndpointKind.ServiceVip => $"VIP {endpoint.Label} of {endpoint.Id}",
        _ => $"outside address {endpoint.Id}",
    };
}
