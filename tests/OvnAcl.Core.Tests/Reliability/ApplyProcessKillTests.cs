using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>
/// The reconciler process itself dies: <c>ovnacl apply</c> of a large input, sent in many transactions, is SIGKILLed
/// after a few commits; a second run must finish the job from what the database holds, with nothing missing,
/// nothing extra and nothing twice, and other owners' rows untouched.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class ApplyProcessKillTests(StandaloneNbFixture fixture, ITestOutputHelper output)
{
    private const string Controller = "bulk";
    private const int Pods = 400;
    private const int Policies = 600;

    /// <summary>A few of its ~30 transactions in (of ~1,300 owned rows): the kill lands mid-batch, likely with one in flight.</summary>
    private const int KillAfterOwnedRows = 200;
    private readonly StandaloneNb _nb = fixture.Nb;

    [Fact]
    public async Task Apply_killed_mid_batch_and_run_again_leaves_exactly_the_desired_rows()
    {
        await _nb.ResetAsync();
        using var dir = SandboxDirectory.Create("bulk-input");
        await File.WriteAllTextAsync(dir.File("bulk.yaml"), Manifest());
        await ReconcilerHarness.NbctlAsync(_nb.UnixRemote,
            ["ls-add", "pods", .. Enumerable.Range(0, Pods).SelectMany(i => new[] { "--", "lsp-add", "pods", $"big_p{i}" })]);
        var others = await FaultReport.SeedOthersAsync(_nb.UnixRemote);
        var compiled = KubernetesCompiler.CompileOrThrow(
            await KubernetesInputLoader.LoadAsync([dir.Path]), KubernetesCompileOptions.Default with { ControllerName = Controller });
        string[] apply = ["apply", "--db", _nb.UnixRemote, "--controller", Controller, "--max-changes", "150", "--json", dir.Path];

        using var first = CliProcess.Start(apply);
        var owned = 0;
        var waited = Stopwatch.StartNew();
        try
        {
            while ((owned = await CountOwnedAsync()) < KillAfterOwnedRows)
            {
                Assert.False(first.HasExited, $"the first apply ended before {KillAfterOwnedRows} owned rows were seen: nothing to kill");
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "too few commits within 60 s");
                await Task.Delay(10);
            }
        }
        finally
        {
            first.Kill();
            await first.WaitForExitAsync();
        }

        var partial = (await NbContents.ReadAsync(_nb.UnixRemote, Controller)).Split('\n').Length;
        var sinceKill = Stopwatch.StartNew();
        var second = await CliProcess.RunAsync(apply);
        var converge = sinceKill.Elapsed;
        Assert.True(second.Succeeded, second.Describe());
        using var json = JsonDocument.Parse(second.Stdout);
        var applied = json.RootElement.GetProperty("applied");
        output.WriteLine($"killed after {owned} owned rows were seen ({partial} owned lines in the NB); the second apply: " +
            $"{applied.GetProperty("transactions").GetInt32()} transaction(s), {applied.GetProperty("operations").GetInt32()} operation(s)");
        Assert.True(applied.GetProperty("converged").GetBoolean());
        Assert.True(applied.GetProperty("transactions").GetInt32() >= 2, "the rest still needed several transactions: the kill was mid-batch");

        var state = new OvnAcl.Reconciliation.DesiredState(Controller);
        state.Load(compiled);
        var wanted = NbContents.FromDesired(state).Split('\n').Length;
        Assert.InRange(partial, 1, wanted - 1);
        await FaultReport.CheckAsync($"`ovnacl apply` SIGKILLed mid-batch ({wanted} lines, {partial} in place), run again", compiled, Controller,
            offered: wanted, confirmed: applied.GetProperty("converged").GetBoolean() ? wanted : partial, faultDuration: TimeSpan.Zero, converge, _nb.UnixRemote, others, output);
    }

    /// <summary>Owned port groups, address sets and ACLs in the NB, by one select per table.</summary>
    private async Task<int> CountOwnedAsync()
    {
        var where = $"[[\"external_ids\",\"includes\",[\"map\",[[\"owner-controller\",\"{Controller}\"]]]]]";
        var result = await OvsdbTool.TransactAsync(_nb.UnixRemote,
            $"[\"OVN_Northbound\",{string.Join(",", new[] { "Port_Group", "Address_Set", "ACL" }.Select(t => $"{{\"op\":\"select\",\"table\":\"{t}\",\"where\":{where},\"columns\":[\"_uuid\"]}}"))}]");
        return result.EnumerateArray().Sum(r => r.GetProperty("rows").GetArrayLength());
    }

    /// <summary>One namespace, 400 running pods over 100 app labels, 600 policies each allowing one other app on one port.</summary>
    private static string Manifest()
    {
        var text = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: big}\n");
        for (var i = 0; i < Pods; i++)
        {
            var ip = $"10.50.{i / 250}.{i % 250 + 1}";
            text.Append(CultureInfo.InvariantCulture, $$"""
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p{{i}}
                  namespace: big
                  labels: {app: a{{i % 100}} }
                spec: {containers: [{name: c, image: x}]}
                status: {phase: Running, podIP: {{ip}}, podIPs: [{ip: {{ip}}}]}

                """);
        }

        for (var i = 0; i < Policies; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$"""
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: np{{i}}, namespace: big}
                spec:
                  podSelector:
                    matchLabels: {app: a{{i % 100}} }
                  policyTypes: [Ingress]
                  ingress:
                  - from:
                    - podSelector:
                        matchLabels: {app: a{{(i * 7 + 3) % 100}} }
                    ports: [{protocol: TCP, port: {{1000 + i}}}]

                """);
        }

        return text.ToString();
    }
}
