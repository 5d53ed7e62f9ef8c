using System.Diagnostics;
using System.Text;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>
/// Large input: a 10,000-rule policy or security group compiles (OVN sets no limit on ACLs per port group, so neither
/// does the compiler), a ~50 MB manifest loads within a bounded memory, and 50 MB of garbage is refused at once with
/// the file and the place. Inputs are generated in a temp dir; each test takes a few seconds.
/// </summary>
public sealed class ScaleTests : IDisposable
{
    // Each takes 1-3 s alone; the bound is generous because the suite runs test classes in parallel on few cores
    // (one took 37 s at load 18 with other work on the machine). What it catches is quadratic behaviour or a hang, not a slow run.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);
    private const long MemoryBound = 2L << 30;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ovnacl-scale-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task A_ten_thousand_rule_network_policy_compiles_in_bounded_time()
    {
        var yaml = new StringBuilder("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: a}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: big, namespace: a}
            spec:
              podSelector: {}
              ingress:

            """);
        for (var i = 0; i < 10_000; i++)
        {
            yaml.Append($"  - from: [{{ipBlock: {{cidr: 10.{i / 256}.{i % 256}.0/24}}}}]\n    ports: [{{port: {1 + (i % 60_000)}}}]\n");
        }

        var path = Path.Combine(_dir.FullName, "big.yaml");
        await File.WriteAllTextAsync(path, yaml.ToString());
        var watch = Stopwatch.StartNew();
        var result = KubernetesCompiler.Compile(await KubernetesInputLoader.LoadAsync([path]));
        watch.Stop();

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Take(5)));
        Assert.True(result.Rows!.PortGroups.Sum(g => g.Acls.Count) >= 10_000);
        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_ten_thousand_rule_security_group_translates_in_bounded_time()
    {
        const string group = "7e6b0000-0000-4000-8000-000000000001";
        var rules = Enumerable.Range(0, 10_000).Select(i =>
            $$"""{"id": "7e6b0001-0000-4000-8000-{{i:D12}}", "security_group_id": "{{group}}", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": {{1 + i}}, "port_range_max": {{1 + i}}, "remote_ip_prefix": "10.{{i / 256}}.{{i % 256}}.0/24"}""");
        var json = $$"""
            {"security_groups": [{"id": "{{group}}", "name": "big", "security_group_rules": [{{string.Join(",\n", rules)}}]}],
             "ports": [{"id": "p1", "security_groups": ["{{group}}"], "port_security_enabled": true, "mac_address": "fa:16:3e:00:00:01", "fixed_ips": [{"ip_address": "10.0.0.1"}]}]}
            """;
        var watch = Stopwatch.StartNew();
        var result = NeutronTranslator.Translate(NeutronInput.Parse(json, "big.json"));
        watch.Stop();

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Items.Take(5)));
        Assert.Equal(10_000, result.Rows!.PortGroups.Single(g => g.Name.StartsWith("pg_7e6b", StringComparison.Ordinal)).Acls.Count);
        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
    }

    /// <summary>
    /// Many documents in one file. (The same 50 MB as one JSON List loads too, but three times slower: each item is
    /// re-serialized and read by the YAML deserializer: a speed-up left for later.)
    /// </summary>
    [Fact]
    public async Task A_fifty_megabyte_manifest_loads_and_compiles_within_bounded_memory_and_time()
    {
        var path = Path.Combine(_dir.FullName, "pods.yaml");
        var annotation = new string('x', 4_000);
        await using (var writer = new StreamWriter(path))
        {
            await writer.WriteAsync("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web, namespace: a}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]

                """);
            for (var i = 0; i < 12_000; i++)
            {
                await writer.WriteAsync($"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: a\n  labels: {{app: {(i % 2 == 0 ? "web" : "client")}}}\n  annotations: {{note: {annotation}}}\nstatus: {{podIP: 10.{i / 65536}.{i / 256 % 256}.{i % 256}}}\n");
            }
        }

        Assert.InRange(new FileInfo(path).Length, 45_000_000, 60_000_000);
        var watch = Stopwatch.StartNew();
        var result = KubernetesCompiler.Compile(await KubernetesInputLoader.LoadAsync([path]));
        watch.Stop();

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Where(d => d.IsError).Take(5)));
        Assert.Equal(6_000, result.Rows!.PortGroups.Single(g => g.Name.Contains("_np_a_web", StringComparison.Ordinal)).Ports.Count);
        using var process = Process.GetCurrentProcess();
        Assert.True(process.PeakWorkingSet64 < MemoryBound, $"peak working set {process.PeakWorkingSet64 >> 20} MB");
        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Fifty_megabytes_of_garbage_yaml_are_refused_quickly_naming_the_file_and_line()
    {
        var path = await GarbageAsync("garbage.yaml");
        var watch = Stopwatch.StartNew();
        var input = await KubernetesInputLoader.LoadAsync([path]);
        watch.Stop();

        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
        Assert.Null(KubernetesCompiler.Compile(input).Rows);
        var error = input.LoadDiagnostics.First(d => d.IsError);
        Assert.Equal((CompileDiagnosticCodes.UnparseableDocument, path), (error.Code, error.Location.Source!.File));
        Assert.Matches("^not YAML at line \\d+: ", error.Message);
    }

    /// <summary>The Kubernetes loader's JSON path fails in the same System.Text.Json call, at the same byte.</summary>
    [Fact]
    public async Task Fifty_megabytes_of_garbage_json_are_refused_quickly_naming_the_file_and_byte()
    {
        var path = await GarbageAsync("garbage.json");
        var watch = Stopwatch.StartNew();
        var input = NeutronInput.Load([path]);
        watch.Stop();

        Assert.True(watch.Elapsed < Budget, $"took {watch.Elapsed}");
        Assert.Null(NeutronTranslator.Translate(input).Rows);
        var error = Assert.Single(input.Diagnostics);
        Assert.Equal((NeutronDiagnosticCodes.InvalidJson, path), (error.Code, error.Location.Source!.File));
        Assert.Matches("LineNumber: \\d+ \\| BytePositionInLine: \\d+", error.Message);
    }

    private async Task<string> GarbageAsync(string name)
    {
        var path = Path.Combine(_dir.FullName, name);
        var bytes = new byte[50 << 20];
        new Random(7047).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }
}
