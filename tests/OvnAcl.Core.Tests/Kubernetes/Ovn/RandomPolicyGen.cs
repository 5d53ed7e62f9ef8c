using k8s.Models;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// Seeded random clusters and policies over the x/y/z × a/b/c topology: random extra pod labels (<c>app</c>, <c>tier</c>)
/// and namespace labels (<c>env</c>), one to four policies with random selectors (labels and expressions), peers
/// (pod, namespace, both, ipBlock with except) and ports (numbers, ranges, named, protocols).
/// </summary>
internal sealed class RandomPolicyGen(int seed)
{
    private static readonly string[] Apps = ["p", "q"];
    private static readonly string[] Envs = ["prod", "dev"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];
    private static readonly string[] Names = ["serve-80-tcp", "serve-81-tcp", "serve-80-udp", "serve-81-sctp", "web"];
    private readonly Random _random = new(seed);

    /// <summary>Odd seeds give dual-stack pods, IPv6 probes and IPv6 ipBlocks.</summary>
    private readonly bool _dualStack = seed % 2 == 1;

    public static readonly Probe[] Probes = [new("TCP", 80), new("TCP", 81), new("UDP", 80), new("UDP", 81), new("SCTP", 80), new("SCTP", 81)];

    public (PodCluster Cluster, List<V1NetworkPolicy> Policies) Next()
    {
        var cluster = PodCluster.Xyz(_dualStack);
        foreach (var pod in cluster.Pods.ToList())
        {
            var labels = new Dictionary<string, string>(pod.Metadata.Labels);
            if (_random.Next(3) > 0)
            {
                labels["app"] = Pick(Apps);
            }

            if (_random.Next(3) == 0)
            {
                labels["tier"] = _random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            cluster = cluster.WithPodLabels(PodCluster.Key(pod), labels);
        }

        foreach (var ns in PodCluster.NamespaceNames)
        {
            var labels = new Dictionary<string, string> { ["ns"] = ns };
            if (_random.Next(2) == 0)
            {
                labels["env"] = Pick(Envs);
            }

            cluster = cluster.WithNamespaceLabels(ns, labels);
        }

        var policies = Enumerable.Range(0, _random.Next(1, 5)).Select(Policy).ToList();
        return (cluster, policies);
    }

    public (V1Pod Src, V1Pod Dst, Probe Probe) Pair(PodCluster cluster)
    {
        var src = _random.Next(cluster.Pods.Count);
        var dst = _random.Next(cluster.Pods.Count - 1);
        dst = dst >= src ? dst + 1 : dst;
        var probe = Pick(Probes);
        return (cluster.Pods[src], cluster.Pods[dst], _dualStack && _random.Next(2) == 0 ? probe with { Ipv6 = true } : probe);
    }

    private V1NetworkPolicy Policy(int index)
    {
        var spec = new V1NetworkPolicySpec { PodSelector = PodSelector(allowEmpty: true) };
        var ingress = _random.Next(4) > 0;
        var egress = _random.Next(2) == 0;
        if (_random.Next(2) == 0)
        {
            spec.PolicyTypes = [.. new[] { ingress ? "Ingress" : null, egress ? "Egress" : null }.OfType<string>()];
            if (spec.PolicyTypes.Count == 0)
            {
                spec.PolicyTypes = ["Ingress"];
            }
        }

        if (ingress)
        {
            spec.Ingress = [.. Enumerable.Range(0, _random.Next(3)).Select(_ => new V1NetworkPolicyIngressRule { FromProperty = Peers(), Ports = Ports() })];
        }

        if (egress)
        {
            spec.Egress = [.. Enumerable.Range(0, _random.Next(3)).Select(_ => new V1NetworkPolicyEgressRule { To = Peers(), Ports = Ports() })];
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = $"p{index}", NamespaceProperty = Pick(PodCluster.NamespaceNames) },
            Spec = spec,
        };
    }

    private List<V1NetworkPolicyPeer>? Peers()
    {
        var count = _random.Next(3);
        if (count == 0)
        {
            return _random.Next(2) == 0 ? null : [];
        }

        return [.. Enumerable.Range(0, count).Select(_ => _random.Next(5) switch
        {
            0 => new V1NetworkPolicyPeer { PodSelector = PodSelector(allowEmpty: true) },
            1 => new V1NetworkPolicyPeer { NamespaceSelector = NamespaceSelector() },
            2 => new V1NetworkPolicyPeer { PodSelector = PodSelector(allowEmpty: true), NamespaceSelector = NamespaceSelector() },
            _ => IpBlock(),
        })];
    }

