using System.Globalization;
using System.Text.Json;
using k8s.Models;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy semantics written from the
/// network-policy-api documentation, reading the objects' JSON itself and sharing nothing with the compiler: per
/// direction, the Admin tier's policies by priority and their rules in order (first match decides; Pass goes on to
/// NetworkPolicy), then NetworkPolicy (<see cref="PolicyReferenceModel"/>) if it selects the pod, then the Baseline
/// tier, then allow. Same-priority policies go ClusterNetworkPolicy, AdminNetworkPolicy, then by name (OvnAcl's
/// documented choice where the API leaves it open). Deliberately naive.
/// </summary>
internal sealed class AdminReferenceModel(IReadOnlyList<string> clusterPolicies, PolicyReferenceModel networkPolicies, IReadOnlyList<V1Namespace> namespaces)
{
    private readonly List<JsonElement> _policies = [.. clusterPolicies.Select(p => JsonDocument.Parse(p).RootElement)];

    public bool Allows(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6) =>
        Decide(src, dst, protocol, port, ipv6, egress: true) && Decide(src, dst, protocol, port, ipv6, egress: false);

    /// <summary>The verdict of one direction: at the source for egress, at the destination for ingress.</summary>
    private bool Decide(V1Pod src, V1Pod dst, string protocol, int port, bool ipv6, bool egress)
    {
        var subject = egress ? src : dst;
        var peer = egress ? dst : src;
        var admin = TierDecides("Admin", subject, peer, dst, protocol, port, ipv6, egress);
        if (admin is { } adminVerdict)
        {
            return adminVerdict;
        }

        var np = egress ? networkPolicies.EgressDecides(src, dst, protocol, port, ipv6) : networkPolicies.IngressDecides(src, dst, protocol, port, ipv6);
        if (np is { } npVerdict)
        {
            return npVerdict;
        }

        return TierDecides("Baseline", subject, peer, dst, protocol, port, ipv6, egress) ?? true;
    }

    /// <summary>True (allow), false (deny), or null: no rule matched, or a Pass did.</summary>
    private bool? TierDecides(string tier, V1Pod subject, V1Pod peer, V1Pod dst, string protocol, int port, bool ipv6, bool egress)
    {
        foreach (var policy in InOrder(tier))
        {
            if (!SubjectSelects(policy.GetProperty("spec").GetProperty("subject"), subject))
            {
                continue;
            }

            var spec = policy.GetProperty("spec");
            if (!spec.TryGetProperty(egress ? "egress" : "ingress", out var rules))
            {
                continue;
            }

            foreach (var rule in rules.EnumerateArray())
            {
                var peers = rule.GetProperty(egress ? "to" : "from").EnumerateArray();
                if (!peers.Any(p => PeerMatches(p, peer, ipv6)) || !PortsMatch(rule, dst, protocol, port))
                {
                    continue;
                }

                switch (rule.GetProperty("action").GetString())
                {
                    case "Allow" or "Accept":
                        return true;
                    case "Deny":
                        return false;
                    case "Pass":
                        return null;
                }
            }
        }

        return null;
    }

    private IEnumerable<JsonElement> InOrder(string tier) => _policies
        .Where(p => TierOf(p) == tier)
        .OrderBy(p => p.GetProperty("spec").TryGetProperty("priority", out var priority) ? priority.GetInt32() : 0)
        .ThenBy(p => p.GetProperty("kind").GetString() switch { "ClusterNetworkPolicy" => 0, "AdminNetworkPolicy" => 1, _ => 2 })
        .ThenBy(p => p.GetProperty("metadata").GetProperty("name").GetString(), StringComparer.Ordinal);

    private static string TierOf(JsonElement policy) => policy.GetProperty("kind").GetString() switch
    {
        "AdminNetworkPolicy" => "Admin",
        "BaselineAdminNetworkPolicy" => "Baseline",
        _ => policy.GetProperty("spec").GetProperty("tier").GetString()!,
    };

    private bool SubjectSelects(JsonElement subject, V1Pod pod) =>
        subject.TryGetProperty("namespaces", out var ns)
            ? SelectorMatches(ns, networkPolicies.NamespaceOf(pod))
            : PodsMatch(subject.GetProperty("pods"), pod);

