using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using k8s;
using OvnAcl.Kubernetes;
using OvnAcl.Core.Tests.Robustness;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// The loader's two ways through JSON give the same input: the fast one (System.Text.Json straight from the bytes)
/// and the careful one it falls back to (every object through the strict YAML reader). "The same" is every object
/// kept, serialized, with its source, and every diagnostic with its code, file, object, field and message; compared
/// on the samples, on a dump shaped as `kubectl get -o json` writes it, on the bad inputs the careful way has
/// messages for, and on random mutations of all of them, with and without a namespace given.
/// </summary>
public sealed class LoaderJsonWaysTests
{
    /// <summary>Pods, a namespace and policies as a live cluster's dump has them: managedFields, status, ownerReferences, resources, timestamps.</summary>
    internal const string KubectlDump = """
        {
          "apiVersion": "v1",
          "items": [
            {
              "apiVersion": "v1",
              "kind": "Namespace",
              "metadata": {
                "creationTimestamp": "2026-11-30T09:12:44Z",
                "labels": {"kubernetes.io/metadata.name": "a", "team": "x"},
                "managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}}, "manager": "kubectl-create", "operation": "Update", "time": "2026-11-30T09:12:44Z"}],
                "name": "a",
                "resourceVersion": "1021",
                "uid": "3f6f1b1e-8a49-4c43-9a4c-7e1f0c9d2b11"
              },
              "spec": {"finalizers": ["kubernetes"]},
              "status": {"phase": "Active", "conditions": [{"type": "NamespaceDeletionDiscoveryFailure", "status": "False"}]}
            },
            {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {
                "annotations": {"k8s.ovn.org/pod-networks": "{\"default\":{\"ip_addresses\":[\"10.244.1.5/24\"]}}"},
                "creationTimestamp": "2026-11-30T09:13:02Z",
                "generateName": "web-7d4b9c8f6d-",
                "labels": {"app": "web", "pod-template-hash": "7d4b9c8f6d"},
                "managedFields": [
                  {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}}, "f:ownerReferences": {".": {}, "k:{\"uid\":\"9b1d\"}": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}}}}}}}, "manager": "kube-controller-manager", "operation": "Update", "time": "2026-11-30T09:13:02Z"},
                  {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"Ready\"}": {".": {}, "f:status": {}}}, "f:podIP": {}, "f:podIPs": {".": {}, "k:{\"ip\":\"10.244.1.5\"}": {".": {}, "f:ip": {}}}}}, "manager": "kubelet", "operation": "Update", "subresource": "status", "time": "2026-11-30T09:13:09Z"}
                ],
                "name": "web-7d4b9c8f6d-x2x9q",
                "namespace": "a",
                "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": "web-7d4b9c8f6d", "uid": "9b1d"}],
                "resourceVersion": "1188",
                "uid": "5d0c2e8a-1b7f-4f1e-b1c4-2f9a8e7d6c55"
              },
              "spec": {
                "containers": [{
                  "image": "registry.k8s.io/e2e-test-images/agnhost:2.45",
                  "imagePullPolicy": "IfNotPresent",
                  "name": "web",
                  "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}, {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}],
                  "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
                  "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
                  "terminationMessagePath": "/dev/termination-log",
                  "terminationMessagePolicy": "File",
                  "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-abcde", "readOnly": true}]
                }],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "nodeName": "worker-1",
                "preemptionPolicy": "PreemptLowerPriority",
                "priority": 0,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [{"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300}],
                "volumes": [{"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]
              },
              "status": {
                "conditions": [{"lastProbeTime": null, "lastTransitionTime": "2026-11-30T09:13:09Z", "status": "True", "type": "Ready"}],
                "containerStatuses": [{"name": "web", "ready": true, "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2026-11-30T09:13:05Z"}}}],
                "hostIP": "172.18.0.3",
                "hostIPs": [{"ip": "172.18.0.3"}],
                "phase": "Running",
                "podIP": "10.244.1.5",
                "podIPs": [{"ip": "10.244.1.5"}, {"ip": "fd00:10:244:1::5"}],
                "qosClass": "Burstable",
                "startTime": "2026-11-30T09:13:02Z"
              }
            },
            {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {"labels": {"app": "db"}, "name": "db-0", "namespace": "a", "creationTimestamp": "2026-11-30T09:14:00Z"},
              "spec": {"containers": [{"name": "db", "image": "postgres:16", "ports": [{"containerPort": 5432, "name": "pg"}]}], "nodeName": "worker-2"},
              "status": {"phase": "Pending"}
            },
            {
              "apiVersion": "networking.k8s.io/v1",
              "kind": "NetworkPolicy",
              "metadata": {"creationTimestamp": "2026-11-30T09:15:00Z", "generation": 1, "name": "db-from-web", "namespace": "a", "resourceVersion": "1290", "uid": "77aa"},
              "spec": {
                "podSelector": {"matchLabels": {"app": "db"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [
                    {"podSelector": {"matchLabels": {"app": "web"}}},
                    {"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In", "values": ["x", "y"]}]}, "podSelector": {}},
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                  "ports": [{"port": "pg", "protocol": "TCP"}, {"port": 6000, "endPort": 6010, "protocol": "UDP"}]}],
                "egress": [{"to": [{"ipBlock": {"cidr": "fd00::/8"}}], "ports": [{"port": 53, "protocol": "UDP"}]}]
              }
            },
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "a"}, "data": {"ca.crt": "-----BEGIN CERTIFICATE-----"}},
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-7d4b9c8f6d", "namespace": "a"}, "spec": {"replicas": 1, "template": {"metadata": {"creationTimestamp": null}}}},
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1", "labels": {"kubernetes.io/hostname": "worker-1"}}, "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.3"}]}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "a"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http", "protocol": "TCP"}], "clusterIP": "10.96.0.10"}}
          ],
          "kind": "List",
          "metadata": {"resourceVersion": ""}
        }
        """;

