using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// NetworkPolicy semantics written straight from the API reference, pod pair by pod pair, with nothing shared with the
/// compiler: the expected side of the reachability matrices. Deliberately naive (loops over every policy for every
/// question) so that it is easy to check against the documentation.
/// </summary>
internal sealed class PolicyReferenceModel(IReadOnlyList<V1NetworkPolicy> policies, IReadOnlyList<V1Namespace> namespaces)
{
    /// <summary>Whether a new connection from <paramref name="src"/> to <paramref name="dst"/> on protocol/port is allowed.</summary>
    public bool Allows(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6) =>
        EgressAllows(src, dst, protocol, port, ipv6) && IngressAllows(src, dst, protocol, port, ipv6);

    private bool IngressAllows(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6) => IngressDecides(src, dst, protocol, port, ipv6) ?? true;

    private bool EgressAllows(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6) => EgressDecides(src, dst, protocol, port, ipv6) ?? true;

    /// <summary>NetworkPolicy's verdict at the destination, or null when no policy selects it for ingress (it does not decide).</summary>
    public bool? IngressDecides(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6)
    {
        var selecting = Selecting(dst, "Ingress").ToList();
        return selecting.Count == 0 ? null : selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule =>
            PeersMatch(rule.FromProperty, p, src, ipv6) && PortsMatch(rule.Ports, dst, protocol, port)));
    }

    /// <summary>NetworkPolicy's verdict at the source, or null when no policy selects it for egress.</summary>
    public bool? EgressDecides(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6)
    {
        var selecting = Selecting(src, "Egress").ToList();
        return selecting.Count == 0 ? null : selecting.Any(p => (p.Spec.Egress ?? []).Any(rule =>
            PeersMatch(rule.To, p, dst, ipv6) && PortsMatch(rule.Ports, dst, protocol, port)));
    }

    /// <summary>Policies of the pod's namespace whose podSelector selects it and whose (possibly defaulted) policyTypes include the type.</summary>
    private IEnumerable<V1NetworkPolicy> Selecting(V1Pod pod, string type) => policies.Where(p =>
        p.Metadata.NamespaceProperty == pod.Metadata.NamespaceProperty
        && SelectorMatches(p.Spec.PodSelector, pod.Metadata.Labels)
        && PolicyTypes(p).Contains(type));

    private static IReadOnlyList<string> PolicyTypes(V1NetworkPolicy policy)
    {
        if (policy.Spec.PolicyTypes is { Count: > 0 } types)
        {
            return [.. types];
        }

        return policy.Spec.Egress is { Count: > 0 } ? ["Ingress", "Egress"] : ["Ingress"];
    }

    private bool PeersMatch(IList<V1NetworkPolicyPeer>? peers, V1NetworkPolicy policy, V1Pod other, bool ipv6)
    {
        if (peers is null || peers.Count == 0)
        {
            return true;
        }

        return peers.Any(peer =>
        {
            if (peer.IpBlock is { } block)
            {
                var ip = PodIp(other, ipv6);
                return InCidr(ip, block.Cidr) && !(block.Except ?? []).Any(e => InCidr(ip, e));
            }

            var ns = NamespaceOf(other);
            var namespaceOk = peer.NamespaceSelector is null
                ? other.Metadata.NamespaceProperty == policy.Metadata.NamespaceProperty
                : SelectorMatches(peer.NamespaceSelector, ns);
            var podOk = peer.PodSelector is null || SelectorMatches(peer.PodSelector, other.Metadata.Labels);
            return namespaceOk && podOk;
        });
    }

    private static bool PortsMatch(IList<V1NetworkPolicyPort>? ports, V1Pod dst, string protocol, int port)
    {
        if (ports is null || ports.Count == 0)
        {
            return true;
        }

        return ports.Any(p =>
        {
            var portProtocol = p.Protocol ?? "TCP";
            if (portProtocol != protocol)
            {
                return false;
            }

            if (p.Port is null)
            {
                return true;
            }

            var value = p.Port.Value;
            if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                return p.EndPort is { } end ? number <= port && port <= end : number == port;
            }

            // A named port resolves against the destination pod's containers, name and protocol both.
            return dst.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(cp =>
                cp.Name == value && (cp.Protocol ?? "TCP") == protocol && cp.ContainerPort == port);
        });
    }

    public IDictionary<string, string> NamespaceOf(V1Pod pod)
    {
        var ns = namespaces.Single(n => n.Metadata.Name == pod.Metadata.NamespaceProperty);
        var labels = new Dictionary<string, string>(ns.Metadata.Labels ?? new Dictionary<string, string>())
        {
            ["kubernetes.io/metadata.name"] = ns.Metadata.Name,
        };
        return labels;
    }

    public static bool SelectorMatches(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key, out var actual);
            var ok = requirement.OperatorProperty switch
            {
                "In" => has && requirement.Values.Contains(actual!),
                "NotIn" => !has || !requirement.Values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => throw new InvalidOperationException("operator " + requirement.OperatorProperty),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static IPAddress PodIp(V1Pod pod, bool ipv6) => pod.Status.PodIPs.Select(p => IPAddress.Parse(p.Ip))
        .First(ip => ip.AddressFamily == (ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork));

    /// <summary>Bit by bit, host bits of the CIDR ignored; another family never matches.</summary>
    public static bool InCidr(IPAddress ip, string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var network = IPAddress.Parse(cidr[..slash]);
        var length = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (network.AddressFamily != ip.AddressFamily)
        {
            return false;
        }

        var a = ip.GetAddressBytes();
        var b = network.GetAddressBytes();
        for (var bit = 0; bit < length; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
