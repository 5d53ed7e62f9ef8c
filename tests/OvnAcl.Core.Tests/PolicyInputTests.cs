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
    /// <summary>
    /// What <see cref="PolicyInput.Detect"/> reads through a small buffer (stopping at a top-level apiVersion or kind)
    /// must be what a whole JsonDocument says, at the buffer's edges too: keys and strings split across reads, a token
    /// longer than the buffer, a BOM, invalid text after a Neutron key, a nested key of the same name.
    /// </summary>
    [Fact]
    public void Detection_read_as_a_stream_answers_as_a_parsed_document_does()
    {
        var big = new string('x', 200_000);
        var pad = string.Join(",", Enumerable.Range(0, 9_000).Select(i => $"\"k{i}\":{i}"));
        string[] documents =
        [
            """{"ports":[]}""",
            "\uFEFF{\"security_groups\":[]}",
            "{" + pad + ",\"address_groups\":[]}",
            "{\"pad\":\"" + big + "\",\"ports\":[]}",
            "{\"p" + big + "\":1,\"ports\":[]}",
            "{\"a\":{\"ports\":[]},\"b\":[{\"security_groups\":1}]}",
            "{\"ports\":[]," + pad + ",}",
            """{"ports":[]} {"ports":[]}""",
            """{"ports":[]} x""",
            """{"po\u0072ts":[]}""",
            """[{"ports":[]}]""",
            """// c\n{"ports":[]}""",
            "",
            "   ",
            new string('[', 70) + new string(']', 70),
            "{\"ports\":" + new string('[', 70) + new string(']', 70) + "}",
            "{\"kind\":\"List\",\"items\":[{\"ports\":1}]," + pad + "}",
            "{\"ports\":[]," + pad + ",\"kind\":\"List\"}",
            """{"apiVersion":"v1","ports":[]}""",
            """{"apiVersion":"v1","items":[""",
        ];
        foreach (var text in documents)
        {
            var file = Path.Combine(Path.GetTempPath(), $"ovnacl-{Guid.NewGuid():N}.json");
            File.WriteAllText(file, text.StartsWith('\uFEFF') ? text[1..] : text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: text.StartsWith('\uFEFF')));
            try
            {
                Assert.Equal(Reference(file), PolicyInput.Detect([file]));
            }
            finally
            {
                File.Delete(file);
            }
        }

        static PolicyInputKind Reference(string file)
        {
            try
            {
                using var stream = File.OpenRead(file);
                using var document = System.Text.Json.JsonDocument.Parse(stream);
                var root = document.RootElement;
                return root.ValueKind == System.Text.Json.JsonValueKind.Object
                    && new[] { "security_groups", "ports", "address_groups" }.Any(k => root.TryGetProperty(k, out _))
                    && !root.TryGetProperty("apiVersion", out _) && !root.TryGetProperty("kind", out _)
                    ? PolicyInputKind.Neutron
                    : PolicyInputKind.Kubernetes;
            }
            catch (System.Text.Json.JsonException)
            {
                return PolicyInputKind.Kubernetes;
            }
        }
    }
}
