using OvnAcl.Match;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>samples/neutron/three-tier translates, and its rows are the golden file its README shows.</summary>
public sealed class NeutronSampleTests
{
    private static string SampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "neutron", "three-tier");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/neutron/three-tier not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Three_tier_sample_translates_to_its_golden_rows()
    {
        var dir = SampleDirectory();
        var input = NeutronInput.Load(new[] { "security-groups.json", "ports.json", "address-groups.json" }.Select(f => Path.Combine(dir, f)));

        var result = NeutronTranslator.Translate(input);

        Assert.Empty(result.Diagnostics);
        var rows = result.GetRowsOrThrow();
        Assert.Contains(rows.PortGroups.Single(p => p.Name == "pg_db000000_0000_4000_8000_000000000003").Acls, a =>
            a.Match == "outport == @pg_db000000_0000_4000_8000_000000000003 && ip4 && ip4.src == $pg_ba000000_0000_4000_8000_000000000002_ip4 && tcp && tcp.dst == 5432");
        Assert.All(rows.PortGroups.SelectMany(p => p.Acls), a => MatchExpression.ParseChecked(a.Match));
        var goldenPath = Path.Combine(dir, "rows.txt");
        if (Environment.GetEnvironmentVariable("OVNACL_UPDATE_GOLDEN") == "1")
        {
            // Rewrite, then review the diff: the golden file is what users read.
            File.WriteAllText(goldenPath, NeutronTestInput.Render(rows));
        }

        var golden = File.ReadAllText(goldenPath).ReplaceLineEndings("\n");
        Assert.Equal(golden, NeutronTestInput.Render(rows));
    }
}