    /// <summary>What the careful way has a message for, in JSON.</summary>
    private static readonly string[] BadJson =
    [
        Item("""{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "q", "namespace": "a"}, "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": "80"}]}]}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a", "labels": {"app": null}}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "b"}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "1", "a": "2"}}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labelz": {}}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": null}}}]}}"""),
        Item("""{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "creationTimestamp": null}, "spec": {"finalizers": null}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"podIP": 7}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"podIPs": [{"address": "10.0.0.1"}]}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"podIPs": "10.0.0.1"}}"""),
        Item("""{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Running", "phase": "Failed"}}"""),
        Item("""{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "u", "namespace": "a"}, "spec": {"podSelector": {}, "ingres": []}}"""),
        Item("""{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "s", "namespace": "a"}, "spec": {"podSelector": {"matchLabels": {"app": 1}}}}"""),
        Item("""{"apiVersion": 1, "kind": "Pod", "metadata": {"name": "p"}}"""),
        Item("""{"apiVersion": "v2", "kind": "Pod", "metadata": {"name": "p"}}"""),
        Item("""{"kind": "Pod", "kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "p"}}"""),
        Item("""{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "1", "k": "2"}}"""),
        Item("""{"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "anp"}}"""),
        Item("""7"""),
        Item("""{"metadata": {"name": "nokind"}}"""),
        """{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}},]}""",
        """{"apiVersion": "v1", "kind": "List", "items": []} trailing""",
        """{"apiVersion": "v1", "kind": "List", "items": {"apiVersion": "v1", "kind": "Pod"}}""",
        """{"apiVersion": "v1", "kind": "List", "kind": "PodList", "items": []}""",
        """{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p", "namespace": "a"}}]}""",
        """{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "alone", "namespace": "a"}}""",
        """[{"apiVersion": "v1", "kind": "Pod"}]""",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", /* a comment */ \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}} // another\n]}",
    ];

    public static TheoryData<string> BadInputs { get; } = [.. BadJson];

    // Pods kept whole both ways: the two ways must read every field alike, not only the ones the loader keeps by default.
    private static readonly KubernetesLoadOptions Fast = KubernetesLoadOptions.Default with { WholePods = true };

    private static readonly KubernetesLoadOptions Careful = Fast with { JsonFastPath = false };

    [Fact]
    public void The_dump_reads_the_same_both_ways_and_the_fast_way_reads_it()
    {
        var fast = AssertSameBothWays(KubectlDump, null);
        var before = KubernetesInputLoader.FastItemsRead;
        KubernetesInputLoader.LoadText(KubectlDump, "in.json", Fast);

        // Namespace, two pods, the policy, ConfigMap and ReplicaSet (counted): the fast way; the Node and the Service: the careful one.
        Assert.Equal(6, KubernetesInputLoader.FastItemsRead - before);
        Assert.Equal(2, fast.Pods.Length);
        var web = fast.Pods[0].Object;
        Assert.Equal(["10.244.1.5", "fd00:10:244:1::5"], web.Status.PodIPs.Select(ip => ip.Ip));
        Assert.Equal("Running", web.Status.Phase);
        Assert.Null(web.Metadata.ManagedFields);
        Assert.Null(fast.Namespaces[0].Object.Status);
        Assert.Single(fast.Policies);
        Assert.Single(fast.Nodes);
        Assert.Single(fast.Services);
        Assert.Contains(fast.LoadDiagnostics, d => d.Message.Contains("1 ConfigMap, 1 ReplicaSet", StringComparison.Ordinal));
        AssertSameBothWays(KubectlDump, "a");
        AssertSameBothWays(KubectlDump, "b");
    }

