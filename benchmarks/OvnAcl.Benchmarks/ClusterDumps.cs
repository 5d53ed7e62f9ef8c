using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using OvnAcl.Kubernetes;

namespace OvnAcl.Benchmarks;

/// <summary>
/// A synthetic cluster (<see cref="SyntheticClusters.Kubernetes"/>) written as the JSON List a user hands to
/// <c>ovnacl compile</c>: plain (the objects only), or shaped as <c>kubectl get pods,namespaces,networkpolicies -A -o json</c>
/// writes a live cluster, where every pod also carries its managedFields, owner, annotations, probes, volumes and a
/// full status (conditions with <c>lastProbeTime: null</c>, container statuses), about 5 KB a pod.
/// </summary>
internal static class ClusterDumps
{
    /// <summary>What a live pod carries beyond the synthetic one; merged into every pod of a kubectl-shaped dump.</summary>
    private const string LivePod = """
        {
          "metadata": {
            "annotations": {"k8s.ovn.org/pod-networks": "{\"default\":{\"ip_addresses\":[\"IP/24\"],\"mac_address\":\"0a:58:0a:f4:01:05\",\"role\":\"primary\"}}"},
            "creationTimestamp": "2026-11-30T09:13:02Z",
            "generateName": "web-7d4b9c8f6d-",
            "managedFields": [
              {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:tier": {}}, "f:ownerReferences": {".": {}, "k:{\"uid\":\"9b1d0c2e-8a49-4c43-9a4c-7e1f0c9d2b11\"}": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"main\"}": {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}, "f:ports": {".": {}, "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}, "k:{\"containerPort\":9090,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:name": {}, "f:protocol": {}}}, "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}}, "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}}}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}}, "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {}, "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}, "manager": "kube-controller-manager", "operation": "Update", "time": "2026-11-30T09:13:02Z"},
              {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:k8s.ovn.org/pod-networks": {}}}}, "manager": "ovnkube-controller", "operation": "Update", "time": "2026-11-30T09:13:03Z"},
              {"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"ContainersReady\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}, "k:{\"type\":\"Initialized\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}, "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}}, "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {}, "f:podIPs": {".": {}, "k:{\"ip\":\"IP\"}": {".": {}, "f:ip": {}}}, "f:startTime": {}}}, "manager": "kubelet", "operation": "Update", "subresource": "status", "time": "2026-11-30T09:13:09Z"}
            ],
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": "web-7d4b9c8f6d", "uid": "9b1d0c2e-8a49-4c43-9a4c-7e1f0c9d2b11"}],
            "resourceVersion": "1188",
            "uid": "5d0c2e8a-1b7f-4f1e-b1c4-2f9a8e7d6c55"
          },
          "spec": {
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": true,
            "nodeName": "worker-1",
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
              {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
              {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
            ],
            "volumes": [{"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
              {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
              {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
              {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}]}}]
          },
          "status": {
            "conditions": [
              {"lastProbeTime": null, "lastTransitionTime": "2026-11-30T09:13:02Z", "status": "True", "type": "Initialized"},
              {"lastProbeTime": null, "lastTransitionTime": "2026-11-30T09:13:09Z", "status": "True", "type": "Ready"},
              {"lastProbeTime": null, "lastTransitionTime": "2026-11-30T09:13:09Z", "status": "True", "type": "ContainersReady"},
              {"lastProbeTime": null, "lastTransitionTime": "2026-11-30T09:13:02Z", "status": "True", "type": "PodScheduled"}
            ],
            "containerStatuses": [{"containerID": "containerd://4b8e4f2c1d0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c", "image": "registry.k8s.io/e2e-test-images/agnhost:2.45", "imageID": "registry.k8s.io/e2e-test-images/agnhost@sha256:7e8bdd271312fd25fc5ff5a8f04727be84044eb3d7d8d03611972a6752e2e11e", "lastState": {}, "name": "main", "ready": true, "restartCount": 0, "started": true, "state": {"running": {"startedAt": "2026-11-30T09:13:05Z"}}}],
            "hostIP": "172.18.0.3",
            "hostIPs": [{"ip": "172.18.0.3"}],
            "qosClass": "Burstable",
            "startTime": "2026-11-30T09:13:02Z"
          }
        }
        """;

    /// <summary>The cluster as one JSON List: namespaces, pods, then policies.</summary>
    public static byte[] Json(KubernetesInput input, bool kubectlShaped)
    {
        var live = kubectlShaped ? JsonNode.Parse(LivePod)!.AsObject() : null;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", "v1");
            writer.WriteStartArray("items");
            foreach (var ns in input.Namespaces)
            {
                JsonNode.Parse(KubernetesJson.Serialize(ns.Object))!.WriteTo(writer);
            }

            var index = 0;
            foreach (var pod in input.Pods)
            {
                index++;
                var node = JsonNode.Parse(KubernetesJson.Serialize(pod.Object))!.AsObject();
                if (live is not null)
                {
                    Merge(node, live);
                    node["spec"]!["containers"]![0]!["image"] = "registry.k8s.io/e2e-test-images/agnhost:2.45";
                    node["spec"]!["containers"]![0]!["resources"] = JsonNode.Parse("""{"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}}""");
                    node["metadata"]!["uid"] = "5d0c2e8a-1b7f-4f1e-b1c4-" + index.ToString("x12", CultureInfo.InvariantCulture);
                    node["metadata"]!["resourceVersion"] = (100_000 + index).ToString(CultureInfo.InvariantCulture);
                }

                node.WriteTo(writer);
            }

            foreach (var policy in input.Policies)
            {
                JsonNode.Parse(KubernetesJson.Serialize(policy.Object))!.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteString("kind", "List");
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", "");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary><c>ovnacl-benchmarks write-cluster PATH NAMESPACES POLICIES PODS [kubectl]</c>: the file the whole-process figures compile.</summary>
    public static int Write(string[] args)
    {
        if (args.Length is < 5 or > 6 || args.Length == 6 && args[5] != "kubectl")
        {
            Console.Error.WriteLine("usage: write-cluster PATH NAMESPACES POLICIES PODS [kubectl]");
            return 2;
        }

        var counts = args[2..5].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var bytes = Json(SyntheticClusters.Kubernetes(counts[0], counts[1], counts[2]), kubectlShaped: args.Length == 6);
        File.WriteAllBytes(args[1], bytes);
        Console.WriteLine($"{args[1]}: {bytes.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes");
        return 0;
    }

    /// <summary>Adds what <paramref name="from"/> has and <paramref name="into"/> lacks, objects merged key by key (arrays and values as a whole).</summary>
    private static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (key, value) in from)
        {
            if (into[key] is JsonObject inner && value is JsonObject more)
            {
                Merge(inner, more);
            }
            else if (!into.ContainsKey(key))
            {
                into[key] = value?.DeepClone();
            }
        }
    }
}
