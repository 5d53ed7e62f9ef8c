using OvnAcl.Kubernetes;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests;

public sealed class PolicyCompilerTests
{
    private static string Sample(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "samples")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("samples/ not found above the test output"), "samples", relative);
    }

    [Fact]
    public async Task Kubernetes_samples_compile_to_the_compilers_rows_with_their_object_counts()
    {
        var path = Sample("kubernetes/three-tier");
        var compilation = await PolicyCompiler.CompileAsync([path]);

        var input = await KubernetesInputLoader.LoadAsync([path]);
        Assert.Equal(PolicyInputKind.Kubernetes, compilation.Kind);
        Assert.Equal(KubernetesCompiler.CompileOrThrow(input), compilation.GetRowsOrThrow());
        Assert.Equal<KeyValuePair<string, int>>(
            [new("NetworkPolicy", input.Policies.Length), new("Pod", input.Pods.Length), new("Namespace", input.Namespaces.Length),
                new("Node", input.Nodes.Length), new("ClusterPolicy", input.ClusterPolicies.Length)],
            compilation.ObjectCounts);
        Assert.Equal(input.Policies.Length + input.Pods.Length + input.Namespaces.Length + input.ClusterPolicies.Length, compilation.ObjectCount);
        Assert.True(input.Policies.Length > 0 && input.Pods.Length > 0);
    }

    [Fact]
    public async Task Neutron_samples_compile_to_the_translators_rows_counting_rules_with_their_groups()
    {
        var path = Sample("neutron/three-tier");
        var compilation = await PolicyCompiler.CompileAsync([path]);

        var input = NeutronInput.Load([path]);
        Assert.Equal(PolicyInputKind.Neutron, compilation.Kind);
        Assert.Equal(NeutronTranslator.Translate(input).GetRowsOrThrow(), compilation.GetRowsOrThrow());
        var counts = compilation.ObjectCounts.ToDictionary();
        Assert.Equal(input.SecurityGroups.Sum(g => g.Rules.Count), counts[NeutronObjectKinds.SecurityGroupRule]);
        Assert.Equal(input.SecurityGroups.Count + input.Ports.Count + input.AddressGroups.Count, compilation.ObjectCount);
        Assert.True(counts[NeutronObjectKinds.SecurityGroupRule] > 0);
    }

    [Fact]
    public async Task A_directory_without_objects_compiles_to_no_rows_worth_writing_and_says_it_read_nothing()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-empty-");
        try
        {
            var compilation = await PolicyCompiler.CompileAsync([dir.FullName]);
            Assert.Equal(0, compilation.ObjectCount);
            Assert.Empty(compilation.Diagnostics);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Errors_of_either_kind_are_one_diagnostic_type_and_one_exception()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-bad-");
        try
        {
            var neutron = Path.Combine(dir.FullName, "groups.json");
            await File.WriteAllTextAsync(neutron, """{"security_groups": [{"id": "g1", "security_group_rules": [{"id": "r1", "direction": "sideways"}]}]}""");
            var compilation = await PolicyCompiler.CompileAsync([neutron]);
            Assert.Null(compilation.Rows);
            var error = Assert.Single(compilation.Diagnostics, d => d.IsError);
            Assert.Equal($"{neutron}: security_group_rule r1 (security_group g1): direction: NEUT0100: ", error.ToString()[..(error.ToString().IndexOf("NEUT0100: ", StringComparison.Ordinal) + 10)]);
            var thrown = Assert.Throws<AclCompileException>(compilation.GetRowsOrThrow);
            Assert.Contains(error, thrown.Diagnostics);

            var kubernetes = Path.Combine(dir.FullName, "bad.yaml");
            await File.WriteAllTextAsync(kubernetes, "kind: NetworkPolicy\napiVersion: networking.k8s.io/v2\nmetadata: {name: x}\n");
            compilation = await PolicyCompiler.CompileAsync([kubernetes]);
            Assert.Equal(CompileDiagnosticCodes.UnknownKind, Assert.Single(compilation.Diagnostics, d => d.IsError).Code);
            Assert.Throws<AclCompileException>(compilation.GetRowsOrThrow);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
