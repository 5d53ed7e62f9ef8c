using System.Text.Json;
using OvnAcl.Testing;

namespace OvnAcl.Cli.Tests;

/// <summary>The commands that need no database: <c>compile</c>, <c>explain INPUT</c>, <c>match</c>, and how each refuses bad input.</summary>
public sealed class OfflineTests : IDisposable
{
    private static readonly string Kubernetes = Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier");
    private static readonly string Neutron = Path.Combine(Repository.Root, "samples", "neutron", "three-tier");
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ovnacl-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Compile_writes_json_by_default_and_the_other_formats_on_request()
    {
        var json = await Cli.RunAsync("compile", Kubernetes);
        Assert.True(json.Succeeded, json.Describe());
        using (var document = JsonDocument.Parse(json.Stdout))
        {
            var groups = document.RootElement.GetProperty("port_groups");
            Assert.Equal(7, groups.GetArrayLength());
            Assert.All(groups.EnumerateArray(), g => Assert.Equal("ovnacl", g.GetProperty("external_ids").GetProperty("owner-controller").GetString()));
            Assert.Equal(4, document.RootElement.GetProperty("address_sets").GetArrayLength());
        }

        // The golden file users read is what compile prints.
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "tests", "OvnAcl.Core.Tests", "Kubernetes", "Golden", "three-tier.json")), json.Stdout);

        var table = await Cli.RunAsync("compile", "--format", "table", "--controller", "mine", Kubernetes);
        Assert.True(table.Succeeded, table.Describe());
        Assert.StartsWith("Port group mine_np_three_tier_", table.Stdout, StringComparison.Ordinal);

        var nbctl = await Cli.RunAsync("compile", "-f", "NBCTL", Neutron);
        Assert.True(nbctl.Succeeded, nbctl.Describe());
        Assert.Contains("ovn-nbctl", nbctl.Stdout, StringComparison.Ordinal);
        Assert.Contains("neutron_pg_drop", nbctl.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_through_a_service_vip_names_the_service_and_each_backend()
    {
        var sample = Path.Combine(Repository.Root, "samples", "kubernetes", "kube-dns");
        var byVip = await Cli.RunAsync("explain", "--from", "default/foo", "--to", "10.96.0.10", "-p", "udp", "--port", "53", sample);
        Assert.Equal(0, byVip.ExitCode);
        Assert.StartsWith("allow: udp 10.96.0.10:53 is Service kube-system/kube-dns", byVip.Stdout, StringComparison.Ordinal);
        Assert.Contains("allowed to all 2 backends", byVip.Stdout, StringComparison.Ordinal);
        var metrics = await Cli.RunAsync("explain", "--from", "default/foo", "--to", "service/kube-system/kube-dns", "-p", "tcp", "--port", "9153", "--json", sample);
        Assert.Equal(0, metrics.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(metrics.Stdout);
        Assert.Equal(("deny", 0), (json.RootElement.GetProperty("verdict").GetString(), json.RootElement.GetProperty("load_balancer").GetProperty("allowed_backends").GetInt32()));
    }

    [Fact]
    public async Task Explain_of_the_guardrails_sample_names_the_cluster_policy_rule_that_decided()
    {
        var sample = Path.Combine(Repository.Root, "samples", "admin-policy");
        var cross = await Cli.RunAsync("explain", "--from", "tenant-b/web", "--to", "tenant-a/web", "-p", "tcp", "--port", "8080", sample);
        Assert.Equal(0, cross.ExitCode);
        Assert.StartsWith("deny: ", cross.Stdout, StringComparison.Ordinal);
        Assert.Contains("dropped by: AdminNetworkPolicy deny-cross-tenant (Admin tier), ingress rule 0 'from-any-tenant'", cross.Stdout, StringComparison.Ordinal);

        // Passed inside the tenant, then decided by the tenant's own NetworkPolicy.
        // The flattened rows (the default, OVN 23.03) have no pass ACL: the Pass is named from the tiered rows of the
        // same input; with --target 23.06 from the decision's own pass ACL. Both say it the same way.
        const string passed = "passed by: AdminNetworkPolicy tenant-a-owns-its-traffic (Admin tier), ingress rule 0 'from-own-tenant' [to-lport]: on to the NetworkPolicy tier\n"
            + "allowed by: NetworkPolicy tenant-a/db-from-web, ingress rule 0";
        foreach (var target in (string[])["23.03", "23.06"])
        {
            var own = await Cli.RunAsync("explain", "--target", target, "--from", "tenant-a/web", "--to", "tenant-a/db", "-p", "tcp", "--port", "5432", sample);
            Assert.True(own.Succeeded, own.Describe());
            Assert.Contains(passed, own.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.Equal(target == "23.06", own.Stdout.Contains(", tier 1, pass)", StringComparison.Ordinal));
            var json = await Cli.RunAsync("explain", "--json", "--target", target, "--from", "tenant-a/web", "--to", "tenant-a/db", "-p", "tcp", "--port", "5432", sample);
            using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
            var pass = Assert.Single(doc.RootElement.GetProperty("passed_by").EnumerateArray());
            Assert.Equal(("to-lport", "tenant-a-owns-its-traffic", 0),
                (pass.GetProperty("stage").GetString(), pass.GetProperty("owner").GetString(), pass.GetProperty("rule_index").GetInt32()));
        }

        // Denied across tenants before any Pass: none is named.
        Assert.DoesNotContain("passed by:", cross.Stdout, StringComparison.Ordinal);

        var dns = await Cli.RunAsync("explain", "--from", "tenant-b/api", "--to", "kube-system/coredns", "-p", "udp", "--port", "53", sample);
        Assert.Contains("allowed by: AdminNetworkPolicy allow-dns (Admin tier), egress rule 0 'to-coredns', port dns/UDP=53", dns.Stdout, StringComparison.Ordinal);

        var baseline = await Cli.RunAsync("explain", "--from", "tenant-b/web", "--to", "tenant-b/api", "-p", "tcp", "--port", "9000", sample);
        Assert.Contains("dropped by: BaselineAdminNetworkPolicy default (Baseline tier), ingress rule 1 'deny-the-rest'", baseline.Stdout, StringComparison.Ordinal);
        Assert.Contains("passed by: AdminNetworkPolicy tenant-b-owns-its-traffic (Admin tier)", baseline.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Through a Service VIP too, explain names the Pass the connection went through: the backend shown is decided again
    /// on the tiered rows through the same load balancer (the flattened rows have no pass ACL to name).
    /// </summary>
    [Fact]
    public async Task Explain_through_a_service_vip_names_the_pass_it_went_through()
    {
        var dir = Directory.CreateTempSubdirectory("ovnacl-vip-pass-");
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "samples", "admin-policy"), "*.yaml"))
            {
                File.Copy(file, Path.Combine(dir.FullName, Path.GetFileName(file)));
            }

            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "service.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: tenant-a}
                spec:
                  clusterIP: 10.96.0.50
                  selector: {app: db}
                  ports: [{name: postgres, port: 5432, targetPort: 5432, protocol: TCP}]
                """);
            foreach (var target in (string[])["23.03", "23.06"])
            {
                var own = await Cli.RunAsync("explain", "--target", target, "--from", "tenant-a/web", "--to", "service/tenant-a/db", "-p", "tcp", "--port", "5432", dir.FullName);
                Assert.True(own.Succeeded, own.Describe());
                Assert.Contains("passed by: AdminNetworkPolicy tenant-a-owns-its-traffic (Admin tier), ingress rule 0 'from-own-tenant' [to-lport]: on to the NetworkPolicy tier",
                    own.Stdout, StringComparison.Ordinal);
                Assert.Contains("allowed by: NetworkPolicy tenant-a/db-from-web", own.Stdout, StringComparison.Ordinal);
            }

            var cross = await Cli.RunAsync("explain", "--from", "tenant-b/web", "--to", "service/tenant-a/db", "-p", "tcp", "--port", "5432", dir.FullName);
            Assert.True(cross.Succeeded, cross.Describe());
            Assert.Contains("dropped by: AdminNetworkPolicy deny-cross-tenant", cross.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("passed by:", cross.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Compile_target_chooses_acl_tiers_or_the_flattened_form()
    {
        var sample = Path.Combine(Repository.Root, "samples", "admin-policy");
        var tiered = await Cli.RunAsync("compile", "--target", "23.06", "-f", "table", sample);
        Assert.True(tiered.Succeeded, tiered.Describe());
        Assert.Contains("tier 1  29999     pass    ANP:tenant-a-owns-its-traffic:ingress:from-own-tenant", tiered.Stdout, StringComparison.Ordinal);
        var schema = await Cli.RunAsync("compile", "--target", "7.0.4", "-f", "nbctl", sample);
        Assert.Contains("tier=1", schema.Stdout, StringComparison.Ordinal);
        foreach (var flat in (string[])["23.03", "7.0.0"])
        {
            var rows = await Cli.RunAsync("compile", "--target", flat, "-f", "table", sample);
            Assert.True(rows.Succeeded, rows.Describe());
            Assert.DoesNotContain(" pass ", rows.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("!(", rows.Stdout, StringComparison.Ordinal); // the sample's Passes are taken out by selector complements: nothing negated
        }

        var bad = await Cli.RunAsync("compile", "--target", "latest", sample);
        Assert.Equal((1, ""), (bad.ExitCode, bad.Stdout));
        Assert.Contains("--target: 'latest' is neither an OVN release (23.03, 23.06) nor an NB schema version (7.0.0, 7.0.4)", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compile_refuses_bad_options_naming_the_option()
    {
        var format = await Cli.RunAsync("compile", "--format", "yaml", Kubernetes);
        Assert.Equal((1, ""), (format.ExitCode, format.Stdout));
        Assert.Contains("--format: unknown format 'yaml': use json, nbctl or table", format.Stderr, StringComparison.Ordinal);

        var controller = await Cli.RunAsync("compile", "--controller", " ", Kubernetes);
        Assert.Equal(1, controller.ExitCode);
        Assert.Contains("--controller needs a name", controller.Stderr, StringComparison.Ordinal);

        var ns = await Cli.RunAsync("compile", "-n", "", Kubernetes);
        Assert.Equal(1, ns.ExitCode);
        Assert.Contains("--namespace needs a name", ns.Stderr, StringComparison.Ordinal);

        var missing = await Cli.RunAsync("compile", Path.Combine(_dir.FullName, "nothing-here"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("OVNK0001", missing.Stderr, StringComparison.Ordinal);

        var none = await Cli.RunAsync("compile");
        Assert.Equal(1, none.ExitCode);
        Assert.NotEqual("", none.Stderr);
    }

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

    private const string Group = "7e6b0000-0000-4000-8000-000000000001";
    private const string Rule = "7e6b0001-0000-4000-8000-000000000001";

    [Fact]
    public async Task Compile_prints_file_object_field_and_code_exits_1_and_writes_no_rows()
    {
        var typo = Write("typo.yaml", Namespace + "---\n" + Policy.Replace("podSelector", "podSelecter", StringComparison.Ordinal));
        var name = Write("name.yaml", Policy.Replace("namespace: a", "namespace: Shop", StringComparison.Ordinal));
        var neutron = Write("groups.json",
            $$"""{"security_groups": [{"id": "{{Group}}", "name": "web", "security_group_rules": [{"id": "{{Rule}}", "security_group_id": "{{Group}}", "direction": "ingress", "ethertype": "IPv4", "remote_ip_prefix": "10.0.0.0/33"}]}]}""");

        var kubernetes = await Cli.RunAsync("compile", typo, name);
        Assert.Equal((1, ""), (kubernetes.ExitCode, kubernetes.Stdout));
        Assert.Contains($"{typo}#2: NetworkPolicy a/p: spec.podSelecter: OVNK0002: line 9: unknown field 'podSelecter'", kubernetes.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{name}#1: NetworkPolicy Shop/p: metadata.namespace: OVNK0007: 'Shop' is not a DNS-1123 label", kubernetes.Stderr, StringComparison.Ordinal);

        var translated = await Cli.RunAsync("compile", neutron);
        Assert.Equal((1, ""), (translated.ExitCode, translated.Stdout));
        Assert.Contains($"{neutron}: security_group_rule {Rule} (security_group {Group}): remote_ip_prefix: NEUT0104", translated.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_offline_answers_in_text_and_json_and_the_matrix_covers_every_pair()
    {
        var deny = await Cli.RunAsync("explain", "--from", "three-tier/web-1", "--to", "three-tier/db-1", "-p", "tcp", "--port", "5432", Kubernetes);
        Assert.True(deny.Succeeded, deny.Describe());
        Assert.StartsWith("deny: tcp 10.244.0.11:40000 -> 10.244.0.31:5432 from three-tier_web-1 to three-tier_db-1", deny.Stdout, StringComparison.Ordinal);
        Assert.Contains("dropped by: namespace three-tier's ingress default deny", deny.Stdout, StringComparison.Ordinal);

        var allow = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "tcp", "--port", "5432", "--json", Kubernetes);
        Assert.True(allow.Succeeded, allow.Describe());
        using (var document = JsonDocument.Parse(allow.Stdout))
        {
            Assert.Equal("allow", document.RootElement.GetProperty("verdict").GetString());
            Assert.Equal("kubernetes", document.RootElement.GetProperty("input").GetString());
            Assert.Equal("pod", document.RootElement.GetProperty("endpoints").GetProperty("from").GetProperty("kind").GetString());
            Assert.True(document.RootElement.GetProperty("endpoints").GetProperty("to").TryGetProperty("port_security", out _));
            Assert.Equal(5432, document.RootElement.GetProperty("packet").GetProperty("dst_port").GetInt32());
            var decided = Assert.Single(document.RootElement.GetProperty("decided_by").EnumerateArray().ToList());
            Assert.Equal(("to-lport", "NetworkPolicy", "three-tier/db"),
                (decided.GetProperty("stage").GetString(), decided.GetProperty("owner_type").GetString(), decided.GetProperty("owner").GetString()));
        }

        var matrix = await Cli.RunAsync("explain", "--matrix", "-p", "tcp", "--port", "5432", "--json", Kubernetes);
        Assert.True(matrix.Succeeded, matrix.Describe());
        using (var document = JsonDocument.Parse(matrix.Stdout))
        {
            Assert.True(document.RootElement.GetProperty("switches").GetArrayLength() > 0);
            Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("left_out").ValueKind);
        }

        var icmp = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "icmp", Kubernetes);
        Assert.True(icmp.Succeeded, icmp.Describe());
    }

    [Fact]
    public async Task Explain_refuses_what_makes_no_sense_naming_the_option()
    {
        var noPort = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "tcp", Kubernetes);
        Assert.Equal((1, ""), (noPort.ExitCode, noPort.Stdout));
        Assert.Contains("--protocol tcp needs --port N", noPort.Stderr, StringComparison.Ordinal);

        var icmpPort = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "icmp", "--port", "1", Kubernetes);
        Assert.Equal(1, icmpPort.ExitCode);
        Assert.Contains("--port makes no sense with --protocol icmp", icmpPort.Stderr, StringComparison.Ordinal);

        var negative = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "udp", "--port", "-1", Kubernetes);
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("--port: must be 0 to 65535, not -1", negative.Stderr, StringComparison.Ordinal);

        var word = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", "-p", "udp", "--port", "dns", Kubernetes);
        Assert.Equal(1, word.ExitCode);
        Assert.Contains("--port: takes a port number from 0 to 65535, not 'dns'", word.Stderr, StringComparison.Ordinal);

        var noProtocol = await Cli.RunAsync("explain", "--from", "three-tier/bl-1", "--to", "three-tier/db-1", Kubernetes);
        Assert.Equal(1, noProtocol.ExitCode);
        Assert.Contains("--protocol", noProtocol.Stderr, StringComparison.Ordinal);

        var matrixFrom = await Cli.RunAsync("explain", "--matrix", "--from", "three-tier/bl-1", "-p", "icmp", Kubernetes);
        Assert.Equal(1, matrixFrom.ExitCode);
        Assert.Contains("--matrix asks about every pair; leave out --from and --to", matrixFrom.Stderr, StringComparison.Ordinal);

        var unknownPod = await Cli.RunAsync("explain", "--from", "three-tier/nope", "--to", "three-tier/db-1", "-p", "icmp", Kubernetes);
        Assert.Equal(1, unknownPod.ExitCode);
        Assert.StartsWith("ovnacl: error: ", unknownPod.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Match_prints_the_canonical_form_or_the_error_at_its_place()
    {
        var valid = await Cli.RunAsync("match", "ip4.src==10.0.0.1&&tcp");
        Assert.True(valid.Succeeded, valid.Describe());
        Assert.Equal("ip4.src == 10.0.0.1 && tcp" + Environment.NewLine, valid.Stdout);

        var invalid = await Cli.RunAsync("match", "ip4.src == ");
        Assert.Equal((1, ""), (invalid.ExitCode, invalid.Stdout));
        Assert.Contains("^", invalid.Stderr, StringComparison.Ordinal);

        var json = await Cli.RunAsync("match", "--json", "tcp.dst == 99999");
        Assert.Equal(1, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.False(document.RootElement.GetProperty("valid").GetBoolean());
        var diagnostic = document.RootElement.GetProperty("diagnostics")[0];
        Assert.StartsWith("OVNM", diagnostic.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, diagnostic.GetProperty("line").GetInt32());
        Assert.True(diagnostic.TryGetProperty("offset", out _));

        var ok = await Cli.RunAsync("match", "--json", "ip4 && ip4.src == $as");
        Assert.True(ok.Succeeded, ok.Describe());
        Assert.Contains("\"canonical\": \"ip4 && ip4.src == $as\"", ok.Stdout, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
