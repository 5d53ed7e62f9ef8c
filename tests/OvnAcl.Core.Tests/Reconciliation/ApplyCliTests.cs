using System.Text.Json;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary><c>ovnacl apply</c> and <c>ovnacl show</c> as an operator runs them, against a live NB.</summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class ApplyCliTests(StandaloneNbFixture fixture) : IAsyncLifetime
{
    private readonly StandaloneNb _nb = fixture.Nb;
    private readonly string _sample = Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier");

    public async Task InitializeAsync()
    {
        await _nb.ResetAsync();
        await ReconcilerHarness.AddThreeTierPortsAsync(_nb.UnixRemote);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Dry_run_writes_nothing_apply_writes_the_plan_and_a_second_apply_sends_nothing()
    {
        var dry = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, "--dry-run", "--rows", _sample);
        Assert.True(dry.Succeeded, dry.Describe());
        Assert.Contains("Plan: port groups: 7 to insert, 0 to update, 0 to delete", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("insert Port_Group ovnacl_np_three_tier_db_7f1b4abf (members +1 -0, ACLs +1 ~0 -0)", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing sent.", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal("", await NbContents.ReadAsync(_nb.UnixRemote, "ovnacl"));

        var apply = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, "--json", _sample);
        Assert.True(apply.Succeeded, apply.Describe());
        using (var json = JsonDocument.Parse(apply.Stdout))
        {
            var applied = json.RootElement.GetProperty("applied");
            Assert.Equal(1, applied.GetProperty("transactions").GetInt32());
            Assert.True(applied.GetProperty("converged").GetBoolean());
            Assert.Equal(json.RootElement.GetProperty("plan").GetProperty("operations").GetInt32(), applied.GetProperty("operations").GetInt32());
        }

        var again = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.True(again.Succeeded, again.Describe());
        Assert.Contains("Plan: nothing to change", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("Applied: 0 transaction(s), 0 operation(s)", again.Stdout, StringComparison.Ordinal);

        var show = await CliProcess.RunAsync("show", "--db", _nb.UnixRemote, "--acls");
        Assert.True(show.Succeeded, show.Describe());
        Assert.Contains("Port groups owned by ovnacl: 7", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"ovnacl_np_three_tier_db_7f1b4abf\s+NetworkPolicy three-tier/db\s+1\s+1", show.Stdout);
        Assert.Contains("three-tier/db:ingress:0:0", show.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A wrong path or a glob that matched nothing must not remove every isolation: an input with no objects is refused,
    /// the database left byte for byte as it was, and the refusal says what would have been deleted.
    /// </summary>
    [Fact]
    public async Task An_input_with_no_objects_is_refused_and_the_database_is_untouched_unless_allow_empty()
    {
        var apply = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.True(apply.Succeeded, apply.Describe());
        var empty = Path.Combine(Path.GetTempPath(), "ovnacl-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        try
        {
            // A file that is there but holds no object counts as empty too (a "---" left by a template).
            await File.WriteAllTextAsync(Path.Combine(empty, "nothing.yaml"), "---\n");
            var before = (await OvsdbTool.RunAsync("ovsdb-client", ["dump", _nb.UnixRemote, "OVN_Northbound"])).Stdout;
            foreach (var args in new[] { new[] { empty }, ["--dry-run", empty] })
            {
                var refused = await CliProcess.RunAsync(["apply", "--db", _nb.UnixRemote, .. args]);
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains("the input has no objects", refused.Stderr, StringComparison.Ordinal);
                Assert.Contains("would delete 7 port group(s) (7 ACLs) and 4 address set(s)", refused.Stderr, StringComparison.Ordinal);
                Assert.Contains("owned by 'ovnacl'", refused.Stderr, StringComparison.Ordinal);
                Assert.Contains("--allow-empty", refused.Stderr, StringComparison.Ordinal);
            }

            Assert.Equal(before, (await OvsdbTool.RunAsync("ovsdb-client", ["dump", _nb.UnixRemote, "OVN_Northbound"])).Stdout);

            var allowed = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, "--allow-empty", empty);
            Assert.True(allowed.Succeeded, allowed.Describe());
            Assert.Contains("Warning: the input has no objects (--allow-empty): 7 port group(s)", allowed.Stdout, StringComparison.Ordinal);
            Assert.Contains("Plan: port groups: 0 to insert, 0 to update, 7 to delete", allowed.Stdout, StringComparison.Ordinal);
            Assert.Equal("", await NbContents.ReadAsync(_nb.UnixRemote, "ovnacl"));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task Invalid_input_writes_nothing_and_a_name_owned_by_another_is_left_alone_with_exit_code_2()
    {
        var bad = Path.Combine(Path.GetTempPath(), "ovnacl-apply-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(bad);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(bad, "policy.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: broken, namespace: three-tier}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{ipBlock: {cidr: 10.0.0.0/40}}]
                """);
            var refused = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, _sample, bad);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("NetworkPolicy three-tier/broken", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("spec.ingress[0].from[0].ipBlock.cidr", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal("", await NbContents.ReadAsync(_nb.UnixRemote, "ovnacl"));
        }
        finally
        {
            Directory.Delete(bad, recursive: true);
        }

        await ReconcilerHarness.NbctlAsync(_nb.UnixRemote, "pg-add", "ovnacl_np_three_tier_db_7f1b4abf", "--", "set", "port_group", "ovnacl_np_three_tier_db_7f1b4abf",
            "external_ids:owner-controller=someone-else");
        var clash = await CliProcess.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("Left alone: Port_Group ovnacl_np_three_tier_db_7f1b4abf", clash.Stdout, StringComparison.Ordinal);
        var theirs = await ReconcilerHarness.NbctlAsync(_nb.UnixRemote, "--bare", "--columns=acls,external_ids", "find", "port_group", "name=ovnacl_np_three_tier_db_7f1b4abf");
        Assert.Contains("owner-controller=someone-else", theirs.Stdout, StringComparison.Ordinal);
        Assert.Equal("", theirs.Stdout.Split('\n')[0].Trim()); // no ACLs were added to their row
    }
}
