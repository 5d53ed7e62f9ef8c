using System.Net;
using System.Net.Sockets;
using OvnAcl.Match;

namespace OvnAcl.Acl;

public sealed partial class AclDecisionEngine
{
    /// <summary>
    /// When <paramref name="destination"/> is a load balancer VIP of <paramref name="fromPort"/>'s switch (an IP no port of
    /// the switch holds) or <c>service/NAMESPACE/NAME</c> (a load balancer with ovn-kubernetes' external_ids for that
    /// Service, at <paramref name="port"/>): the connection decided for each backend. Null when <paramref name="destination"/>
    /// is a logical switch port or an IP that is no VIP there, to be decided as an ordinary packet.
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown source port, an address without the family, or a Service with no such VIP.</exception>
    public LoadBalancedDecision? TryDecideThroughLoadBalancer(string fromPort, string destination, AclProtocol protocol, ushort? port, bool ipv6 = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (View.Ports.ContainsKey(destination))
        {
            return null;
        }

        var from = View.GetPort(fromPort);
        var balancers = View.Switches[from.Switch].LoadBalancers;
        IPAddress vip;
        if (destination.StartsWith("service/", StringComparison.Ordinal))
        {
            var service = destination["service/".Length..];
            var entries = balancers.Where(lb => lb.Service == service).SelectMany(lb => lb.Vips.Select(v => (lb, v))).ToList();
            if (entries.Count == 0)
            {
                var known = balancers.Select(lb => lb.Service).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(12).ToList();
                throw new AclPolicyException($"no load balancer on switch {from.Switch} has external_ids k8s.ovn.org/owner={service}" + (known.Count > 0 ? $" (Services: {string.Join(", ", known)})" : ""));
            }

            var hit = entries.FirstOrDefault(e => e.lb.Protocol == protocol && e.v.Vip.Port == port
                && (e.v.Vip.Address.AddressFamily == AddressFamily.InterNetworkV6) == ipv6);
            vip = hit.v?.Vip.Address ?? throw new AclPolicyException(
                $"Service {service} has no {(ipv6 ? "IPv6 " : "")}VIP for {protocol.ToString().ToLowerInvariant()} port {port} (VIPs: {string.Join(", ", entries.Select(e => $"{e.lb.Protocol.ToString().ToLowerInvariant()} {e.v.Vip}"))})");
        }
        else if (!IPAddress.TryParse(destination, out vip!))
        {
            return null;
        }
        else if (View.FindVip(from.Switch, vip, protocol, port) is null)
        {
            var address = vip;
            var others = balancers.SelectMany(lb => lb.Vips.Where(v => v.Vip.Address.Equals(address)).Select(v => $"{lb.Protocol.ToString().ToLowerInvariant()} {v.Vip} of {lb}")).ToList();
            return others.Count == 0
                ? null
                : throw new AclPolicyException($"{vip} is a VIP on switch {from.Switch}, but not for {protocol.ToString().ToLowerInvariant()} port {port}: {string.Join("; ", others)}");
        }

        ipv6 = vip.AddressFamily == AddressFamily.InterNetworkV6;
        var packet = AclPacketFactory.Create(View, fromPort, fromPort, protocol, port, ipv6) with { IpDst = vip };
        return DecideThroughLoadBalancer(fromPort, packet);
    }

