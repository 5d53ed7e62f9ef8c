using System.Text.Json;
using OvnAcl.Testing;

namespace OvnAcl.Cli.Tests;

/// <summary><c>ovnacl apply</c> and <c>ovnacl show</c> as an operator runs them, against a live NB.</summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class ApplyTests(StandaloneNbFixture fixture) : IAsyncLifetime
{
    private readonly StandaloneNb _nb = fixture.Nb;
    private readonly string _sample = Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier");

    public async Task InitializeAsync()
    {
        await _nb.ResetAsync();
        await NbctlAsync(["ls-add", "pods", .. new[] { "web-1", "web-2", "bl-1", "db-1" }.SelectMany(p => new[] { "--", "lsp-add", "pods", "three-tier_" + p })]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Dry_run_writes_nothing_apply_writes_the_plan_and_a_second_apply_sends_nothing()
    {
        var dry = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--dry-run", "--rows", _sample);
        Assert.True(dry.Succeeded, dry.Describe());
        Assert.Contains("Plan: port groups: 7 to insert, 0 to update, 0 to delete", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("insert Port_Group ovnacl_np_three_tier_db_7f1b4abf (members +1 -0, ACLs +2 ~0 -0)", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing sent.", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal("", await OwnedAsync());

        var apply = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--json", _sample);
        Assert.True(apply.Succeeded, apply.Describe());
        using (var json = JsonDocument.Parse(apply.Stdout))
        {
            var plan = json.RootElement.GetProperty("plan");
            var applied = json.RootElement.GetProperty("applied");
            Assert.Equal(1, applied.GetProperty("transactions").GetInt32());
            Assert.True(applied.GetProperty("converged").GetBoolean());
            Assert.Equal(plan.GetProperty("operations").GetInt32(), applied.GetProperty("operations").GetInt32());
            Assert.True(applied.GetProperty("request_bytes").GetInt32() > 0);
            var rows = plan.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(7, rows.Count(r => r.GetProperty("table").GetString() == "Port_Group" && r.GetProperty("action").GetString() == "insert"));
            Assert.Equal(plan.GetProperty("acls_inserted").GetInt32(), rows.Sum(r => r.GetProperty("acls_inserted").GetInt32()));
            Assert.True(plan.GetProperty("acls_inserted").GetInt32() > 0);
        }

        Assert.Contains("ovnacl_np_three_tier_db_7f1b4abf", await OwnedAsync(), StringComparison.Ordinal);

        var again = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.True(again.Succeeded, again.Describe());
        Assert.Contains("Plan: nothing to change", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("Applied: 0 transaction(s), 0 operation(s)", again.Stdout, StringComparison.Ordinal);

        var dryJson = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--dry-run", "--json", _sample);
        Assert.True(dryJson.Succeeded, dryJson.Describe());
        using (var json = JsonDocument.Parse(dryJson.Stdout))
        {
            Assert.Equal(0, json.RootElement.GetProperty("plan").GetProperty("operations").GetInt32());
            Assert.False(json.RootElement.TryGetProperty("applied", out _));
        }
    }

    [Fact]
    public async Task Show_lists_the_owned_rows_with_what_each_came_from_as_text_and_snake_case_json()
    {
        Assert.True((await Cli.RunAsync("apply", "--db", _nb.UnixRemote, _sample)).Succeeded);

        var show = await Cli.RunAsync("show", "--db", _nb.UnixRemote, "--acls");
        Assert.True(show.Succeeded, show.Describe());
        Assert.Contains("Port groups owned by ovnacl: 7", show.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"ovnacl_np_three_tier_db_7f1b4abf\s+NetworkPolicy three-tier/db\s+1\s+2", show.Stdout);
        Assert.Contains("three-tier/db:ingress:0:0", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Address sets owned by ovnacl: 4", show.Stdout, StringComparison.Ordinal);

        var json = await Cli.RunAsync("show", "--db", _nb.UnixRemote, "--json");
        Assert.True(json.Succeeded, json.Describe());
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal("ovnacl", document.RootElement.GetProperty("controller").GetString());
        var db = document.RootElement.GetProperty("port_groups").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "ovnacl_np_three_tier_db_7f1b4abf");
        Assert.Equal("NetworkPolicy three-tier/db", db.GetProperty("from").GetString());
        Assert.Equal(1, db.GetProperty("ports").GetInt32());
        // One ACL per address family, under one name.
        var acls = db.GetProperty("acls").EnumerateArray().ToList();
        Assert.Equal(2, acls.Count);
        Assert.All(acls, acl => Assert.Equal(("to-lport", "three-tier/db:ingress:0:0"), (acl.GetProperty("direction").GetString(), acl.GetProperty("name").GetString())));
        Assert.Equal(["ip4.src", "ip6.src"], acls.Select(a => a.GetProperty("match").GetString()!.Contains("ip6.src", StringComparison.Ordinal) ? "ip6.src" : "ip4.src").Order());
        Assert.Contains("&&", acls[0].GetProperty("match").GetString(), StringComparison.Ordinal);
        Assert.Contains("&&", json.Stdout, StringComparison.Ordinal); // match syntax is not escaped to \u0026
        Assert.Equal(4, document.RootElement.GetProperty("address_sets").GetArrayLength());

        var other = await Cli.RunAsync("show", "--db", _nb.UnixRemote, "--controller", "someone-else");
        Assert.True(other.Succeeded, other.Describe());
        Assert.Contains("Port groups owned by someone-else: 0", other.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A wrong path or a glob that matched nothing must not remove every isolation: an input with no objects is refused,
    /// the database left byte for byte as it was, and the refusal says what would have been deleted.
    /// </summary>
    [Fact]
    public async Task An_input_with_no_objects_is_refused_and_the_database_is_untouched_unless_allow_empty()
    {
        var apply = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.True(apply.Succeeded, apply.Describe());
        using var empty = SandboxDirectory.Create("apply-empty");

        // A file that is there but holds no object counts as empty too (a "---" left by a template).
        await File.WriteAllTextAsync(empty.File("nothing.yaml"), "---\n");
        var before = (await OvsdbTool.RunAsync("ovsdb-client", ["dump", _nb.UnixRemote, "OVN_Northbound"])).Stdout;
        foreach (var args in new[] { new[] { empty.Path }, ["--dry-run", empty.Path] })
        {
            var refused = await Cli.RunAsync(["apply", "--db", _nb.UnixRemote, .. args]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("the input has no objects", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("would delete 7 port group(s) (9 ACLs) and 4 address set(s)", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("owned by 'ovnacl'", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains("--allow-empty", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal("", refused.Stdout);
        }

        Assert.Equal(before, (await OvsdbTool.RunAsync("ovsdb-client", ["dump", _nb.UnixRemote, "OVN_Northbound"])).Stdout);

        var allowed = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--allow-empty", empty.Path);
        Assert.True(allowed.Succeeded, allowed.Describe());
        Assert.Contains("Warning: the input has no objects (--allow-empty): 7 port group(s)", allowed.Stdout, StringComparison.Ordinal);
        Assert.Contains("Plan: port groups: 0 to insert, 0 to update, 7 to delete", allowed.Stdout, StringComparison.Ordinal);
        Assert.Equal("", await OwnedAsync());
    }

    [Fact]
    public async Task Invalid_input_writes_nothing_and_a_name_owned_by_another_is_left_alone_with_exit_code_2()
    {
        using var bad = SandboxDirectory.Create("apply-bad");
        await File.WriteAllTextAsync(bad.File("policy.yaml"), """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: broken, namespace: three-tier}
            spec:
              podSelector: {}
              ingress:
              - from: [{ipBlock: {cidr: 10.0.0.0/40}}]
            """);
        var refused = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, _sample, bad.Path);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("NetworkPolicy three-tier/broken", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.ingress[0].from[0].ipBlock.cidr", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("", await OwnedAsync());

        await NbctlAsync(["pg-add", "ovnacl_np_three_tier_db_7f1b4abf", "--", "set", "port_group", "ovnacl_np_three_tier_db_7f1b4abf",
            "external_ids:owner-controller=someone-else"]);
        var clash = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, _sample);
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("Left alone: Port_Group ovnacl_np_three_tier_db_7f1b4abf", clash.Stdout, StringComparison.Ordinal);
        var theirs = await NbctlAsync(["--bare", "--columns=acls,external_ids", "find", "port_group", "name=ovnacl_np_three_tier_db_7f1b4abf"]);
        Assert.Contains("owner-controller=someone-else", theirs.Stdout, StringComparison.Ordinal);
        Assert.Equal("", theirs.Stdout.Split('\n')[0].Trim()); // no ACLs were added to their row

        var json = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--dry-run", "--json", _sample);
        Assert.Equal(2, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        var conflict = Assert.Single(document.RootElement.GetProperty("plan").GetProperty("conflicts").EnumerateArray().ToList());
        Assert.Equal(("ovnacl_np_three_tier_db_7f1b4abf", "not_owned"), (conflict.GetProperty("name").GetString(), conflict.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Connection_and_option_errors_are_one_line_naming_what_is_wrong()
    {
        var noDb = await Cli.RunAsync("show", "--db", "unix:/nonexistent/nb.sock");
        Assert.Equal(1, noDb.ExitCode);
        Assert.StartsWith("ovnacl: error: ", noDb.Stderr, StringComparison.Ordinal);

        var badRemote = await Cli.RunAsync("show", "--db", "nope:1");
        Assert.Equal(1, badRemote.ExitCode);
        Assert.StartsWith("ovnacl: error: ", badRemote.Stderr, StringComparison.Ordinal);

        var tls = await Cli.RunAsync("show", "--db", _nb.UnixRemote, "--private-key", "k.pem");
        Assert.Equal(1, tls.ExitCode);
        Assert.Contains("ssl: remotes need all of --private-key, --certificate and --ca-cert", tls.Stderr, StringComparison.Ordinal);

        var timeout = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--timeout", "soon", _sample);
        Assert.Equal(1, timeout.ExitCode);
        Assert.Contains("--timeout takes a duration such as 90s, 10m or 1h, not 'soon'", timeout.Stderr, StringComparison.Ordinal);

        var maxChanges = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--max-changes", "0", _sample);
        Assert.Equal(1, maxChanges.ExitCode);
        Assert.Contains("--max-changes must be 1 or more, not 0", maxChanges.Stderr, StringComparison.Ordinal);
        Assert.Equal("", await OwnedAsync());

        var seconds = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--timeout", "30", "--dry-run", _sample);
        Assert.True(seconds.Succeeded, seconds.Describe());

        // The connection is made while the input compiles: a --timeout shorter than the client's own connection timeout
        // still ends in one line, and an input with errors is reported as such whatever the database says.
        var unreachable = await Cli.RunAsync("apply", "--db", "unix:/nonexistent/nb.sock", "--timeout", "2s", _sample);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("ovnacl: error: the database was not reached and reconciled within 2 s (--timeout)", unreachable.Stderr, StringComparison.Ordinal);

        using var bad = SandboxDirectory.Create("apply-bad-unreachable");
        await File.WriteAllTextAsync(bad.File("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: three-tier, labels: {a: 1}}\n");
        foreach (var db in new[] { "unix:/nonexistent/nb.sock", "nope:1" })
        {
            var invalid = await Cli.RunAsync("apply", "--db", db, "--timeout", "2s", _sample, bad.Path);
            Assert.Equal(1, invalid.ExitCode);
            Assert.Contains("metadata.labels.a: OVNK0011", invalid.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("ovnacl: error:", invalid.Stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>The names of the port groups and address sets the default controller owns, one a line.</summary>
    /// <summary>
    /// <c>apply</c> (default <c>--target auto</c>) writes cluster policies in the form the server's schema has: flattened
    /// on Debian's NB 7.0.0, in ACL tiers with pass on a server whose schema has the 23.06 columns (the installed schema
    /// plus <c>tier</c> and <c>pass</c> as ovn-nb(5) documents them; ovsdb-server enforces both). A tiered --target on
    /// the 7.0.0 server is refused before anything is sent.
    /// </summary>
    [Fact]
    public async Task Cluster_policies_are_applied_in_the_form_the_servers_schema_has()
    {
        var sample = Path.Combine(Repository.Root, "samples", "admin-policy");
        await AddSamplePodsAsync(_nb.UnixRemote);
        var refused = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--target", "23.06", sample);
        Assert.Equal((1, ""), (refused.ExitCode, refused.Stdout));
        Assert.Contains("--target 23.06 writes ACL tiers and pass, but this database's NB schema 7.0.0 has no ACL tier column or no pass action", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("", await OwnedAsync());

        var flat = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, sample);
        Assert.True(flat.Succeeded, flat.Describe());
        Assert.StartsWith("Cluster policies: flattened into one priority order, for NB schema 7.0.0 (--target auto: no ACL tiers).", flat.Stdout, StringComparison.Ordinal);
        var flatActions = await AclColumnsAsync(_nb.UnixRemote, "action");
        Assert.DoesNotContain("pass", flatActions);
        Assert.True(flatActions.Count > 20, flatActions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var scratch = SandboxDirectory.Create("apply-tiered");
        await using var tieredNb = await StandaloneNb.StartAsync(StandaloneNbOptions.Default with
        {
            Tcp = false,
            SchemaPath = OvnSchemas.WriteNorthboundWithAclTiers(scratch.File("nb-tiers.ovsschema")),
        });
        await AddSamplePodsAsync(tieredNb.UnixRemote);
        var tiered = await Cli.RunAsync("apply", "--db", tieredNb.UnixRemote, sample);
        Assert.True(tiered.Succeeded, tiered.Describe());
        Assert.StartsWith("Cluster policies: in ACL tiers (1 admin, 2 NetworkPolicy, 3 baseline) with pass, for NB schema 7.0.4 (--target auto).", tiered.Stdout, StringComparison.Ordinal);
        var tiers = (await AclColumnsAsync(tieredNb.UnixRemote, "tier")).Zip(await AclColumnsAsync(tieredNb.UnixRemote, "action")).ToList();
        Assert.Equal(4, tiers.Count(t => t == ("1", "pass")));
        Assert.All(tiers, t => Assert.Contains(t.First, (string[])["1", "2", "3"]));

        // A Pass the flattened form refuses (OVNK0409: pods against a network) is no error where the server has tiers.
        var needsTiers = scratch.File("needs-tiers.yaml");
        await File.WriteAllTextAsync(needsTiers, "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: s}\n" +
            "spec: {priority: 1, subject: {namespaces: {}}, egress: [{action: Pass, to: [{namespaces: {}}]}, {action: Deny, to: [{networks: [10.0.0.0/8]}]}]}\n");
        var onFlat = await Cli.RunAsync("apply", "--db", _nb.UnixRemote, "--controller", "other", needsTiers);
        Assert.Equal((1, ""), (onFlat.ExitCode, onFlat.Stdout));
        Assert.Contains("OVNK0409", onFlat.Stderr, StringComparison.Ordinal);
        var onTiered = await Cli.RunAsync("apply", "--db", tieredNb.UnixRemote, "--controller", "other", needsTiers);
        Assert.True(onTiered.Succeeded, onTiered.Describe());
        Assert.DoesNotContain("OVNK0409", onTiered.Stderr, StringComparison.Ordinal);
        Assert.Equal(4 + 2, (await AclColumnsAsync(tieredNb.UnixRemote, "action")).Count(a => a == "pass")); // the sample's, and this Pass in both families

        // The second run reads the tier column back and finds nothing to change; explain --db names the pass ACL.
        var again = await Cli.RunAsync("apply", "--db", tieredNb.UnixRemote, sample);
        Assert.Contains("Plan: nothing to change", again.Stdout, StringComparison.Ordinal);
        var live = await Cli.RunAsync("explain", "--db", tieredNb.UnixRemote, "--from", "tenant-a_web", "--to", "tenant-a_db", "-p", "tcp", "--port", "5432");
        Assert.True(live.Succeeded, live.Describe());
        Assert.Contains("passed by: AdminNetworkPolicy tenant-a-owns-its-traffic (Admin tier), ingress rule 0 'from-own-tenant' [to-lport]", live.Stdout, StringComparison.Ordinal);
        Assert.Contains("allowed by: NetworkPolicy tenant-a/db-from-web, ingress rule 0", live.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The sample's pods as logical switch ports with the addresses the offline topology gives them.</summary>
    private static async Task AddSamplePodsAsync(string remote)
    {
        string[] pods = ["tenant-a_web:10.244.1.11", "tenant-a_db:10.244.1.12", "tenant-b_web:10.244.1.21", "tenant-b_api:10.244.1.22",
            "monitoring_prometheus:10.244.1.31", "kube-system_coredns:10.244.1.41"];
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={remote}", "ls-add", "guardrails", .. pods.SelectMany(p =>
        {
            var (port, ip) = (p.Split(':')[0], p.Split(':')[1]);
            return new[] { "--", "lsp-add", "guardrails", port, "--", "lsp-set-addresses", port, $"{OvnAcl.Explain.OfflineTopology.MacFor(port)} {ip}" };
        })]);
    }

    /// <summary>One column of every ACL row, as ovsdb-server holds it (with the row's uuid, so equal rows are not merged).</summary>
    private static async Task<List<string>> AclColumnsAsync(string remote, string column)
    {
        var select = await OvsdbTool.RunAsync("ovsdb-client", ["transact", remote,
            $$"""["OVN_Northbound",{"op":"select","table":"ACL","where":[],"columns":["_uuid","{{column}}"]}]"""]);
        using var json = JsonDocument.Parse(select.Stdout);
        return [.. json.RootElement[0].GetProperty("rows").EnumerateArray().OrderBy(r => r.GetProperty("_uuid")[1].GetString(), StringComparer.Ordinal)
            .Select(r => r.GetProperty(column).ToString())];
    }

    private async Task<string> OwnedAsync()
    {
        var groups = await NbctlAsync(["--bare", "--columns=name", "find", "port_group", "external_ids:owner-controller=ovnacl"]);
        var sets = await NbctlAsync(["--bare", "--columns=name", "find", "address_set", "external_ids:owner-controller=ovnacl"]);
        return (groups.Stdout + sets.Stdout).Trim();
    }

    private Task<ToolResult> NbctlAsync(string[] arguments) => OvsdbTool.RunAsync("ovn-nbctl", [$"--db={_nb.UnixRemote}", .. arguments]);
}
