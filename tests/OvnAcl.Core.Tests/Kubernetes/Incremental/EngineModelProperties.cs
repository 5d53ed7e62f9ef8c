using FsCheck.Xunit;
using k8s.Models;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Kubernetes.Incremental;

/// <summary>
/// Model-based: a random stream of cluster events (pods added, relabelled, losing their IP, going dual-stack, gaining
/// named ports, moving between nodes, deleted; namespaces relabelled, logging switched, deleted; nodes added, readdressed,
/// deleted; policies added, changed, deleted) fed to the
/// incremental engine one by one must leave, after every event, exactly the rows a compile from scratch of the objects
/// then in the cluster gives.
/// </summary>
public sealed class EngineModelProperties
{
    [Property(MaxTest = 120)]
    public void Incremental_rows_equal_a_compile_from_scratch_after_every_event(int seed)
    {
        var world = new RandomWorld(seed);
        var desired = new DesiredState("ovnacl");
        var engine = new KubernetesEngine(desired);
        var cluster = new ClusterObjects();
        for (var step = 0; step < 40; step++)
        {
            var description = world.NextEvent(cluster, engine);
            var expected = KubernetesCompiler.Compile(cluster.Input()).GetRowsOrThrow();
            AssertSameRows(expected, desired.Snapshot(), $"seed {seed}, step {step}: {description}");
        }
    }