    /// <summary>
    /// A new connection from <paramref name="fromPort"/> with <paramref name="toVip"/> (the packet the client sends, to a
    /// load balancer VIP of the port's switch), decided for every backend of the VIP (OVN picks one per connection by a
    /// hash). A backend is the logical switch port holding its address, on the client's switch or on one a logical router
    /// joins to it (<paramref name="backendPort"/> may name it instead, e.g. a router port for an address outside); one
    /// without a port is listed undecided.
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown port, or a destination that is no VIP of the port's switch.</exception>
    public LoadBalancedDecision DecideThroughLoadBalancer(string fromPort, Packet toVip, Func<LoadBalancerAddress, string?>? backendPort = null)
    {
        ArgumentNullException.ThrowIfNull(toVip);
        var from = View.GetPort(fromPort);
        var protocol = toVip.IpProto switch
        {
            Packet.ProtoTcp => AclProtocol.Tcp,
            Packet.ProtoUdp => AclProtocol.Udp,
            Packet.ProtoSctp => AclProtocol.Sctp,
            _ => AclProtocol.Icmp,
        };
        ushort? port = protocol == AclProtocol.Icmp ? null : toVip.L4Dst;
        var destination = toVip.IpDst ?? throw new ArgumentException("the packet has no destination address", nameof(toVip));
        if (View.FindVip(from.Switch, destination, protocol, port) is not { } found)
        {
            throw new AclPolicyException($"{destination}{(port is { } p ? ":" + p : "")} ({protocol.ToString().ToLowerInvariant()}) is no load balancer VIP of switch {from.Switch}");
        }

        var (lb, vip) = found;
        if (vip.Backends.IsEmpty)
        {
            return new LoadBalancedDecision
            {
                LoadBalancer = lb,
                Vip = vip,
                Switch = from.Switch,
                WithoutBackends = DecideWithoutBackends(fromPort, toVip, vip.Vip.ToString(), lb.RejectsWithoutBackends),
            };
        }

        var switchPorts = View.Switches[from.Switch].Ports;
        var backends = new List<LoadBalancedBackend>();
        foreach (var backend in vip.Backends)
        {
            bool Holds(LogicalPortView candidate) => candidate.Type == ""
                && (backend.Address.AddressFamily == AddressFamily.InterNetwork ? candidate.Ipv4 : candidate.Ipv6).Contains(backend.Address);

            // On the client's switch, else on a switch a logical router joins to it (ovn-kubernetes: another node's).
            var lsp = backendPort?.Invoke(backend)
                ?? switchPorts.FirstOrDefault(name => Holds(View.Ports[name]))
                ?? View.Ports.Values.Where(p => p.Switch != from.Switch && Holds(p) && View.FindRoute(from.Switch, p.Switch) is not null)
                    .Select(p => p.Name).Order(StringComparer.Ordinal).FirstOrDefault();
            backends.Add(new LoadBalancedBackend
            {
                Backend = backend,
                Port = lsp,
                Decision = lsp is null ? null : DecideLoadBalanced(fromPort, lsp, toVip, backend),
            });
        }

        return new LoadBalancedDecision { LoadBalancer = lb, Vip = vip, Switch = from.Switch, Backends = backends.ToArray() };
    }

