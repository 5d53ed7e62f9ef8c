using System.Globalization;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Reliability;

/// <summary>One row of the table in docs/reliability.md.</summary>
internal sealed record FaultFigures(string Scenario, int Offered, int Confirmed, int Missing, int Extra, int OthersChanged, TimeSpan FaultDuration, TimeSpan Converge)
{
    public const string Header = "| scenario | events offered | events confirmed | missing | extra | others changed | fault lasted (s) | converged after it (s) |";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario} | {Offered} | {Confirmed} | {Missing} | {Extra} | {OthersChanged} | {FaultDuration.TotalSeconds:0.00} | {Converge.TotalSeconds:0.00} |");
}

/// <summary>
/// Checks a database after a fault and records the figures: the controller's rows read from the server's dump (not
/// from a replica) compared, as a multiset of lines, with the compile of the final cluster (missing, extra, twice);
/// and rows of other owners, seeded by hand with ovn-nbctl before the run, compared column by column.
/// </summary>
internal static class FaultReport
{
    /// <summary>Set to a file path to have each scenario append its table row there (see docs/reliability.md).</summary>
    public const string ReportVariable = "OVNACL_RELIABILITY_REPORT";

    private static readonly Lock FileGate = new();

    /// <summary>Rows another owner made by hand: a switch and port, a port group with an ACL, an address set, one of them unlabelled.</summary>
    public static async Task<string> SeedOthersAsync(string remote)
    {
        var s = Guid.NewGuid().ToString("N")[..6];
        await ReconcilerHarness.NbctlAsync(remote,
            "ls-add", $"other_ls_{s}", "--", "lsp-add", $"other_ls_{s}", $"other_p_{s}",
            "--", "pg-add", $"other_pg_{s}", $"other_p_{s}",
            "--", "set", "port_group", $"other_pg_{s}", "external_ids:owner-controller=someone-else",
            "--", "--type=port-group", "acl-add", $"other_pg_{s}", "to-lport", "900", "ip4", "allow-related",
            "--", "pg-add", $"other_plain_pg_{s}",
            "--", "create", "address_set", $"name=other_as_{s}", "addresses=\"10.9.9.9\"", "external_ids:owner-controller=someone-else");
        var others = await OthersAsync(remote);
        foreach (var name in new[] { $"other_ls_{s}", $"other_p_{s}", $"other_pg_{s}", $"other_plain_pg_{s}", $"other_as_{s}", "priority=900" })
        {
            Assert.Contains(name, others, StringComparison.Ordinal);
        }

        return others;
    }

    /// <summary>Every row of the tables the reconciler touches (and the switches) not owned by <see cref="ChurnUnderFault.Controller"/>, as text by UUID.</summary>
    public static async Task<string> OthersAsync(string remote, string controller = ChurnUnderFault.Controller)
    {
        var dump = await OvsdbTool.DumpJsonAsync(remote, "OVN_Northbound");
        var lines = new List<string>();
        foreach (var table in new[] { "Port_Group", "Address_Set", "ACL", "Logical_Switch", "Logical_Switch_Port" })
        {
            foreach (var row in dump[table])
            {
                var ids = row.TryGetValue("external_ids", out var map) ? map.GetRawText() : "";
                if (ids.Contains($"[\"{DesiredState.OwnerControllerKey}\",\"{controller}\"]", StringComparison.Ordinal))
                {
                    continue;
                }

                lines.Add(table + " " + string.Join(" ", row.Where(c => c.Key != "_version").OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => c.Key + "=" + c.Value.GetRawText())));
            }
        }

        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }

    /// <summary>Compares the server with the compile of <paramref name="cluster"/>, records the figures, and asserts 0 missing, 0 extra, 0 others changed.</summary>
    public static Task<FaultFigures> CheckAsync(string scenario, ChurnRun run, string remote, string othersBefore, ITestOutputHelper output) =>
        CheckAsync(scenario, KubernetesCompiler.CompileOrThrow(run.Cluster.Input()), ChurnUnderFault.Controller, run.Offered, run.Confirmed, run.FaultDuration, run.ConvergeAfterFault,
            remote, othersBefore, output);

    public static async Task<FaultFigures> CheckAsync(string scenario, NorthboundRows compiled, string controller, int offered, int confirmed, TimeSpan faultDuration, TimeSpan converge,
        string remote, string othersBefore, ITestOutputHelper output)
    {
        var state = new DesiredState(controller);
        state.Load(compiled);
        var expected = Lines(NbContents.FromDesired(state));

        // The reconciler said converged; a follower-turned-leader may still be applying the last commit, so a short wait.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<string> actual;
        while (true)
        {
            actual = Lines(await NbContents.ReadAsync(remote, controller));
            if (actual.SequenceEqual(expected) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        var missing = MultisetMinus(expected, actual);
        var extra = MultisetMinus(actual, expected);
        var othersAfter = await OthersAsync(remote, controller);
        var othersChanged = Lines(othersBefore).Except(Lines(othersAfter)).Concat(Lines(othersAfter).Except(Lines(othersBefore))).Count();
        var figures = new FaultFigures(scenario, offered, confirmed, missing.Count, extra.Count, othersChanged, faultDuration, converge);
        output.WriteLine(FaultFigures.Header);
        output.WriteLine(figures.ToString());
        foreach (var line in missing.Take(10))
        {
            output.WriteLine("missing: " + line);
        }

        foreach (var line in extra.Take(10))
        {
            output.WriteLine("extra: " + line);
        }

        if (Environment.GetEnvironmentVariable(ReportVariable) is { Length: > 0 } path)
        {
            lock (FileGate)
            {
                File.AppendAllText(path, figures + Environment.NewLine);
            }
        }

        Assert.True(expected.Count > 0, "the compile of the final cluster wants some rows (a run that writes nothing proves nothing)");
        Assert.Equal(offered, confirmed);
        Assert.Equal(0, figures.Missing);
        Assert.Equal(0, figures.Extra);
        Assert.Equal(0, othersChanged);
        return figures;
    }

    private static List<string> Lines(string text) => text.Length == 0 ? [] : [.. text.Split('\n')];

    private static List<string> MultisetMinus(List<string> from, List<string> take)
    {
        var counts = take.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var left = new List<string>();
        foreach (var line in from)
        {
            if (counts.TryGetValue(line, out var n) && n > 0)
            {
                counts[line] = n - 1;
            }
            else
            {
                left.Add(line);
            }
        }

        return left;
    }
}
