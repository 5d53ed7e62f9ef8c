using System.Text.Json;
using OvnAcl.Collections;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>The output formats: golden files for what people read, and the nbctl script run by ovn-nbctl against a real NB.</summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class FormatterTests(StandaloneNbFixture fixture)
{
    /// <summary>Set OVNACL_UPDATE_GOLDEN=1 to rewrite the golden files, then review them as a diff.</summary>
    private static readonly bool UpdateGolden = Environment.GetEnvironmentVariable("OVNACL_UPDATE_GOLDEN") == "1";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OvnAcl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OvnAcl.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<NorthboundRows> ThreeTierAsync()
    {
        var root = RepositoryRoot();
        var input = await KubernetesInputLoader.LoadAsync([Path.Combine(root, "samples", "kubernetes", "three-tier")]);
        var result = KubernetesCompiler.Compile(input);
        Assert.Empty(result.Diagnostics);
        return result.Rows!;
    }

    private static void AssertGolden(string name, string actual)
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "OvnAcl.Core.Tests", "Kubernetes", "Golden", name);
        if (UpdateGolden)
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public async Task Three_tier_json_matches_the_golden_file_and_the_schema()
    {
        var json = NorthboundFormatter.Format(await ThreeTierAsync(), NorthboundFormat.Json);
        AssertGolden("three-tier.json", json);

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["port_groups", "address_sets"], document.RootElement.EnumerateObject().Select(p => p.Name));
        var group = document.RootElement.GetProperty("port_groups")[0];
        Assert.Equal(["name", "ports", "external_ids", "acls"], group.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["direction", "priority", "match", "action", "name", "log", "severity", "meter", "options", "external_ids"],
            group.GetProperty("acls")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "addresses", "external_ids"], document.RootElement.GetProperty("address_sets")[0].EnumerateObject().Select(p => p.Name));
    }

    /// <summary>Written to a UTF-8 stream (how the CLI writes to standard output) the JSON goes straight into it, the same bytes as the text.</summary>
    [Fact]
    public async Task Json_written_to_a_utf8_stream_is_the_formatted_text()
    {
        var rows = await ThreeTierAsync();
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
        {
            writer.Write("before\n");
            NorthboundFormatter.Write(rows, NorthboundFormat.Json, writer);
            writer.Write("after");
        }

        Assert.Equal("before\n" + NorthboundFormatter.Format(rows, NorthboundFormat.Json) + "after", System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public async Task Three_tier_table_matches_the_golden_file()
    {
        AssertGolden("three-tier.txt", NorthboundFormatter.Format(await ThreeTierAsync(), NorthboundFormat.Table));
    }

    [Fact]
    public void Formats_parse_by_name_only()
    {
        Assert.True(NorthboundFormatter.TryParseFormat("NBCTL", out var f) && f == NorthboundFormat.Nbctl);
        Assert.False(NorthboundFormatter.TryParseFormat("1", out _));
        Assert.False(NorthboundFormatter.TryParseFormat("yaml", out _));
    }

    [Fact]
    public async Task The_nbctl_script_runs_against_a_real_nb_and_creates_exactly_the_rows()
    {
        await fixture.Nb.ResetAsync();
        var remote = "--db=" + fixture.Nb.UnixRemote;
        var rows = await ThreeTierAsync();

        // A Neutron-looking row too: the script must not assume Kubernetes (quotes, tiers of 0, odd external ids).
        rows = NorthboundRows.Create([.. rows.PortGroups, new PortGroupRow
        {
            Name = "pg_odd",
            ExternalIds = new EquatableMap([new("neutron:security_group_id", "it's \"quoted\" \\ here")]),
            Acls = EquatableArray.Create(new AclRow { Direction = "to-lport", Priority = 1002, Match = "outport == @pg_odd && ip4 && icmp4", Action = "allow-related", Name = "a 'name'" }),
        }], rows.AddressSets);

        var ports = rows.PortGroups.SelectMany(p => p.Ports).Distinct().ToList();
        List<string> setup = ["ls-add", "sw0"];
        foreach (var port in ports)
        {
            setup.AddRange(["--", "lsp-add", "sw0", port]);
        }

        await OvsdbTool.RunAsync("ovn-nbctl", [remote, .. setup]);
        var script = Path.Combine(fixture.Nb.Dir, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        var run = await OvsdbTool.TryRunAsync("sh", [script, remote]);
        Assert.True(run.Succeeded, run.Describe());

        var dump = await OvsdbTool.DumpJsonAsync(fixture.Nb.UnixRemote, "OVN_Northbound");
        Assert.Equal(rows.PortGroups.Count, dump["Port_Group"].Count);
        Assert.Equal(rows.Acls().Count(), dump["ACL"].Count);
        Assert.Equal(rows.AddressSets.Count, dump["Address_Set"].Count);

        // What ovn-nbctl shows for each group is what the rows say, log settings and after-lb included.
        foreach (var group in rows.PortGroups.Where(g => g.Acls.Count > 0))
        {
            var listed = (await OvsdbTool.RunAsync("ovn-nbctl", [remote, "acl-list", group.Name])).Stdout;
            foreach (var acl in group.Acls)
            {
                Assert.Contains($"{acl.Direction,10} {acl.Priority,5} ({acl.Match}) {acl.Action}", listed, StringComparison.Ordinal);
            }
        }

        var acls = (await OvsdbTool.RunAsync("ovn-nbctl", [remote, "--format=json", "--columns=name,match,external_ids,options,log", "list", "ACL"])).Stdout;
        using var document = JsonDocument.Parse(acls);
        var names = document.RootElement.GetProperty("data").EnumerateArray().Select(r => r[0].ValueKind == JsonValueKind.String ? r[0].GetString() : null).ToList();
        Assert.Equal(rows.Acls().Select(a => a.Name).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Contains("it's \\\"quoted\\\" \\\\ here", (await OvsdbTool.RunAsync("ovn-nbctl", [remote, "get", "Port_Group", "pg_odd", "external_ids"])).Stdout, StringComparison.Ordinal);

        var members = (await OvsdbTool.RunAsync("ovn-nbctl", [remote, "--bare", "--columns=ports", "find", "Port_Group", $"name={rows.PolicyGroup("three-tier/web").Name}"])).Stdout;
        Assert.Equal(2, members.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length);
        var addresses = (await OvsdbTool.RunAsync("ovn-nbctl", [remote, "get", "Address_Set", rows.AddressSets[0].Name, "addresses"])).Stdout.Trim();
        Assert.Equal("[" + string.Join(", ", rows.AddressSets[0].Addresses.Select(a => $"\"{a}\"")) + "]", addresses);
    }

    [Fact]
    public void Logged_acls_carry_log_columns_in_every_format()
    {
        var rows = NorthboundRows.Create(
            [new PortGroupRow { Name = "pg", Ports = EquatableArray.Create("p1"), Acls = EquatableArray.Create(new AclRow
            {
                Direction = "from-lport", Priority = 1000, Match = "inport == @pg", Action = "drop", Name = "ns:egress:deny", Log = true,
                Severity = "alert", Meter = "acl-logging", Options = new EquatableMap([new("apply-after-lb", "true")]),
            }) }],
            []);
        Assert.Contains("--id=@acl0 create ACL direction=from-lport priority=1000 'match=\"inport == @pg\"' action=drop 'name=\"ns:egress:deny\"' log=true 'severity=\"alert\"' 'meter=\"acl-logging\"' 'options={\"apply-after-lb\"=\"true\"}' 'external_ids={}'",
            NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl), StringComparison.Ordinal);
        Assert.Contains("alert meter=acl-logging", NorthboundFormatter.Format(rows, NorthboundFormat.Table), StringComparison.Ordinal);
        Assert.Contains("\"severity\": \"alert\"", NorthboundFormatter.Format(rows, NorthboundFormat.Json), StringComparison.Ordinal);
    }
}
