using OvnAcl.Core.Tests.Kubernetes;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>
/// Bad input, read from files through the real loaders and compilers (through <c>ovnacl compile</c>: tests/OvnAcl.Cli.Tests):
/// each gives its code at its file, object and field, and nothing is produced. The per-field validation table is
/// Kubernetes/ValidationTests and Neutron/NeutronValidationTests; this one covers what comes before and around it:
/// unparseable files, unknown kinds and fields, names, and one case of each validation family read from disk.
/// </summary>
/// <remarks>
/// Unknown fields are errors on both sides. Kubernetes documents are read strictly (as <c>kubectl apply
/// --validate=strict</c> does): <c>podSelecter</c> read as absent would select every pod of the namespace. A Neutron
/// security_group_rule field outside the API's attributes is an error too (the API answers "Unrecognized
/// attribute(s)"): <c>remote_ip_prefx</c> read as absent would admit every remote. Groups and ports keep ignoring
/// fields they do not need: API dumps carry dozens from extensions, and none widens a rule.
/// </remarks>
public sealed class BadInputTests : IDisposable
{
    private const string Policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}

        """;

    private const string Namespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}

        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ovnacl-bad-");

    public void Dispose() => _dir.Delete(recursive: true);

    public static TheoryData<string, string, string, string, string?, string?> KubernetesCases => new()
    {
        // file name, content, code, source, object, field
        { "unclosed.yaml", Policy + "  ingress: [{from: [unclosed\n", "OVNK0002", "unclosed.yaml#1", null, null },
        { "tabs.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", "OVNK0002", "tabs.yaml#1", null, null },
        { "truncated.json", """{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a" """, "OVNK0002", "truncated.json", null, null },
        { "array.json", "[1, 2]", "OVNK0002", "array.json", null, null },
        { "kind.yaml", "apiVersion: policy.networking.k8s.io/v1beta1\nkind: ClusterNetworkPolicy\nmetadata: {name: s}\n", "OVNK0008", "kind.yaml#1", "ClusterNetworkPolicy s", "apiVersion" },
        // Cluster-scoped policies: validated at compile, from their JSON, against the API's types and markers.
        { "anp-nospec.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n", "OVNK0401", "anp-nospec.yaml#1", "AdminNetworkPolicy s", "spec" },
        { "anp-priority.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1001, subject: {namespaces: {}}}\n", "OVNK0402", "anp-priority.yaml#1", "AdminNetworkPolicy s", "spec.priority" },
        { "anp-typo.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, ingres: []}\n", "OVNK0401", "anp-typo.yaml#1", "AdminNetworkPolicy s", "spec.ingres" },
        { "anp-subject.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}, pods: {namespaceSelector: {}, podSelector: {}}}}\n", "OVNK0401", "anp-subject.yaml#1", "AdminNetworkPolicy s", "spec.subject" },
        { "anp-action.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Accept, from: [{namespaces: {}}]}]}\n", "OVNK0403", "anp-action.yaml#1", "AdminNetworkPolicy s", "spec.ingress[0].action" },
        { "anp-nopeers.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: []}]}\n", "OVNK0401", "anp-nopeers.yaml#1", "AdminNetworkPolicy s", "spec.ingress[0].from" },
        { "anp-domains.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{domainNames: [example.com]}]}]}\n", "OVNK0405", "anp-domains.yaml#1", "AdminNetworkPolicy s", "spec.egress[0].to[0].domainNames" },
        { "anp-pass-networks.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Pass, to: [{namespaces: {}}]}, {action: Deny, to: [{networks: [10.0.0.0/8]}]}]}\n", "OVNK0409", "anp-pass-networks.yaml#1", "AdminNetworkPolicy s", "spec.egress[0]" },
        { "anp-passes.yaml", string.Concat(Enumerable.Range(0, 11).Select(i => "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n" +
            $"metadata: {{name: p{i}}}\nspec: {{priority: {i + 1}, subject: {{namespaces: {{}}}}, ingress: [{{action: Pass, from: [{{namespaces: {{matchLabels: {{n: v{i}}}}}}}]}}]}}\n---\n"))
            + "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny}\nspec: {priority: 50, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}\n",
            "OVNK0409", "anp-passes.yaml#12", "AdminNetworkPolicy deny", "spec.ingress[0]" },
        { "anp-named.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Allow, to: [{networks: [10.0.0.0/8]}], ports: [{namedPort: web}]}]}\n", "OVNK0406", "anp-named.yaml#1", "AdminNetworkPolicy s", "spec.egress[0].ports[0]" },
        { "anp-range.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Allow, from: [{namespaces: {}}], ports: [{portRange: {start: 90, end: 80}}]}]}\n", "OVNK0104", "anp-range.yaml#1", "AdminNetworkPolicy s", "spec.ingress[0].ports[0].portRange.end" },
        { "anp-cidr.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [10.0.0.0/33]}]}]}\n", "OVNK0101", "anp-cidr.yaml#1", "AdminNetworkPolicy s", "spec.egress[0].to[0].networks[0]" },
        { "anp-ingress-nodes.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" + "spec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{nodes: {}}]}]}\n", "OVNK0401", "anp-ingress-nodes.yaml#1", "AdminNetworkPolicy s", "spec.ingress[0].from[0].nodes" },
        { "banp-name.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: other}\nspec: {subject: {namespaces: {}}}\n", "OVNK0401", "banp-name.yaml#1", "BaselineAdminNetworkPolicy other", "metadata.name" },
        { "banp-pass.yaml", "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {}}]}]}\n", "OVNK0403", "banp-pass.yaml#1", "BaselineAdminNetworkPolicy default", "spec.ingress[0].action" },
        { "cnp-tier.yaml", "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec: {tier: Developer, priority: 1, subject: {namespaces: {}}}\n", "OVNK0401", "cnp-tier.yaml#1", "ClusterNetworkPolicy c", "spec.tier" },
        { "cnp-port.yaml", "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Accept, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {number: 0}}}]}]}\n", "OVNK0103", "cnp-port.yaml#1", "ClusterNetworkPolicy c", "spec.ingress[0].protocols[0].tcp.destinationPort.number" },
        { "cnp-limit.yaml", "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [" + string.Join(", ", Enumerable.Repeat("{action: Deny, from: [{namespaces: {}}]}", 26)) + "]}\n", "OVNK0404", "cnp-limit.yaml#1", "ClusterNetworkPolicy c", "spec.ingress" },
        { "nokind.yaml", "apiVersion: v1\nmetadata: {name: s}\n", "OVNK0003", "nokind.yaml#1", null, "kind" },
        { "version.yaml", Policy.Replace("networking.k8s.io/v1", "extensions/v1beta1", StringComparison.Ordinal), "OVNK0003", "version.yaml#1", "NetworkPolicy a/p", "apiVersion" },
        { "typo.yaml", Policy.Replace("podSelector", "podSelecter", StringComparison.Ordinal), "OVNK0002", "typo.yaml#1", "NetworkPolicy a/p", "spec.podSelecter" },
        { "deep-typo.yaml", Policy + "  ingress:\n  - ports: [{port: 80, protocl: UDP}]\n", "OVNK0002", "deep-typo.yaml#1", "NetworkPolicy a/p", "spec.ingress[0].ports[0].protocl" },
        { "mistyped.yaml", Policy + "  ingress: {from: []}\n", "OVNK0002", "mistyped.yaml#1", "NetworkPolicy a/p", "spec.ingress" },
        { "list.json", """{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "x", "namespace": "a"}, "spec": {"podSelecter": {}}}]}""",
            "OVNK0002", "list.json/items[0]", "NetworkPolicy a/x", "spec.podSelecter" },
        // Found by FuzzProperties: a List item whose apiVersion is an object threw InvalidOperationException.
        { "object-version.json", """{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": {"name": "p"}, "kind": "Pod"}]}""",
            "OVNK0002", "object-version.json/items[0]", null, "apiVersion" },
        { "number-kind.json", """{"apiVersion": "v1", "kind": 7, "metadata": {"name": "a"}}""", "OVNK0002", "number-kind.json", null, "kind" },
        { "cidr.yaml", Policy + "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/40}}]}]\n", "OVNK0101", "cidr.yaml#1", "NetworkPolicy a/p", "spec.egress[0].to[0].ipBlock.cidr" },
        { "except.yaml", Policy + "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]\n", "OVNK0102", "except.yaml#1", "NetworkPolicy a/p", "spec.egress[0].to[0].ipBlock.except[0]" },
        { "port.yaml", Policy + "  ingress: [{ports: [{port: 65536}]}]\n", "OVNK0103", "port.yaml#1", "NetworkPolicy a/p", "spec.ingress[0].ports[0].port" },
        { "endport.yaml", Policy + "  ingress: [{ports: [{port: 443, endPort: 80}]}]\n", "OVNK0104", "endport.yaml#1", "NetworkPolicy a/p", "spec.ingress[0].ports[0].endPort" },
        { "protocol.yaml", Policy + "  ingress: [{ports: [{protocol: ICMP}]}]\n", "OVNK0106", "protocol.yaml#1", "NetworkPolicy a/p", "spec.ingress[0].ports[0].protocol" },
        { "operator.yaml", Policy + "  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: team, operator: Contains, values: [x]}]}}]}]\n",
            "OVNK0107", "operator.yaml#1", "NetworkPolicy a/p", "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator" },
        { "long-namespace.yaml", Policy.Replace("namespace: a", "namespace: " + new string('n', 64), StringComparison.Ordinal),
            "OVNK0007", "long-namespace.yaml#1", $"NetworkPolicy {new string('n', 64)}/p", "metadata.namespace" },
        { "long-name.yaml", Policy.Replace("name: p,", "name: " + string.Join('.', Enumerable.Repeat(new string('x', 63), 4)) + ",", StringComparison.Ordinal),
            "OVNK0007", "long-name.yaml#1", $"NetworkPolicy a/{string.Join('.', Enumerable.Repeat(new string('x', 63), 4))}", "metadata.name" },
        { "upper-name.yaml", Policy.Replace("name: p,", "name: Web_Tier,", StringComparison.Ordinal), "OVNK0007", "upper-name.yaml#1", "NetworkPolicy a/Web_Tier", "metadata.name" },
        { "pod-name.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: -x, namespace: a}\nstatus: {podIP: 10.0.0.1}\n", "OVNK0007", "pod-name.yaml#1", "Pod a/-x", "metadata.name" },
        { "namespace-name.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n", "OVNK0007", "namespace-name.yaml#1", "Namespace a.b", "metadata.name" },
        { "deep.yaml", Policy + "  ingress: " + new string('[', 10_000) + new string(']', 10_000) + "\n", "OVNK0002", "deep.yaml#1", null, null },
    };

    [Theory]
    [MemberData(nameof(KubernetesCases))]
    public async Task Kubernetes_bad_input_is_located_and_nothing_is_compiled(string name, string content, string code, string source, string? obj, string? field)
    {
        var path = Write(name, content);
        var input = (await KubernetesInputLoader.LoadAsync([path, Write("namespace.yaml", Namespace)]))
            .Concat(KubernetesInput.FromObjects([], [], []));
        var result = KubernetesCompiler.Compile(input);

        Assert.Null(result.Rows);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal((code, Path.Combine(_dir.FullName, source), obj, field), (error.Code, error.Location.Source?.ToString(), error.Location.Object, error.Location.Field));
        Assert.Throws<AclCompileException>(result.GetRowsOrThrow);
    }

    [Fact]
    public void A_malformed_yaml_document_names_its_line_in_the_file_and_the_others_are_still_checked()
    {
        var input = KubernetesInputLoader.LoadText(Namespace + "---\n" + Policy + "---\nkind: [\n---\n" + Policy.Replace("name: p,", "name: q,", StringComparison.Ordinal)
            .Replace("podSelector", "podSelecter", StringComparison.Ordinal), "m.yaml");
        Assert.Equal(
        [
            ("OVNK0002", "m.yaml#3", null, null),
            ("OVNK0002", "m.yaml#4", "NetworkPolicy a/q", "spec.podSelecter"),
        ], input.LoadDiagnostics.Select(d => (d.Code, d.Location.Source!.ToString(), d.Location.Object, d.Location.Field)));
        Assert.StartsWith("not YAML at line 11:", input.LoadDiagnostics[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("line 17:", input.LoadDiagnostics[1].Message, StringComparison.Ordinal);
        Assert.Single(input.Policies);
        Assert.Null(KubernetesCompiler.Compile(input).Rows);
    }

    [Fact]
    public void An_acl_name_over_63_characters_is_shortened_with_a_warning_and_compiles()
    {
        var longName = string.Join('.', Enumerable.Repeat(new string('x', 60), 4));
        var input = KubernetesInputLoader.LoadText(Namespace + "---\n" + Policy.Replace("name: p,", $"name: {longName},", StringComparison.Ordinal)
            + "  ingress: [{from: [{podSelector: {}}]}]\n", "long.yaml");
        var result = KubernetesCompiler.Compile(input);

        Assert.NotNull(result.Rows);
        var warning = Assert.Single(result.Diagnostics, d => d.Code == CompileDiagnosticCodes.AclNameTruncated);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        var names = result.Rows.PortGroups.SelectMany(g => g.Acls).Select(a => a.Name).OfType<string>().ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.InRange(n.Length, 1, 63));
    }

    private const string Group = "7e6b0000-0000-4000-8000-000000000001";
    private const string Rule = "7e6b0001-0000-4000-8000-000000000001";

    private static string NeutronRule(string fields) =>
        $$"""{"security_groups": [{"id": "{{Group}}", "name": "web", "security_group_rules": [{"id": "{{Rule}}", "security_group_id": "{{Group}}", "direction": "ingress", "ethertype": "IPv4", {{fields}}}]}]}""";

    public static TheoryData<string, string, string?, string?> NeutronCases => new()
    {
        // content, code, object (kind id), field
        { """{"security_groups": [{"id": "g", """, "NEUT0002", null, null },
        { "[]", "NEUT0003", null, null },
        { """{"security_group": 1}""", "NEUT0004", "security_group", null },
        { NeutronRule("\"protocol\": \"tcpp\""), "NEUT0101", $"security_group_rule {Rule}", "protocol" },
        { NeutronRule("\"protocol\": \"tcp\", \"port_range_min\": 90, \"port_range_max\": 80"), "NEUT0106", $"security_group_rule {Rule}", "port_range_min" },
        { NeutronRule("\"protocol\": \"tcp\", \"port_range_min\": 1, \"port_range_max\": 65536"), "NEUT0102", $"security_group_rule {Rule}", "port_range_max" },
        { NeutronRule("\"remote_ip_prefix\": \"10.0.0.0/33\""), "NEUT0104", $"security_group_rule {Rule}", "remote_ip_prefix" },
        { NeutronRule("\"remote_ip_prefx\": \"10.0.0.0/8\""), "NEUT0007", $"security_group_rule {Rule}", "remote_ip_prefx" },
        { NeutronRule("\"protocol\": {\"name\": \"tcp\"}"), "NEUT0004", $"security_group_rule {Rule}", "protocol" },
    };

    [Theory]
    [MemberData(nameof(NeutronCases))]
    public void Neutron_bad_input_is_located_and_nothing_is_translated(string content, string code, string? obj, string? field)
    {
        var path = Write("groups.json", content);
        var result = NeutronTranslator.Translate(NeutronInput.Load([path]));

        Assert.Null(result.Rows);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        var location = error.Location!;
        Assert.Equal((code, path, obj, field),
            (error.Code, location.Source?.File, location.Object?.Split(" (")[0], location.Field));
    }

    [Fact]
    public void Every_attribute_neutrons_api_returns_for_a_rule_is_accepted()
    {
        var result = NeutronTranslator.Translate(NeutronInput.Parse(NeutronRule("""
            "protocol": null, "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": null,
            "remote_address_group_id": null, "normalized_cidr": null, "belongs_to_default_sg": false, "description": "",
            "project_id": "p", "tenant_id": "p", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
            "revision_number": 0, "tags": []
            """), "groups.json"));
        Assert.True(result.Succeeded, string.Join("; ", result.Diagnostics));
    }

    /// <summary>
    /// Found by fuzzing: System.Text.Json throws ArgumentException, not JsonException, on an unpaired surrogate, and it
    /// escaped the string entry points. Files never hold one (decoding replaces it), so this is not in the file corpus.
    /// </summary>
    [Fact]
    public void An_unpaired_surrogate_is_a_diagnostic_not_an_exception()
    {
        var kubernetes = KubernetesInputLoader.LoadText("{\"apiVersion\": \"v1\", \"kind\": \"Pod\uD800\"}", "s.json");
        Assert.Equal(("OVNK0002", "s.json"), (Assert.Single(kubernetes.LoadDiagnostics).Code, kubernetes.LoadDiagnostics[0].Location.Source!.File));

        var neutron = NeutronInput.Parse("{\"security_groups\": [{\"id\": \"\uD800\"}]}", "s.json");
        Assert.Equal(NeutronDiagnosticCodes.InvalidJson, Assert.Single(neutron.Diagnostics).Code);

        // YAML refuses the "\ud800" escape, but objects handed over in memory (an informer's) can carry one in the
        // acl-logging annotation, which is JSON.
        var logging = KubernetesCompiler.Compile(KubernetesInput.FromObjects([], [], [K8s.Namespace("a", aclLogging: "{\"deny\": \"\uD800\"}")]));
        Assert.True(logging.Succeeded);
        Assert.Equal(CompileDiagnosticCodes.InvalidAclLogging, Assert.Single(logging.Diagnostics).Code);
        var yaml = KubernetesInputLoader.LoadText("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, annotations: {x: \"\\ud800\"}}\n", "s.yaml");
        Assert.Equal(CompileDiagnosticCodes.UnparseableDocument, Assert.Single(yaml.LoadDiagnostics).Code);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