    /// <summary>
    /// By default a pod is kept in part (<see cref="KubernetesLoadOptions.WholePods"/>): what the compiler, explain and
    /// Services read, and nothing of the rest of a live pod; whole on request. Either way every object compiles alike.
    /// </summary>
    [Fact]
    public void A_pod_is_kept_in_the_part_that_is_read_unless_kept_whole()
    {
        var kept = KubernetesInputLoader.LoadText(KubectlDump, "in.json");
        var whole = KubernetesInputLoader.LoadText(KubectlDump, "in.json", Fast);
        var (part, all) = (kept.Pods[0].Object, whole.Pods[0].Object);
        Assert.Equal((all.Metadata.Name, all.Metadata.NamespaceProperty), (part.Metadata.Name, part.Metadata.NamespaceProperty));
        Assert.Equal(all.Metadata.Labels, part.Metadata.Labels);
        Assert.Equal((all.Spec.NodeName, all.Spec.HostNetwork), (part.Spec.NodeName, part.Spec.HostNetwork));
        Assert.Equal(
            all.Spec.Containers.Select(c => (c.Name, string.Join(",", (c.Ports ?? []).Select(p => $"{p.Name}/{p.Protocol}/{p.ContainerPort}")))),
            part.Spec.Containers.Select(c => (c.Name, string.Join(",", (c.Ports ?? []).Select(p => $"{p.Name}/{p.Protocol}/{p.ContainerPort}")))));
        Assert.Equal((all.Status.Phase, all.Status.PodIP), (part.Status.Phase, part.Status.PodIP));
        Assert.Equal(all.Status.PodIPs.Select(ip => ip.Ip), part.Status.PodIPs.Select(ip => ip.Ip));

        // What the dump's pod has besides, and the part has not.
        Assert.NotNull(all.Metadata.Uid);
        Assert.Null(part.Metadata.Uid);
        Assert.NotEmpty(all.Spec.Containers[0].Image ?? "");
        Assert.Null(part.Spec.Containers[0].Image);
        Assert.True(KubernetesJson.Serialize(part).Length < KubernetesJson.Serialize(all).Length / 2);

        Assert.Equal(KubernetesCompiler.Compile(whole).Rows, KubernetesCompiler.Compile(kept).Rows);
        Assert.Equal(
            KubernetesCompiler.Compile(whole).Diagnostics.Select(d => d.ToString()),
            KubernetesCompiler.Compile(kept).Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_gets_the_careful_way_s_diagnostics(string json)
    {
        AssertSameBothWays(json, null);
        AssertSameBothWays(json, "a");
    }

    [Fact]
    public void The_samples_as_json_lists_read_the_same_both_ways()
    {
        foreach (var seed in Seeds.Value)
        {
            AssertSameBothWays(seed, null);
            AssertSameBothWays(seed, "a");
        }
    }

    [Fact]
    public async Task A_json_file_s_bytes_read_as_its_text_does()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-json-").FullName;
        try
        {
            var plain = Path.Combine(dir, "dump.json");
            File.WriteAllText(plain, KubectlDump, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            var invalid = Path.Combine(dir, "invalid.json");
            File.WriteAllBytes(invalid, [.. Encoding.UTF8.GetBytes("""{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"""), 0xff, .. Encoding.UTF8.GetBytes("\"}}]}")]);
            foreach (var file in new[] { plain, invalid })
            {
                var fast = await KubernetesInputLoader.LoadAsync([file], Fast);
                var careful = await KubernetesInputLoader.LoadAsync([file], Careful);
                Assert.Equal(Describe(careful), Describe(fast));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Random mutations of every seed: a field removed, renamed or repeated, a value replaced by one of another type.</summary>
    [Property(MaxTest = 300)]
    public Property Mutated_json_reads_the_same_both_ways() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var all = Seeds.Value.Concat(BadJson).Append(KubectlDump).ToList();
            var text = Mutate(all[random.Next(all.Count)], random);
            var ns = random.Next(3) == 0 ? "a" : null;
            var fast = Describe(KubernetesInputLoader.LoadText(text, "m.json", Fast with { Namespace = ns }));
            var careful = Describe(KubernetesInputLoader.LoadText(text, "m.json", Careful with { Namespace = ns }));
            return (fast == careful).Label($"seed {seed}, namespace {ns ?? "none"}:\n{text}\nfast:\n{fast}\ncareful:\n{careful}");
        });

    private static readonly Lazy<List<string>> Seeds = new(() => Fuzz.KubernetesSeeds.Select(AsJsonList).ToList());

    private static string Item(string item) => $$$"""{"apiVersion": "v1", "kind": "List", "items": [{{{item}}}, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}]}""";

    /// <summary>A sample (YAML or JSON) as a kubectl-style List of what the loader kept from it.</summary>
    private static string AsJsonList(string sample)
    {
        var input = KubernetesInputLoader.LoadText(sample, sample.TrimStart().StartsWith('{') ? "seed.json" : "seed.yaml", Fast);
        var items = new JsonArray();
        void Add(object value, string apiVersion, string kind)
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(value))!.AsObject();
            node["apiVersion"] = apiVersion;
            node["kind"] = kind;
            items.Add(node);
        }

        foreach (var p in input.Policies)
        {
            Add(p.Object, "networking.k8s.io/v1", "NetworkPolicy");
        }

        foreach (var p in input.Pods)
        {
            Add(p.Object, "v1", "Pod");
        }

        foreach (var n in input.Namespaces)
        {
            Add(n.Object, "v1", "Namespace");
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items }.ToJsonString();
    }

    private static string Mutate(string json, Random random)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowDuplicateProperties = false });
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            return json; // not JSON (or with repeated keys JsonNode cannot hold): compared as it is
        }

        if (root is null)
        {
            return json;
        }

        var repeats = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var objects = Descendants(root).OfType<JsonObject>().Where(o => o.Count > 0).ToList();
            if (objects.Count == 0)
            {
                break;
            }

            var target = objects[random.Next(objects.Count)];
            var key = target.ElementAt(random.Next(target.Count)).Key;
            switch (random.Next(5))
            {
                case 0:
                    target.Remove(key);
                    break;
                case 1:
                    var value = target[key];
                    target.Remove(key);
                    target[random.Next(2) == 0 ? key + "x" : char.ToUpperInvariant(key[0]) + key[1..]] = value;
                    break;
                case 2:
                    var placeholder = $"__REPEAT_{repeats.Count}__";
                    repeats.Add(key);
                    target[placeholder] = target[key]?.DeepClone();
                    break;
                default:
                    target[key] = random.Next(10) switch
                    {
                        0 => null,
                        1 => 7,
                        2 => "7",
                        3 => "x",
                        4 => true,
                        5 => new JsonObject(),
                        6 => new JsonArray(),
                        7 => "80",
                        8 => -1,
                        _ => 1.5,
                    };
                    break;
            }
        }

        var text = root.ToJsonString();
        for (var i = 0; i < repeats.Count; i++)
        {
            text = text.Replace($"\"__REPEAT_{i}__\"", System.Text.Json.JsonSerializer.Serialize(repeats[i]), StringComparison.Ordinal);
        }

        return text;
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            foreach (var d in Descendants(child))
            {
                yield return d;
            }
        }
    }

    private static KubernetesInput AssertSameBothWays(string json, string? ns)
    {
        var fast = KubernetesInputLoader.LoadText(json, "in.json", Fast with { Namespace = ns });
        var careful = KubernetesInputLoader.LoadText(json, "in.json", Careful with { Namespace = ns });
        Assert.Equal(Describe(careful), Describe(fast));

        // And by default, pods kept in part: the same part both ways.
        Assert.Equal(
            Describe(KubernetesInputLoader.LoadText(json, "in.json", Careful with { Namespace = ns, WholePods = false })),
            Describe(KubernetesInputLoader.LoadText(json, "in.json", KubernetesLoadOptions.Default with { Namespace = ns })));
        return fast;
    }

    /// <summary>Every object kept, serialized, with its source; then every diagnostic.</summary>
    internal static string Describe(KubernetesInput input)
    {
        var text = new StringBuilder();
        void Objects<T>(string what, IEnumerable<SourcedObject<T>> objects)
            where T : class
        {
            foreach (var o in objects)
            {
                text.Append(what).Append(' ').Append(o.Source).Append(' ').AppendLine(KubernetesJson.Serialize(o.Object));
            }
        }

        Objects("policy", input.Policies);
        Objects("pod", input.Pods);
        Objects("namespace", input.Namespaces);
        Objects("node", input.Nodes);
        Objects("service", input.Services);
        Objects("slice", input.EndpointSlices);
        foreach (var d in input.LoadDiagnostics)
        {
            text.AppendLine(d.ToString());
        }

        return text.ToString();
    }
}
