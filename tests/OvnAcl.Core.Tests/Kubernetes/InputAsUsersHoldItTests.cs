using OvnAcl.Kubernetes;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// Inputs as users hold them: Helm output and application directories with every common kind, <c>kubectl get -o yaml</c>
/// dumps with <c>status</c>, objects from newer clusters; and what the API server refuses but a model cannot see.
/// </summary>
public sealed class InputAsUsersHoldItTests
{
    private const string Policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}

        """;

    private static string Describe(KubernetesInput input) => string.Join("\n", input.LoadDiagnostics);

    [Fact]
    public async Task An_application_directory_with_every_common_kind_compiles_its_policies_and_notes_the_rest_once()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-app-");
        try
        {
            // What `helm template` writes for a typical chart, in one stream, and an app directory beside it.
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "chart.yaml"), """
                ---
                # Source: shop/templates/serviceaccount.yaml
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: web, namespace: shop}
                ---
                # Source: shop/templates/configmap.yaml
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: web, namespace: shop}
                data: {LOG_LEVEL: info}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: web, namespace: shop}
                type: Opaque
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: shop}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db, namespace: shop}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: shop}
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: web, namespace: shop}
                ---
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate, namespace: shop}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: shop}
                ---

                """ + Policy + """
                  ingress: [{ports: [{port: http}]}]
                """);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "namespace.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n");

            var input = await KubernetesInputLoader.LoadAsync([dir.FullName]);
            var note = Assert.Single(input.LoadDiagnostics);
            Assert.Equal((CompileDiagnosticCodes.SkippedKinds, DiagnosticSeverity.Note), (note.Code, note.Severity));
            Assert.EndsWith(
                "chart.yaml: OVNK0009: note: skipped 1 ConfigMap, 1 Deployment, 1 HorizontalPodAutoscaler, 1 Ingress, 1 Job, 1 Secret, 1 ServiceAccount, 1 StatefulSet: not NetworkPolicies, Pods, Namespaces, Nodes, Services or EndpointSlices",
                note.ToString(), StringComparison.Ordinal);
            Assert.Equal(["shop/web", "shop/db"], input.Services.Select(s => s.Object.Metadata.NamespaceProperty + "/" + s.Object.Metadata.Name));
            var result = KubernetesCompiler.Compile(input);
            Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
            Assert.Contains(result.Rows!.PortGroups, g => g.Acls.Any(a => a.Match.Contains("outport == @", StringComparison.Ordinal)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_kubectl_dump_with_status_compiles_and_status_is_never_an_error()
    {
        // `kubectl get netpol,pods,ns -o yaml` of a 1.24–1.27 cluster: NetworkPolicy carries `status: {}`; pods carry
        // conditions and container statuses; a namespace its phase. Only a pod's phase and IPs count.
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: web, namespace: shop, resourceVersion: "812", uid: 0b5c, generation: 1, creationTimestamp: "2026-11-02T10:00:00Z"}
              spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
              status: {}
            - apiVersion: v1
              kind: Pod
              metadata: {name: web-0, namespace: shop, labels: {app: web}}
              spec: {nodeName: worker-1, containers: [{name: web, image: nginx}]}
              status:
                phase: Running
                podIP: 10.0.0.5
                podIPs: [{ip: 10.0.0.5}]
                conditions: [{type: Ready, status: "True", lastProbeTime: null, lastTransitionTime: "2026-11-02T10:00:00Z"}]
                containerStatuses: [{name: web, ready: true, restartCount: 0, state: {running: {startedAt: "2026-11-02T10:00:00Z"}}}]
                resize: InProgress
                someFieldOfKubernetes140: {x: [1, 2]}
            - apiVersion: v1
              kind: Namespace
              metadata: {name: shop}
              status: {phase: Active, conditions: []}
            - apiVersion: v1
              kind: Node
              metadata: {name: worker-1, labels: {kubernetes.io/hostname: worker-1}}
              spec: {podCIDR: 10.244.1.0/24}
              status:
                addresses: [{type: InternalIP, address: 172.18.0.3}, {type: Hostname, address: worker-1}]
                nodeInfo: {kubeletVersion: v1.40.0, someNewInfo: x}
                images: [{names: [nginx], sizeBytes: 1}]
                conditions: [{type: Ready, status: "True"}]
            metadata: {resourceVersion: ""}
            """, "dump.yaml");
        Assert.Empty(input.LoadDiagnostics);
        var pod = Assert.Single(input.Pods).Object;
        Assert.Equal(("Running", "10.0.0.5", "10.0.0.5"), (pod.Status.Phase, pod.Status.PodIP, Assert.Single(pod.Status.PodIPs).Ip));
        Assert.Equal(["InternalIP 172.18.0.3", "Hostname worker-1"], Assert.Single(input.Nodes).Object.Status.Addresses.Select(a => $"{a.Type} {a.Address}"));
        Assert.True(KubernetesCompiler.Compile(input).Succeeded);
    }

    [Fact]
    public void An_unknown_field_is_a_warning_counted_once_in_context_objects_and_an_error_in_a_policy_spec()
    {
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {team: a}}
            spec: {finalizers: [kubernetes], futureNamespaceField: x}
            ---
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: a, namespace: shop}
              spec: {containers: [{name: c, image: x, futureContainerField: 1}], futurePodField: true}
              status: {podIP: 10.0.0.1}
            - metadata: {name: b, namespace: shop}
              spec: {containers: [{name: c, image: x, futureContainerField: 2}, {name: d, image: y, futureContainerField: 3}], futurePodField: false}
              status: {podIP: 10.0.0.2}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: ok, namespace: shop, futureMetadataField: x}
            spec: {podSelector: {}}
            """, "newer.yaml");
        Assert.Equal(
        [
            ("Namespace", "spec.futureNamespaceField", "newer.yaml#1", "Namespace shop"),
            ("Pod", "spec.containers[0].futureContainerField", "newer.yaml#2/items[0]", "Pod shop/a"),
            ("Pod", "spec.futurePodField", "newer.yaml#2/items[0]", "Pod shop/a"),
            ("NetworkPolicy", "metadata.futureMetadataField", "newer.yaml#3", "NetworkPolicy shop/ok"),
        ], input.LoadDiagnostics.Select(d => (d.Location.Object![..d.Location.Object!.IndexOf(' ', StringComparison.Ordinal)], d.Location.Field, d.Location.Source!.ToString(), d.Location.Object)));
        Assert.All(input.LoadDiagnostics, d => Assert.Equal((CompileDiagnosticCodes.UnknownContextField, DiagnosticSeverity.Warning), (d.Code, d.Severity)));
        Assert.Contains("unknown field ignored in 2 Pod(s)", input.LoadDiagnostics.Single(d => d.Location.Field == "spec.futurePodField").Message, StringComparison.Ordinal);
        // Found in the first pod, stripped up front from both containers of the second: counted per pod.
        Assert.Contains("unknown field ignored in 2 Pod(s)", input.LoadDiagnostics.Single(d => d.Location.Field == "spec.containers[0].futureContainerField").Message, StringComparison.Ordinal);
        Assert.Equal(2, input.Pods.Length);
        Assert.True(KubernetesCompiler.Compile(input).Succeeded);

        // In a policy's spec a typo changes what it means: refused, with the line and field, in words.
        var typo = KubernetesInputLoader.LoadText(Policy + "  ingress:\n  - fromm: [{podSelector: {}}]\n", "typo.yaml");
        var error = Assert.Single(typo.LoadDiagnostics);
        Assert.Equal("typo.yaml#1: NetworkPolicy shop/web: spec.ingress[0].fromm: OVNK0002: line 7: unknown field 'fromm'", error.ToString());
        Assert.Empty(typo.Policies);
    }

    public static TheoryData<string, string, string> RefusedByTheApiServer => new()
    {
        // A quoted number is a string, so a port name, and a name must contain a letter.
        { Policy + "  ingress: [{ports: [{port: \"80\"}]}]\n", "spec.ingress[0].ports[0].port",
            "OVNK0110: line 6: port \"80\" is quoted, so a port name, and a port name must contain a letter; write 80 without quotes for the port number" },
        { Policy + "  egress: [{ports: [{port: '443', protocol: TCP}]}]\n", "spec.egress[0].ports[0].port",
            "OVNK0110: line 6: port \"443\" is quoted, so a port name, and a port name must contain a letter; write 443 without quotes for the port number" },
        // Labels are strings: YAML reads these as a boolean, a number, null.
        { Policy.Replace("{app: web}", "{access: true}", StringComparison.Ordinal), "spec.podSelector.matchLabels.access",
            "OVNK0011: line 5: label value true is read as a boolean, and the API server refuses it: a label value is a string; write \"true\"" },
        { Policy + "  ingress: [{from: [{namespaceSelector: {matchLabels: {version: 2}}}]}]\n", "spec.ingress[0].from[0].namespaceSelector.matchLabels.version",
            "OVNK0011: line 6: label value 2 is read as a number, and the API server refuses it: a label value is a string; write \"2\"" },
        { Policy + "  ingress: [{from: [{podSelector: {matchExpressions: [{key: tier, operator: In, values: [1, web]}]}}]}]\n",
            "spec.ingress[0].from[0].podSelector.matchExpressions[0].values[0]",
            "OVNK0011: line 6: selector value 1 is read as a number, and the API server refuses it: a selector value is a string; write \"1\"" },
        { Policy.Replace("namespace: shop}", "namespace: shop, labels: {enabled: yes}}", StringComparison.Ordinal), "metadata.labels.enabled",
            "OVNK0011: line 3: label value yes is read as a boolean, and the API server refuses it: a label value is a string; write \"yes\"" },
        // Mistyped fields, in the input's words: no .NET type name.
        { Policy + "  policyTypes: Ingress\n", "spec.policyTypes", "OVNK0002: line 6: expected a list, not 'Ingress'" },
        { Policy + "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: 10.1.0.0/16}}]}]\n", "spec.ingress[0].from[0].ipBlock.except",
            "OVNK0002: line 6: expected a list, not '10.1.0.0/16'" },
        { Policy + "  ingress: [{ports: [{port: 80, protocol: [TCP]}]}]\n", "spec.ingress[0].ports[0].protocol", "OVNK0002: line 6: expected a string, not a list" },
        { Policy.Replace("{app: web}", "{app: {name: web}}", StringComparison.Ordinal), "spec.podSelector.matchLabels.app", "OVNK0002: line 5: expected a string, not a mapping" },
    };

    [Theory]
    [MemberData(nameof(RefusedByTheApiServer))]
    public void What_the_api_server_refuses_is_refused_with_its_field_and_message(string yaml, string field, string message)
    {
        var input = KubernetesInputLoader.LoadText(yaml, "p.yaml");
        var error = Assert.Single(input.LoadDiagnostics);
        Assert.Equal((DiagnosticSeverity.Error, field), (error.Severity, error.Location.Field));
        Assert.Equal($"p.yaml#1: NetworkPolicy shop/web: {field}: {message}", error.ToString());
        Assert.Empty(input.Policies);
    }

    [Fact]
    public void The_same_checks_hold_for_json_and_quoted_strings_pass()
    {
        var json = KubernetesInputLoader.LoadText("""
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"podSelector": {"matchLabels": {"access": true}}, "ingress": [{"ports": [{"port": "80"}]}]}}
            """, "p.json");
        Assert.Equal(
            [("OVNK0011", "spec.podSelector.matchLabels.access"), ("OVNK0110", "spec.ingress[0].ports[0].port")],
            json.LoadDiagnostics.Select(d => (d.Code, d.Location.Field)));

        var quoted = KubernetesInputLoader.LoadText(Policy.Replace("{app: web}", "{access: \"true\", version: '2', y: n}", StringComparison.Ordinal)
            + "  ingress: [{ports: [{port: 80}, {port: http}, {port: \"https\"}]}]\n", "q.yaml");
        Assert.Empty(quoted.LoadDiagnostics);
        Assert.Equal(["80", "http", "https"], quoted.Policies.Single().Object.Spec.Ingress[0].Ports.Select(p => p.Port.Value));
    }

    [Fact]
    public void No_message_names_a_dotnet_type()
    {
        string[] mistyped =
        [
            "  podSelector: []\n", "  ingress: [{from: {podSelector: {}}}]\n", "  ingress: [{ports: [{endPort: many}]}]\n",
            "  ingress: [{ports: [{port: {x: 1}}]}]\n", "  egress: [{to: [{ipBlock: []}]}]\n", "  policyTypes: [[Ingress]]\n",
        ];
        foreach (var spec in mistyped)
        {
            var input = KubernetesInputLoader.LoadText(Policy.Replace("  podSelector: {matchLabels: {app: web}}\n", spec, StringComparison.Ordinal), "p.yaml");
            var error = Assert.Single(input.LoadDiagnostics, d => d.IsError);
            Assert.DoesNotMatch(@"System\.|k8s\.|YamlDotNet|Version=|PublicKeyToken|`", error.Message);
            Assert.StartsWith("line ", error.Message, StringComparison.Ordinal);
        }

        var pod = KubernetesInputLoader.LoadText("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {hostNetwork: maybe}\n", "pod.yaml");
        Assert.Equal("pod.yaml#1: Pod shop/p: spec.hostNetwork: OVNK0002: line 4: expected true or false, not 'maybe'", Assert.Single(pod.LoadDiagnostics).ToString());
    }

    [Fact]
    public void Cluster_scoped_policies_are_read_and_checked_and_a_malformed_pod_ip_is_an_error()
    {
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: sre}
            spec: {priority: 10, subject: {namespaces: {}}}
            ---
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: BaselineAdminNetworkPolicy
            metadata: {name: default}
            ---
            apiVersion: policy.networking.k8s.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: future}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: shop}
            status: {podIPs: 10.0.0.1}
            """, "c.yaml");
        Assert.Equal(
        [
            ("OVNK0008", "c.yaml#3", "apiVersion"),
            ("OVNK0203", "c.yaml#4", "status.podIPs"),
        ], input.LoadDiagnostics.Select(d => (d.Code, d.Location.Source!.ToString(), d.Location.Field)));
        Assert.All(input.LoadDiagnostics, d => Assert.True(d.IsError, Describe(input)));
        Assert.Empty(input.Pods);
        Assert.Equal(["AdminNetworkPolicy sre", "BaselineAdminNetworkPolicy default"], input.ClusterPolicies.Select(p => p.Object.Kind + " " + p.Object.Name));

        // The BANP has no spec: refused when compiled, with the rest.
        var result = KubernetesCompiler.Compile(input);
        Assert.Null(result.Rows);
        Assert.Contains(result.Diagnostics, d => (d.Code, d.Location.Source?.ToString(), d.Location.Object, d.Location.Field)
            == ("OVNK0401", "c.yaml#2", "BaselineAdminNetworkPolicy default", "spec"));
    }

    [Fact]
    public void A_list_item_in_yaml_is_located_by_line()
    {
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Namespace
              metadata: {name: shop}
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: web, namespace: shop}
              spec:
                podSelector: {}
                ingress: [{from: [{podSelectr: {}}]}]
            """, "list.yaml");
        Assert.Equal("list.yaml#1/items[1]: NetworkPolicy shop/web: spec.ingress[0].from[0].podSelectr: OVNK0002: line 12: unknown field 'podSelectr'",
            Assert.Single(input.LoadDiagnostics).ToString());
    }

    [Fact]
    public async Task Dash_reads_standard_input_and_a_namespace_option_places_objects_as_kubectl_apply_n()
    {
        const string Text = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny}
            spec: {podSelector: {}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: b, namespace: other}
            """;
        var input = await KubernetesInputLoader.LoadAsync([KubernetesInputLoader.StandardInputPath],
            new KubernetesLoadOptions { Namespace = "shop", StandardInput = new StringReader(Text) });
        Assert.Equal("shop", input.Policies.Single().Object.Metadata.NamespaceProperty);
        Assert.Equal("a", input.Pods.Single().Object.Metadata.Name);
        Assert.Equal("stdin#3: Pod other/b: metadata.namespace: OVNK0012: line 12: the object's namespace 'other' is not the namespace given ('shop'), as kubectl refuses it",
            Assert.Single(input.LoadDiagnostics).ToString());

        // Without the option the policy is in 'default', with the warning kubectl users know.
        var unplaced = KubernetesCompiler.Compile(KubernetesInputLoader.LoadText(Text.Replace("namespace: other", "namespace: shop", StringComparison.Ordinal), "f.yaml"));
        Assert.Contains(unplaced.Diagnostics, d => d.Code == CompileDiagnosticCodes.MissingNamespace);
    }
}
