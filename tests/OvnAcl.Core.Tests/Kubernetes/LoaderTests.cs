using OvnAcl.Kubernetes;

namespace OvnAcl.Core.Tests.Kubernetes;

public sealed class LoaderTests
{
    [Fact]
    public void Yaml_documents_lists_and_json_load_with_their_sources()
    {
        var yaml = KubernetesInputLoader.LoadText("""
            # comment-only first document
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: p1, namespace: a}
            - apiVersion: networking.k8s.io/v1
              kind: NetworkPolicy
              metadata: {name: np, namespace: a}
              spec: {podSelector: {}}
            ---
            apiVersion: v1
            kind: PodList
            items:
            - metadata: {name: p2, namespace: a}
            ---
            """, "dir/x.yaml");
        Assert.Empty(yaml.LoadDiagnostics);
        Assert.Equal("dir/x.yaml#1", yaml.Namespaces.Single().Source!.ToString());
        Assert.Equal(["dir/x.yaml#2/items[0]", "dir/x.yaml#3/items[0]"], yaml.Pods.Select(p => p.Source!.ToString()));
        Assert.Equal("dir/x.yaml#2/items[1]", yaml.Policies.Single().Source!.ToString());

        var json = KubernetesInputLoader.LoadText("""
            {
            	"apiVersion": "v1", "kind": "List",
            	"items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}},
            	          {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "b"}, "spec": {"podSelector": {}, "ingress": [{}]}}]
            }
            """, "x.json");
        Assert.Empty(json.LoadDiagnostics);
        Assert.Equal("b", json.Namespaces.Single().Object.Metadata.Name);
        Assert.Single(json.Policies.Single().Object.Spec.Ingress);
    }

    [Fact]
    public void Unknown_kinds_versions_fields_and_bad_documents_are_located()
    {
        var input = KubernetesInputLoader.LoadText("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: s, namespace: a}
            ---
            apiVersion: networking.k8s.io/v1beta1
            kind: NetworkPolicy
            metadata: {name: old, namespace: a}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: typo, namespace: a}
            spec:
              podSelectr: {}
            ---
            key: [unclosed
            ---
            - just a list
            """, "m.yaml");
        Assert.Equal(
        [
            ("OVNK0003", "m.yaml#2", "NetworkPolicy a/old", "apiVersion"),
            ("OVNK0002", "m.yaml#3", "NetworkPolicy a/typo", "spec.podSelectr"),
            ("OVNK0002", "m.yaml#4", null, null),
            ("OVNK0002", "m.yaml#5", null, null),
            ("OVNK0009", "m.yaml", null, null), // the ConfigMap: skipped, one note
        ], input.LoadDiagnostics.Select(d => (d.Code, d.Location.Source!.ToString(), d.Location.Object, d.Location.Field)));
        Assert.Contains("line 13", input.LoadDiagnostics[1].Message, StringComparison.Ordinal);
        Assert.Contains("unknown field 'podSelectr'", input.LoadDiagnostics[1].Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticSeverity.Note, input.LoadDiagnostics[4].Severity);
        Assert.False(KubernetesCompiler.Compile(input).Succeeded);
    }

    [Fact]
    public async Task Directories_load_recursively_in_order_and_missing_paths_are_errors()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-k8s-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "sub"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "sub", "b.yml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "a.json"), """{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}""");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "notes.txt"), "ignored");
            var missing = Path.Combine(dir.FullName, "missing.yaml");
            var input = await KubernetesInputLoader.LoadAsync([dir.FullName, missing]);
            Assert.Equal(["a", "b"], input.Namespaces.Select(n => n.Object.Metadata.Name));
            var error = Assert.Single(input.LoadDiagnostics);
            Assert.Equal((CompileDiagnosticCodes.UnreadableInput, missing), (error.Code, error.Location.Source!.File));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