    private V1NetworkPolicyPeer IpBlock()
    {
        if (_dualStack && _random.Next(3) == 0)
        {
            // Pod IPv6 addresses are fd00:10:244::b–13.
            string[] cidrs = ["fd00:10:244::/124", "fd00:10:244::10/124", "fd00:10:244::8/125", "fd00:10:244::/120"];
            string[] excepts = ["fd00:10:244::c/126", "fd00:10:244::b/128", "fd00:10:244::12/127"];
            var cidr = Pick(cidrs);
            var except = excepts.Where(e => e != cidr && PolicyReferenceModel.InCidr(System.Net.IPAddress.Parse(e[..e.IndexOf('/', StringComparison.Ordinal)]), cidr)
                                            && int.Parse(e[(e.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture) > int.Parse(cidr[(cidr.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            return new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = cidr, Except = except.Count > 0 && _random.Next(2) == 0 ? [Pick(except)] : null } };
        }

        // Pod IPs are 10.244.0.11–19: blocks of various sizes around them, excepts inside.
        var length = 27 + _random.Next(4);
        var size = 1 << (32 - length);
        var start = 8 + (_random.Next(16 / size + 1) * size);
        var block = new V1IPBlock { Cidr = $"10.244.0.{start - (start % size)}/{length}" };
        if (_random.Next(2) == 0 && length < 31)
        {
            var exceptLength = length + 1 + _random.Next(32 - length);
            var exceptSize = 1 << (32 - exceptLength);
            var offset = _random.Next(size / exceptSize) * exceptSize;
            block.Except = [$"10.244.0.{start - (start % size) + offset}/{exceptLength}"];
        }

        if (_random.Next(6) == 0)
        {
            block = new V1IPBlock { Cidr = "10.244.0.0/16", Except = ["10.244.0.16/28"] };
        }

        return new V1NetworkPolicyPeer { IpBlock = block };
    }

    private List<V1NetworkPolicyPort>? Ports()
    {
        var count = _random.Next(3);
        if (count == 0)
        {
            return null;
        }

        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var protocol = _random.Next(3) == 0 ? null : Pick(Protocols);
            return _random.Next(5) switch
            {
                0 => new V1NetworkPolicyPort { Protocol = protocol },
                1 => new V1NetworkPolicyPort { Protocol = protocol, Port = (IntOrString)(80 + _random.Next(2)) },
                2 => new V1NetworkPolicyPort { Protocol = protocol, Port = (IntOrString)(70 + _random.Next(11)), EndPort = 80 + _random.Next(3) },
                _ => NamedPort(),
            };
        })];
    }

    private V1NetworkPolicyPort NamedPort()
    {
        var name = Pick(Names);
        var protocol = name.EndsWith("-udp", StringComparison.Ordinal) ? "UDP" : name.EndsWith("-sctp", StringComparison.Ordinal) ? "SCTP" : _random.Next(2) == 0 ? null : "TCP";
        if (_random.Next(6) == 0)
        {
            // Sometimes a protocol the name does not carry: it resolves nowhere.
            protocol = Pick(Protocols);
        }

        return new V1NetworkPolicyPort { Protocol = protocol, Port = (IntOrString)(name) };
    }

    private V1LabelSelector PodSelector(bool allowEmpty)
    {
        var selector = new V1LabelSelector();
        switch (_random.Next(allowEmpty ? 6 : 5))
        {
            case 0:
                selector.MatchLabels = new Dictionary<string, string> { ["pod"] = Pick(PodCluster.PodNames) };
                break;
            case 1:
                selector.MatchLabels = new Dictionary<string, string> { ["app"] = Pick(Apps) };
                break;
            case 2:
                selector.MatchExpressions = [new V1LabelSelectorRequirement { Key = "pod", OperatorProperty = _random.Next(2) == 0 ? "In" : "NotIn", Values = [Pick(PodCluster.PodNames), Pick(PodCluster.PodNames)] }];
                break;
            case 3:
                selector.MatchExpressions = [new V1LabelSelectorRequirement { Key = Pick(["app", "tier"]), OperatorProperty = _random.Next(2) == 0 ? "Exists" : "DoesNotExist" }];
                break;
            case 4:
                selector.MatchLabels = new Dictionary<string, string> { ["app"] = Pick(Apps) };
                selector.MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "NotIn", Values = ["1"] }];
                break;
        }

        return selector;
    }

    private V1LabelSelector NamespaceSelector() => _random.Next(5) switch
    {
        0 => new V1LabelSelector(),
        1 => new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["ns"] = Pick(PodCluster.NamespaceNames) } },
        2 => new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = Pick(PodCluster.NamespaceNames) } },
        3 => new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "env", OperatorProperty = Pick(["In", "NotIn"]), Values = [Pick(Envs)] }] },
        _ => new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "env", OperatorProperty = Pick(["Exists", "DoesNotExist"]) }] },
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