    private bool PodsMatch(JsonElement pods, V1Pod pod) =>
        SelectorMatches(pods.GetProperty("namespaceSelector"), networkPolicies.NamespaceOf(pod))
        && SelectorMatches(pods.GetProperty("podSelector"), pod.Metadata.Labels);

    /// <summary>A pod as a peer: namespaces, pods, or networks containing its address; nodes never are pods.</summary>
    private bool PeerMatches(JsonElement peer, V1Pod pod, bool ipv6)
    {
        if (peer.TryGetProperty("namespaces", out var ns))
        {
            return SelectorMatches(ns, networkPolicies.NamespaceOf(pod));
        }

        if (peer.TryGetProperty("pods", out var pods))
        {
            return PodsMatch(pods, pod);
        }

        if (peer.TryGetProperty("networks", out var networks))
        {
            var ip = PolicyReferenceModel.PodIp(pod, ipv6);
            return networks.EnumerateArray().Any(n => PolicyReferenceModel.InCidr(ip, n.GetString()!));
        }

        return false;
    }

    /// <summary>No ports: all traffic. v1alpha1 ports, v1alpha2 protocols; a named port is the destination pod's container port of that name.</summary>
    private static bool PortsMatch(JsonElement rule, V1Pod dst, string protocol, int port)
    {
        if (rule.TryGetProperty("ports", out var ports))
        {
            return ports.EnumerateArray().Any(p =>
                p.TryGetProperty("portNumber", out var number) ? Protocol(number) == protocol && number.GetProperty("port").GetInt32() == port
                : p.TryGetProperty("portRange", out var range) ? Protocol(range) == protocol && range.GetProperty("start").GetInt32() <= port && port <= range.GetProperty("end").GetInt32()
                : Named(dst, p.GetProperty("namedPort").GetString()!, protocol, port));
        }

        if (rule.TryGetProperty("protocols", out var protocols))
        {
            return protocols.EnumerateArray().Any(p =>
            {
                if (p.TryGetProperty("destinationNamedPort", out var named))
                {
                    return Named(dst, named.GetString()!, protocol, port);
                }

                var (name, value) = p.EnumerateObject().Select(o => (o.Name, o.Value)).Single();
                if (name.ToUpperInvariant() != protocol)
                {
                    return false;
                }

                if (!value.TryGetProperty("destinationPort", out var destination))
                {
                    return true;
                }

                return destination.TryGetProperty("number", out var n) ? n.GetInt32() == port
                    : destination.GetProperty("range").GetProperty("start").GetInt32() <= port && port <= destination.GetProperty("range").GetProperty("end").GetInt32();
            });
        }

        return true;

        static string Protocol(JsonElement port) => port.TryGetProperty("protocol", out var p) ? p.GetString()! : "TCP";
    }

    private static bool Named(V1Pod dst, string name, string protocol, int port) =>
        dst.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(cp => cp.Name == name && (cp.Protocol ?? "TCP") == protocol && cp.ContainerPort == port);

    private static bool SelectorMatches(JsonElement selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        if (selector.TryGetProperty("matchLabels", out var matchLabels))
        {
            foreach (var label in matchLabels.EnumerateObject())
            {
                if (!labels.TryGetValue(label.Name, out var actual) || actual != label.Value.GetString())
                {
                    return false;
                }
            }
        }

        if (selector.TryGetProperty("matchExpressions", out var expressions))
        {
            foreach (var requirement in expressions.EnumerateArray())
            {
                var key = requirement.GetProperty("key").GetString()!;
                var values = requirement.TryGetProperty("values", out var v) ? v.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
                var has = labels.TryGetValue(key, out var actual);
                var ok = requirement.GetProperty("operator").GetString() switch
                {
                    "In" => has && values.Contains(actual!),
                    "NotIn" => !has || !values.Contains(actual!),
                    "Exists" => has,
                    "DoesNotExist" => !has,
                    var other => throw new InvalidOperationException("operator " + other),
                };
                if (!ok)
                {
                    return false;
                }
            }
        }

        return true;
    }

    public override string ToString() => string.Join("\n", _policies.Select(p => p.GetRawText())) + "\n" + namespaces.Count.ToString(CultureInfo.InvariantCulture) + " namespaces";
}