    internal static void AssertSameRows(NorthboundRows expected, NorthboundRows actual, string context)
    {
        if (expected == actual)
        {
            return;
        }

        var expectedGroups = expected.PortGroups.ToDictionary(p => p.Name);
        var actualGroups = actual.PortGroups.ToDictionary(p => p.Name);
        var expectedSets = expected.AddressSets.ToDictionary(a => a.Name);
        var actualSets = actual.AddressSets.ToDictionary(a => a.Name);
        var problems = new List<string>();
        foreach (var name in expectedGroups.Keys.Union(actualGroups.Keys))
        {
            expectedGroups.TryGetValue(name, out var e);
            actualGroups.TryGetValue(name, out var a);
            if (e != a)
            {
                problems.Add($"port group {name}: expected {(e is null ? "none" : $"ports [{string.Join(' ', e.Ports)}], {e.Acls.Count} ACLs")}, " +
                             $"got {(a is null ? "none" : $"ports [{string.Join(' ', a.Ports)}], {a.Acls.Count} ACLs")}");
            }
        }

        foreach (var name in expectedSets.Keys.Union(actualSets.Keys))
        {
            expectedSets.TryGetValue(name, out var e);
            actualSets.TryGetValue(name, out var a);
            if (e != a)
            {
                problems.Add($"address set {name}: expected [{string.Join(' ', e?.Addresses ?? [])}] got [{string.Join(' ', a?.Addresses ?? [])}] ({(a is null ? "absent" : "present")})");
            }
        }

        Assert.Fail(context + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    /// <summary>What is in the cluster now, by key: the input of the compile from scratch.</summary>
    internal sealed class ClusterObjects
    {
        public Dictionary<string, V1Namespace> Namespaces { get; } = [];

        public Dictionary<string, V1Pod> Pods { get; } = [];

        public Dictionary<string, V1NetworkPolicy> Policies { get; } = [];

        public Dictionary<string, V1Node> Nodes { get; } = [];

        public KubernetesInput Input() => KubernetesInput.FromObjects(Policies.Values, Pods.Values, Namespaces.Values, Nodes.Values);
    }

    /// <summary>Draws events over namespaces x, y, z (objects) and w (pods only), five pods each, and a pool of random policies.</summary>
    internal sealed class RandomWorld
    {
        private static readonly string[] NamespaceNames = ["x", "y", "z", "w"];
        private static readonly string[] PodNames = ["a", "b", "c", "d", "e"];
        private readonly Random _random;
        private readonly List<V1NetworkPolicy> _policyPool = [];

        public RandomWorld(int seed)
        {
            _random = new Random(seed);
            var gen = new RandomPolicyGen(seed);
            for (var i = 0; i < 4; i++)
            {
                _policyPool.AddRange(gen.Next().Policies);
            }
        }

        public string NextEvent(ClusterObjects cluster, KubernetesEngine engine)
        {
            switch (_random.Next(10))
            {
                case < 5:
                    {
                        var pod = Pod();
                        cluster.Pods[PodCluster.Key(pod)] = pod;
                        engine.UpsertPod(pod);
                        return $"upsert pod {PodCluster.Key(pod)} labels {string.Join(',', pod.Metadata.Labels)} ips {pod.Status.PodIPs?.Count ?? 0} phase {pod.Status.Phase}";
                    }

                case 5 when cluster.Pods.Count > 0:
                    {
                        var key = cluster.Pods.Keys.ElementAt(_random.Next(cluster.Pods.Count));
                        cluster.Pods.Remove(key);
                        var parts = key.Split('/');
                        engine.DeletePod(parts[0], parts[1]);
                        return "delete pod " + key;
                    }

                case 6:
                    {
                        var ns = Namespace();
                        cluster.Namespaces[ns.Metadata.Name] = ns;
                        engine.UpsertNamespace(ns);
                        return $"upsert namespace {ns.Metadata.Name} labels {string.Join(',', ns.Metadata.Labels)} logging {ns.Metadata.Annotations?.Count ?? 0}";
                    }

                case 7 when cluster.Namespaces.Count > 0 && _random.Next(3) == 0:
                    {
                        var name = cluster.Namespaces.Keys.ElementAt(_random.Next(cluster.Namespaces.Count));
                        cluster.Namespaces.Remove(name);
                        engine.DeleteNamespace(name);
                        return "delete namespace " + name;
                    }

                case 8 when cluster.Nodes.Count > 0 && _random.Next(3) == 0:
                    {
                        var name = cluster.Nodes.Keys.ElementAt(_random.Next(cluster.Nodes.Count));
                        cluster.Nodes.Remove(name);
                        engine.DeleteNode(name);
                        return "delete node " + name;
                    }

                case 8:
                    {
                        var node = Node();
                        cluster.Nodes[node.Metadata.Name] = node;
                        engine.UpsertNode(node);
                        return $"upsert node {node.Metadata.Name} addresses {string.Join(',', node.Status.Addresses.Select(a => a.Address))}";
                    }

                case 9 when cluster.Policies.Count > 0:
                    {
                        var key = cluster.Policies.Keys.ElementAt(_random.Next(cluster.Policies.Count));
                        var policy = cluster.Policies[key];
                        cluster.Policies.Remove(key);
                        engine.DeletePolicy(policy.Metadata.NamespaceProperty, policy.Metadata.Name);
                        return "delete policy " + key;
                    }

                default:
                    {
                        var policy = _policyPool[_random.Next(_policyPool.Count)];
                        var key = policy.Metadata.NamespaceProperty + "/" + policy.Metadata.Name;
                        cluster.Policies[key] = policy;
                        engine.UpsertPolicy(policy);
                        return "upsert policy " + key;
                    }
            }
        }

        private V1Pod Pod()
        {
            var n = _random.Next(NamespaceNames.Length);
            var p = _random.Next(PodNames.Length);
            var labels = new Dictionary<string, string> { ["pod"] = PodNames[p % 3] };
            if (_random.Next(3) > 0)
            {
                labels["app"] = _random.Next(2) == 0 ? "p" : "q";
            }

            if (_random.Next(3) == 0)
            {
                labels["tier"] = _random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            int[] webPorts = [0, 80, 81, 8080];
            var pod = PodCluster.Pod(NamespaceNames[n], PodNames[p], labels, (n * PodNames.Length) + p + 1, _random.Next(3) == 0, webPorts[_random.Next(webPorts.Length)]);
            string?[] nodes = [null, "node-1", "node-2", "node-3"];
            pod.Spec.NodeName = nodes[_random.Next(nodes.Length)];
            switch (_random.Next(12))
            {
                case 0:
                    pod.Status = new V1PodStatus { Phase = "Pending" };
                    break;
                case 1:
                    pod.Status.Phase = "Succeeded";
                    break;
            }

            return pod;
        }

        /// <summary>node-1..3 with zero to two InternalIPs (v4, v6, sometimes shared with another node) and an ExternalIP that never counts.</summary>
        private V1Node Node()
        {
            var index = _random.Next(1, 4);
            var addresses = new List<V1NodeAddress> { new() { Type = "ExternalIP", Address = $"198.51.100.{index}" } };
            if (_random.Next(4) > 0)
            {
                addresses.Add(new V1NodeAddress { Type = "InternalIP", Address = $"172.18.0.{(_random.Next(4) == 0 ? 9 : index + _random.Next(2) * 10)}" });
            }

            if (_random.Next(3) == 0)
            {
                addresses.Add(new V1NodeAddress { Type = "InternalIP", Address = $"fc00:f853::{index}" });
            }

            return new V1Node
            {
                ApiVersion = "v1",
                Kind = "Node",
                Metadata = new V1ObjectMeta { Name = "node-" + index },
                Status = new V1NodeStatus { Addresses = addresses },
            };
        }

        private V1Namespace Namespace()
        {
            var name = NamespaceNames[_random.Next(3)];
            var labels = new Dictionary<string, string> { ["ns"] = name };
            if (_random.Next(2) == 0)
            {
                labels["env"] = _random.Next(2) == 0 ? "prod" : "dev";
            }

            var ns = PodCluster.Namespace(name, labels);
            if (_random.Next(3) == 0)
            {
                ns.Metadata.Annotations = new Dictionary<string, string> { ["k8s.ovn.org/acl-logging"] = """{"deny": "alert", "allow": "notice"}""" };
            }

            return ns;
        }
    }
}
