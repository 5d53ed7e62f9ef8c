using System.Globalization;
using k8s.Models;
using OvnAcl.Collections;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;

namespace OvnAcl.Benchmarks;

/// <summary>
/// Deterministic synthetic inputs for <see cref="CompileBenchmarks"/>: a Kubernetes cluster shaped like a multi-tenant
/// one (every namespace has the same app/tier label vocabulary, ten policies each mixing pod, namespace, combined and
/// ipBlock peers, port numbers, ranges and named ports, ingress and egress) and a Neutron cloud of groups referring to
/// each other.
/// </summary>
internal static class SyntheticClusters
{
    private const int Apps = 20;

    public static KubernetesInput Kubernetes(int namespaces, int policies, int pods)
    {
        var random = new Random(20261124);
        var nsObjects = Enumerable.Range(0, namespaces).Select(n => new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta
            {
                Name = Ns(n),
                Labels = new Dictionary<string, string> { ["team"] = "team" + (n % 10).ToString(CultureInfo.InvariantCulture), ["env"] = n % 3 == 0 ? "prod" : "dev" },
            },
        }).ToList();

        var podObjects = new List<V1Pod>(pods);
        for (var p = 0; p < pods; p++)
        {
            var app = p / namespaces % Apps;
            var ip = $"10.{128 + (p >> 16)}.{(p >> 8) & 255}.{p & 255}";
            podObjects.Add(new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = "pod-" + p.ToString(CultureInfo.InvariantCulture),
                    NamespaceProperty = Ns(p % namespaces),
                    Labels = new Dictionary<string, string> { ["app"] = App(app), ["tier"] = (app % 3).ToString(CultureInfo.InvariantCulture) },
                },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "main",
                            Ports =
                            [
                                new V1ContainerPort { Name = "http", ContainerPort = 8080 + (p % 3) },
                                new V1ContainerPort { Name = "metrics", ContainerPort = 9090 },
                                new V1ContainerPort { Name = "dns", ContainerPort = 53, Protocol = "UDP" },
                            ],
                        },
                    ],
                },
                Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] },
            });
        }

        var policyObjects = new List<V1NetworkPolicy>(policies);
        for (var i = 0; i < policies; i++)
        {
            var ns = i % namespaces;
            var app = random.Next(Apps);
            var spec = new V1NetworkPolicySpec
            {
                PodSelector = i % 10 == 0 ? new V1LabelSelector() : new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = App(app) } },
                PolicyTypes = i % 4 == 0 ? ["Ingress", "Egress"] : ["Ingress"],
                Ingress =
                [
                    new V1NetworkPolicyIngressRule
                    {
                        FromProperty =
                        [
                            new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = App(random.Next(Apps)) } } },
                            new V1NetworkPolicyPeer
                            {
                                NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "team" + random.Next(10).ToString(CultureInfo.InvariantCulture) } },
                                PodSelector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["0", "1"] }] },
                            },
                        ],
                        Ports = [new V1NetworkPolicyPort { Port = (IntOrString)"http" }, new V1NetworkPolicyPort { Port = (IntOrString)8443, EndPort = 8450 }],
                    },
                    new V1NetworkPolicyIngressRule
                    {
                        FromProperty = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "172.16.0.0/16", Except = ["172.16." + random.Next(256).ToString(CultureInfo.InvariantCulture) + ".0/24"] } }],
                        Ports = [new V1NetworkPolicyPort { Port = (IntOrString)"metrics" }],
                    },
                ],
                Egress = i % 4 != 0 ? null :
                [
                    new V1NetworkPolicyEgressRule
                    {
                        To = [new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["env"] = "prod" } } }],
                        Ports = [new V1NetworkPolicyPort { Port = (IntOrString)"dns", Protocol = "UDP" }, new V1NetworkPolicyPort { Port = (IntOrString)5432 }],
                    },
                ],
            };
            policyObjects.Add(new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = new V1ObjectMeta { Name = "policy-" + i.ToString(CultureInfo.InvariantCulture), NamespaceProperty = Ns(ns) },
                Spec = spec,
            });
        }

        return KubernetesInput.FromObjects(policyObjects, podObjects, nsObjects);
    }

    /// <summary>
    /// <paramref name="groups"/> security groups of rules/groups rules each (a third referring to another group, the rest
    /// prefixes, protocols and port ranges), <paramref name="ports"/> ports in one to three groups each.
    /// </summary>
    public static NeutronInput Neutron(int groups, int rules, int ports)
    {
        var random = new Random(20261125);
        var perGroup = rules / groups;
        var groupObjects = new NeutronSecurityGroup[groups];
        for (var g = 0; g < groups; g++)
        {
            var ruleObjects = new NeutronSecurityGroupRule[perGroup];
            for (var r = 0; r < perGroup; r++)
            {
                var ipv6 = r % 5 == 4;
                var low = 1000 + random.Next(60000);
                ruleObjects[r] = new NeutronSecurityGroupRule
                {
                    Id = Uuid(0x5e000000u, (g * perGroup) + r),
                    Direction = r % 4 == 3 ? "egress" : "ingress",
                    Ethertype = ipv6 ? "IPv6" : "IPv4",
                    Protocol = (r % 3) switch { 0 => "tcp", 1 => "udp", _ => ipv6 ? "ipv6-icmp" : "icmp" },
                    PortRangeMin = r % 3 == 2 ? 8 : low,
                    PortRangeMax = r % 3 == 2 ? 0 : low + (r % 2 == 0 ? 0 : random.Next(100)),
                    RemoteGroupId = r % 3 == 0 ? Uuid(0x5f000000u, random.Next(groups)) : null,
                    RemoteIpPrefix = r % 3 == 0 ? null : ipv6 ? $"2001:db8:{random.Next(65536):x}::/48" : $"10.{random.Next(256)}.{random.Next(256)}.0/24",
                };
            }

            groupObjects[g] = new NeutronSecurityGroup { Id = Uuid(0x5f000000u, g), Name = "sg-" + g.ToString(CultureInfo.InvariantCulture), Rules = ruleObjects };
        }

        var portObjects = new NeutronPort[ports];
        for (var p = 0; p < ports; p++)
        {
            var member = Enumerable.Range(0, 1 + (p % 3)).Select(_ => Uuid(0x5f000000u, random.Next(groups))).Distinct().ToArray();
            portObjects[p] = new NeutronPort
            {
                Id = Uuid(0x90000000u, p),
                NetworkId = Uuid(0x11000000u, p % 100),
                MacAddress = $"fa:16:3e:{(p >> 16) & 255:x2}:{(p >> 8) & 255:x2}:{p & 255:x2}",
                DeviceOwner = "compute:nova",
                FixedIps = [new NeutronFixedIp(null, $"10.{p >> 16}.{(p >> 8) & 255}.{p & 255}"), new NeutronFixedIp(null, $"fd00::{p:x}")],
                SecurityGroups = member,
            };
        }

        return new NeutronInput { SecurityGroups = groupObjects, Ports = portObjects };
    }

    private static string Ns(int n) => "ns-" + n.ToString("D3", CultureInfo.InvariantCulture);

    private static string App(int a) => "app-" + a.ToString(CultureInfo.InvariantCulture);

    private static string Uuid(uint prefix, int n) => $"{prefix + (uint)(n >> 16):x8}-0000-4000-8000-{n & 0xffff:x12}";
}
