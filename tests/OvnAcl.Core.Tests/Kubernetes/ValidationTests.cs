using OvnAcl.Kubernetes;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>Each invalid input gives its code at its place (file#document, object, field); all are reported together; nothing is compiled.</summary>
public sealed class ValidationTests
{
    private const string Head = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p, namespace: a}
        spec:
          podSelector: {}

        """;

    private static KubernetesCompileResult CompileText(string yaml, string file = "in.yaml")
    {
        var input = KubernetesInputLoader.LoadText(yaml, file)
            .Concat(KubernetesInput.FromObjects([], [], [K8s.Namespace("a")]));
        return KubernetesCompiler.Compile(input);
    }

    public static TheoryData<string, string, string> InvalidSpecs => new()
    {
        { "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]", CompileDiagnosticCodes.InvalidCidr, "spec.ingress[0].from[0].ipBlock.cidr" },
        { "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0}}]}]", CompileDiagnosticCodes.InvalidCidr, "spec.ingress[0].from[0].ipBlock.cidr" },
        { "  ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8, except: [bad]}}]}]", CompileDiagnosticCodes.InvalidCidr, "spec.ingress[0].from[1].ipBlock.except[0]" },
        { "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/16, 11.0.0.0/16]}}]}]", CompileDiagnosticCodes.ExceptOutsideCidr, "spec.ingress[0].from[0].ipBlock.except[1]" },
        { "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]", CompileDiagnosticCodes.ExceptOutsideCidr, "spec.ingress[0].from[0].ipBlock.except[0]" },
        { "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/64']}}]}]", CompileDiagnosticCodes.ExceptOutsideCidr, "spec.ingress[0].from[0].ipBlock.except[0]" },
        { "  ingress: [{ports: [{port: 0}]}]", CompileDiagnosticCodes.PortOutOfRange, "spec.ingress[0].ports[0].port" },
        { "  egress: [{ports: [{port: 80}, {port: 65536}]}]", CompileDiagnosticCodes.PortOutOfRange, "spec.egress[0].ports[1].port" },
        { "  ingress: [{ports: [{port: 80, endPort: 70000}]}]", CompileDiagnosticCodes.PortOutOfRange, "spec.ingress[0].ports[0].endPort" },
        { "  ingress: [{ports: [{port: 90, endPort: 80}]}]", CompileDiagnosticCodes.EndPortBelowPort, "spec.ingress[0].ports[0].endPort" },
        { "  ingress: [{ports: [{port: http, endPort: 80}]}]", CompileDiagnosticCodes.EndPortWithoutNumber, "spec.ingress[0].ports[0].endPort" },
        { "  ingress: [{ports: [{endPort: 80}]}]", CompileDiagnosticCodes.EndPortWithoutNumber, "spec.ingress[0].ports[0].endPort" },
        { "  ingress: [{ports: [{protocol: ICMP}]}]", CompileDiagnosticCodes.UnknownProtocol, "spec.ingress[0].ports[0].protocol" },
        { "  ingress: [{ports: [{protocol: tcp, port: 80}]}]", CompileDiagnosticCodes.UnknownProtocol, "spec.ingress[0].ports[0].protocol" },
        { "  ingress: [{ports: [{port: Not_A_Name}]}]", CompileDiagnosticCodes.InvalidPortName, "spec.ingress[0].ports[0].port" },
        { "  ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}}]}]", CompileDiagnosticCodes.InvalidSelectorOperator, "spec.ingress[0].from[0].podSelector.matchExpressions[0].operator" },
        { "  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: In}]}}]}]", CompileDiagnosticCodes.InvalidSelectorValues, "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values" },
        { "  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: NotIn, values: []}]}}]}]", CompileDiagnosticCodes.InvalidSelectorValues, "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values" },
        { "  ingress: [{from: [{podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}]}]", CompileDiagnosticCodes.InvalidSelectorValues, "spec.ingress[0].from[0].podSelector.matchExpressions[0].values" },
        { "  ingress: [{from: [{podSelector: {matchExpressions: [{key: '', operator: Exists}]}}]}]", CompileDiagnosticCodes.InvalidSelectorKey, "spec.ingress[0].from[0].podSelector.matchExpressions[0].key" },
        // The API server's label syntax, checked in every selector.
        { "  ingress: [{from: [{podSelector: {matchLabels: {\"a b\": x}}}]}]", CompileDiagnosticCodes.InvalidSelectorKey, "spec.ingress[0].from[0].podSelector.matchLabels.a b" },
        { "  ingress: [{from: [{podSelector: {matchExpressions: [{key: Example.com/a, operator: Exists}]}}]}]", CompileDiagnosticCodes.InvalidSelectorKey, "spec.ingress[0].from[0].podSelector.matchExpressions[0].key" },
        { "  ingress: [{from: [{podSelector: {matchLabels: {app: \"hello world\"}}}]}]", CompileDiagnosticCodes.InvalidSelectorValues, "spec.ingress[0].from[0].podSelector.matchLabels.app" },
        { "  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: a, operator: In, values: [-x]}]}}]}]", CompileDiagnosticCodes.InvalidSelectorValues, "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values[0]" },
        { "  policyTypes: [Ingress, Egress, Ingress]", CompileDiagnosticCodes.InvalidPolicyType, "spec.policyTypes" },
        { "  policyTypes: [Ingress, egress]", CompileDiagnosticCodes.InvalidPolicyType, "spec.policyTypes[1]" },
        { "  ingress: [{from: [{}]}]", CompileDiagnosticCodes.InvalidPeer, "spec.ingress[0].from[0]" },
        { "  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]", CompileDiagnosticCodes.InvalidPeer, "spec.egress[0].to[0]" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public void Each_invalid_spec_is_located(string specTail, string code, string field)
    {
        var result = CompileText(Head + specTail + "\n");
        Assert.Null(result.Rows);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal((code, "in.yaml#1", "NetworkPolicy a/p", field), (error.Code, error.Location.Source?.ToString(), error.Location.Object, error.Location.Field));
        Assert.Throws<AclCompileException>(() => result.GetRowsOrThrow());
    }

    [Fact]
    public void Every_error_of_every_document_is_reported_together_and_nothing_is_compiled()
    {
        var result = CompileText(Head + """
              ingress:
              - from: [{ipBlock: {cidr: 300.0.0.0/8}}]
                ports: [{port: 0}, {protocol: ICMP}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: fine, namespace: a}
            spec: {podSelector: {}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: q, namespace: a}
            spec:
              podSelector: {matchExpressions: [{key: x, operator: in, values: [y]}]}
            """);
        Assert.Null(result.Rows);
        Assert.Equal(
        [
            ("OVNK0101", "in.yaml#1", "spec.ingress[0].from[0].ipBlock.cidr"),
            ("OVNK0103", "in.yaml#1", "spec.ingress[0].ports[0].port"),
            ("OVNK0106", "in.yaml#1", "spec.ingress[0].ports[1].protocol"),
            ("OVNK0107", "in.yaml#3", "spec.podSelector.matchExpressions[0].operator"),
        ], result.Diagnostics.Where(d => d.IsError).Select(d => (d.Code, d.Location.Source!.ToString(), d.Location.Field!)));
        var exception = Assert.Throws<AclCompileException>(() => result.GetRowsOrThrow());
        Assert.Equal(result.Diagnostics, exception.Diagnostics);
        Assert.Contains("in.yaml#1: NetworkPolicy a/p: spec.ingress[0].ports[0].port: OVNK0103: port 0 is not within 1-65535", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_bits_cidr_is_a_warning_and_reads_as_its_network()
    {
        var result = CompileText(Head + "  ingress: [{from: [{ipBlock: {cidr: 10.0.0.1/24}}]}]\n");
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((CompileDiagnosticCodes.CidrHostBits, DiagnosticSeverity.Warning), (warning.Code, warning.Severity));
        Assert.Equal(["10.0.0.0/24"], Assert.Single(result.Rows!.AddressSets).Addresses);
    }

    [Fact]
    public void Objects_in_a_namespace_not_given_are_a_warning_once_per_namespace()
    {
        var result = KubernetesCompiler.Compile(KubernetesInputLoader.LoadText(Head.Replace("namespace: a", "namespace: b", StringComparison.Ordinal), "in.yaml")
            .Concat(KubernetesInput.FromObjects([], [K8s.Pod("b", "x", "a=b", "10.0.0.1"), K8s.Pod("b", "y", "a=b", "10.0.0.2")], [])));
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal((CompileDiagnosticCodes.NamespaceNotGiven, "NetworkPolicy b/p", "metadata.namespace"), (warning.Code, warning.Location.Object, warning.Location.Field));
        Assert.Equal("in.yaml#1: NetworkPolicy b/p: metadata.namespace: OVNK0201: warning: namespace 'b' is not among the Namespaces given: only its label kubernetes.io/metadata.name=b is known to namespaceSelectors",
            warning.ToString());
    }

    [Fact]
    public void Missing_names_duplicates_and_missing_namespaces()
    {
        var result = CompileText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {namespace: a}
            spec: {podSelector: {}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: twice, namespace: a}
            spec: {podSelector: {}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: twice, namespace: a}
            spec: {podSelector: {}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: nons}
            """);
        Assert.Equal(
        [
            ("OVNK0004", DiagnosticSeverity.Error, "in.yaml#1", "metadata.name"),
            ("OVNK0006", DiagnosticSeverity.Error, "in.yaml#3", (string?)null),
            ("OVNK0005", DiagnosticSeverity.Warning, "in.yaml#4", "metadata.namespace"),
            ("OVNK0201", DiagnosticSeverity.Warning, "in.yaml#4", "metadata.namespace"),
        ], result.Diagnostics.Select(d => (d.Code, d.Severity, d.Location.Source!.ToString(), d.Location.Field)));
    }
}
