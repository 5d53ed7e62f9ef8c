namespace OvnAcl.Core.Tests;

public sealed class PolicyInputTests
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
    public void Neutron_api_json_and_kubernetes_manifests_are_told_apart()
    {
        Assert.Equal(PolicyInputKind.Neutron, PolicyInput.Detect([Sample("neutron/three-tier")]));
        Assert.Equal(PolicyInputKind.Neutron, PolicyInput.Detect([Sample("neutron/three-tier/ports.json")]));
        Assert.Equal(PolicyInputKind.Kubernetes, PolicyInput.Detect([Sample("kubernetes/three-tier")]));
    }

    [Fact]
    public void Mixed_inputs_are_refused_naming_one_file_of_each_kind()
    {
        var error = Assert.Throws<OvnAclException>(() => PolicyInput.Detect([Sample("neutron/three-tier"), Sample("kubernetes/three-tier")]));
        Assert.Contains("address-groups.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("namespace.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubernetes_list_in_json_is_not_mistaken_for_neutron()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ovnacl-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod","metadata":{"name":"ports"}}]}""");
        try
        {
            Assert.Equal(PolicyInputKind.Kubernetes, PolicyInput.Detect([file]));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
