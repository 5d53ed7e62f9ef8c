using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// Seeded random cluster policies over <see cref="RandomPolicyGen"/>'s clusters and NetworkPolicies: a few
/// AdminNetworkPolicies and ClusterNetworkPolicies (Admin and Baseline tiers) with few distinct priorities (so
/// same-priority order matters), Allow/Accept, Deny and Pass, overlapping subjects, namespaces/pods/networks peers,
/// port numbers, ranges and named ports; sometimes the BaselineAdminNetworkPolicy. As JSON, as an informer holds them.
/// </summary>
internal sealed class RandomAdminPolicyGen(int seed)
{
    private static readonly string[] Names = ["serve-80-tcp", "serve-81-tcp", "serve-80-udp", "serve-81-sctp", "web"];
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];
    private readonly Random _random = new(seed * 7919);
    private readonly RandomPolicyGen _cluster = new(seed);
    private readonly bool _dualStack = seed % 2 == 1;

    public (PodCluster Cluster, List<V1NetworkPolicy> Policies, List<string> ClusterPolicies) Next()
    {
        var (cluster, policies) = _cluster.Next();
        policies = [.. policies.Take(_random.Next(3))];
        var clusterPolicies = new List<string>();
        var count = _random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var cnp = _random.Next(3) == 0;
            var baseline = cnp && _random.Next(3) == 0;
            clusterPolicies.Add(Policy(cnp ? "ClusterNetworkPolicy" : "AdminNetworkPolicy", $"cp{i}", baseline).ToJsonString());
        }

        if (_random.Next(2) == 0)
        {
            clusterPolicies.Add(Policy("BaselineAdminNetworkPolicy", "default", baseline: true).ToJsonString());
        }

        return (cluster, policies, clusterPolicies);
    }

    public (V1Pod Src, V1Pod Dst, Probe Probe) Pair(PodCluster cluster) => _cluster.Pair(cluster);

    private JsonObject Policy(string kind, string name, bool baseline)
    {
        var alpha2 = kind == "ClusterNetworkPolicy";
        var spec = new JsonObject { ["subject"] = Subject() };
        if (alpha2)
        {
            spec["tier"] = baseline ? "Baseline" : "Admin";
        }

        if (kind != "BaselineAdminNetworkPolicy")
        {
            spec["priority"] = _random.Next(1, 4);
        }

        foreach (var direction in (string[])["ingress", "egress"])
        {
            if (_random.Next(4) == 0)
            {
                continue;
            }

            var rules = new JsonArray();
            for (var r = _random.Next(1, 4); r > 0; r--)
            {
                rules.Add(Rule(direction == "egress", alpha2, canPass: kind != "BaselineAdminNetworkPolicy"));
            }

            spec[direction] = rules;
        }

        return new JsonObject
        {
            ["apiVersion"] = alpha2 ? "policy.networking.k8s.io/v1alpha2" : "policy.networking.k8s.io/v1alpha1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = spec,
        };
    }

    private JsonObject Rule(bool egress, bool alpha2, bool canPass)
    {
        var action = _random.Next(canPass ? 3 : 2) switch
        {
            0 => alpha2 ? "Accept" : "Allow",
            1 => "Deny",
            _ => "Pass",
        };
        var peers = new JsonArray();
        var podsOnly = true;
        for (var p = _random.Next(1, 3); p > 0; p--)
        {
            var peer = Peer(egress);
            podsOnly &= !peer.ContainsKey("networks");
            peers.Add(peer);
        }

        var rule = new JsonObject { ["action"] = action, [egress ? "to" : "from"] = peers };
        if (_random.Next(2) == 0)
        {
            rule["name"] = "r" + _random.Next(100).ToString(CultureInfo.InvariantCulture);
        }

        if (_random.Next(3) > 0)
        {
            var ports = new JsonArray();
            for (var n = _random.Next(1, 3); n > 0; n--)
            {
                ports.Add(alpha2 ? Protocol(podsOnly) : Port(podsOnly));
            }

            rule[alpha2 ? "protocols" : "ports"] = ports;
        }

        return rule;
    }

    private JsonObject Port(bool namedAllowed)
    {
        var protocol = Protocols[_random.Next(Protocols.Length)];
        return _random.Next(namedAllowed ? 3 : 2) switch
        {
            0 => new JsonObject { ["portNumber"] = new JsonObject { ["protocol"] = protocol, ["port"] = 80 + _random.Next(2) } },
            1 => new JsonObject { ["portRange"] = new JsonObject { ["protocol"] = protocol, ["start"] = 70 + _random.Next(11), ["end"] = 81 + _random.Next(2) } },
            _ => new JsonObject { ["namedPort"] = Names[_random.Next(Names.Length)] },
        };
    }

    private JsonObject Protocol(bool namedAllowed)
    {
        var protocol = Protocols[_random.Next(Protocols.Length)].ToLowerInvariant();
        return _random.Next(namedAllowed ? 4 : 3) switch
        {
            0 => new JsonObject { [protocol] = new JsonObject() },
            1 => new JsonObject { [protocol] = new JsonObject { ["destinationPort"] = new JsonObject { ["number"] = 80 + _random.Next(2) } } },
            2 => new JsonObject { [protocol] = new JsonObject { ["destinationPort"] = new JsonObject { ["range"] = new JsonObject { ["start"] = 70 + _random.Next(11), ["end"] = 81 } } } },
            _ => new JsonObject { ["destinationNamedPort"] = Names[_random.Next(Names.Length)] },
        };
    }

    private JsonObject Subject() => _random.Next(2) == 0
        ? new JsonObject { ["namespaces"] = NamespaceSelector() }
        : new JsonObject { ["pods"] = new JsonObject { ["namespaceSelector"] = NamespaceSelector(), ["podSelector"] = PodSelector() } };

    private JsonObject Peer(bool egress) => _random.Next(egress ? 3 : 2) switch
    {
        0 => new JsonObject { ["namespaces"] = NamespaceSelector() },
        1 => new JsonObject { ["pods"] = new JsonObject { ["namespaceSelector"] = NamespaceSelector(), ["podSelector"] = PodSelector() } },
        _ => new JsonObject { ["networks"] = Networks() },
    };

    private JsonArray Networks()
    {
        // Pod IPs are 10.244.0.11-19 and fd00:10:244::b-13.
        var networks = new JsonArray();
        var length = 28 + _random.Next(5);
        var size = 1 << (32 - length);
        var start = 8 + (_random.Next(12 / size + 1) * size);
        networks.Add($"10.244.0.{start - (start % size)}/{length}");
        if (_dualStack && _random.Next(2) == 0)
        {
            networks.Add(_random.Next(2) == 0 ? "fd00:10:244::/124" : "fd00:10:244::10/126");
        }

        return networks;
    }

    private JsonObject NamespaceSelector() => _random.Next(5) switch
    {
        0 => new JsonObject(),
        1 => new JsonObject { ["matchLabels"] = new JsonObject { ["ns"] = PodCluster.NamespaceNames[_random.Next(3)] } },
        2 => new JsonObject { ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = PodCluster.NamespaceNames[_random.Next(3)] } },
        3 => new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "env", ["operator"] = _random.Next(2) == 0 ? "In" : "NotIn", ["values"] = new JsonArray(_random.Next(2) == 0 ? "prod" : "dev") }) },
        _ => new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "ns", ["operator"] = "NotIn", ["values"] = new JsonArray(PodCluster.NamespaceNames[_random.Next(3)]) }) },
    };

    private JsonObject PodSelector() => _random.Next(5) switch
    {
        0 => new JsonObject(),
        1 => new JsonObject { ["matchLabels"] = new JsonObject { ["pod"] = PodCluster.PodNames[_random.Next(3)] } },
        2 => new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = _random.Next(2) == 0 ? "p" : "q" } },
        3 => new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "pod", ["operator"] = "In", ["values"] = new JsonArray(PodCluster.PodNames[_random.Next(3)], PodCluster.PodNames[_random.Next(3)]) }) },
        _ => new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "tier", ["operator"] = _random.Next(2) == 0 ? "Exists" : "DoesNotExist" }) },
    };
}