    /// <summary>
    /// A new connection from <paramref name="fromPort"/> to a load balancer VIP (<paramref name="toVip"/> is the packet
    /// the client sends, to the VIP), decided for one backend, <paramref name="backend"/> on <paramref name="backendPort"/>,
    /// as OVN does: the from-lport stage sees the VIP, the load balancer DNATs, and the after-lb and to-lport stages see
    /// the backend's address and port. A VIP's traffic always goes through conntrack (<c>ct_lb_mark</c>), stateful ACLs
    /// or not. The router hop of a client sending to its gateway is not evaluated (see docs/explain.md); a backend on
    /// another switch is reached through the logical router joining the two, the DNATed packet decided there too.
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown port, or ports on switches no logical router joins.</exception>
    public AclDecision DecideLoadBalanced(string fromPort, string backendPort, Packet toVip, LoadBalancerAddress backend)
    {
        ArgumentNullException.ThrowIfNull(toVip);
        ArgumentNullException.ThrowIfNull(backend);
        var from = View.GetPort(fromPort);
        var to = View.GetPort(backendPort);
        var route = from.Switch == to.Switch ? default((LogicalPortView Out, string Router, LogicalPortView In)?) : View.FindRoute(from.Switch, to.Switch)
            ?? throw new AclPolicyException($"ports '{from.Name}' (switch {from.Switch}) and backend '{to.Name}' (switch {to.Switch}) are on switches no logical router joins; other routed paths are not modelled");
        var acls = AclsOf(from.Switch);
        var warnings = new List<string>();
        foreach (var port in new[] { from, to }.Where(p => !p.Enabled))
        {
            warnings.Add($"port '{port.Name}' is disabled (enabled=false): OVN drops all its traffic before any ACL");
        }

        // The client's switch load-balances (ls_in_lb) and routes the DNATed packet on to the backend's switch.
        Hop[] hops = route is not { } r ? [new(acls, from, to)] : [new(acls, from, r.Out), new(AclsOf(to.Switch), r.In, to)];
        if (route is { } routed)
        {
            warnings.Add($"routed through logical router '{routed.Router}' ({routed.Out.Name} -> {routed.In.Name}): its policies, NAT and static routes are not modelled");
        }

        var clean = toVip with { Inport = null, Outport = null, CtState = CtState.None };
        var dnat = clean with { IpDst = backend.Address, L4Dst = backend.Port ?? clean.L4Dst };
        var decision = Evaluate(hops, clean, default, warnings, dnat);
        if (route is { } via)
        {
            decision = decision with { ToSwitch = to.Switch, Router = via.Router };
        }

        if (from.Name == to.Name)
        {
            warnings.Add("hairpin: the client is this backend; the after-lb ACLs do not see the connection, and OVN SNATs it to the VIP (hairpin_snat_ip), so to-lport ACLs matching the source see the VIP in the datapath: the engine, like ovn-trace, keeps the client's address");
        }

        return decision with
        {
            Verdict = from.Enabled && to.Enabled ? decision.Verdict : AclVerdict.Deny,
            Warnings = warnings.Distinct(StringComparer.Ordinal).ToArray(),
            LoadBalancedPacket = dnat,
        };
    }

    /// <summary>
    /// A new connection from <paramref name="fromPort"/> to a VIP without backends: the from-lport stage is evaluated, then
    /// the load balancer stage drops it (or rejects it, <paramref name="rejects"/>: <c>options:reject=true</c>), so the
    /// after-lb stage reports <see cref="AclStageOutcome.NoBackends"/> and to-lport is not reached.
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown port.</exception>
    public AclDecision DecideWithoutBackends(string fromPort, Packet toVip, string vip, bool rejects)
    {
        ArgumentNullException.ThrowIfNull(toVip);
        ArgumentNullException.ThrowIfNull(vip);
        var from = View.GetPort(fromPort);
        var acls = AclsOf(from.Switch);
        var warnings = new List<string>();
        var ingress = toVip with { Inport = from.Name, Outport = null, CtState = CtState.None };
        var first = EvaluateStage(acls, AclStage.FromLport, ingress with { CtState = CtStateFor(acls, AclDirection.FromLport, ingress, from, loadBalanced: true) }, warnings);
        var reached = first.Verdict == AclVerdict.Allow;
        warnings.Add($"VIP {vip} has no backends: OVN {(rejects ? "rejects the connection (options:reject=true: a TCP reset or ICMP port unreachable)" : "drops the packet (no options:reject=true)")}");
        return new AclDecision
        {
            Verdict = AclVerdict.Deny,
            Switch = from.Switch,
            FromPort = from.Name,
            ToPort = vip,
            Traffic = AclTraffic.NewConnection,
            Packet = toVip with { Inport = null, Outport = null, CtState = CtState.None },
            Stateful = acls.Stateful,
            Stages =
            [
                first,
                new AclStageResult { Stage = AclStage.FromLportAfterLb, Verdict = AclVerdict.Deny, Outcome = AclStageOutcome.NoBackends, Reached = reached, CtState = first.CtState },
                new AclStageResult { Stage = AclStage.ToLport, Verdict = AclVerdict.Deny, Outcome = AclStageOutcome.NoBackends, Reached = false },
            ],
            Warnings = warnings.Distinct(StringComparer.Ordinal).ToArray(),
        };
    }
}
