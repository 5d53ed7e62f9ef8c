using OvnAcl.Acl;
using OvnAcl.Collections;
using OvnAcl.Match;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Acl;

/// <summary>A view of many ACLs parses its matches on all cores; what it holds is what one parse of each text gives.</summary>
public sealed class AclPolicyViewParseTests
{
    [Fact]
    public void Many_matches_parsed_in_parallel_are_each_text_s_parse_with_diagnostics_in_row_order()
    {
        var groups = Enumerable.Range(0, 60).Select(g => new PortGroupRow
        {
            Name = $"pg{g}",
            Acls = Enumerable.Range(0, 100).Select(a => new AclRow
            {
                Direction = "to-lport",
                Priority = 1000 + a,
                Action = "allow-related",
                // every 37th match is not valid; every 10th is the same text in every group (shared)
                Match = a % 37 == 0 ? $"outport == @pg{g} && tcp.dst == {{{a}" : a % 10 == 0 ? $"ip4 && tcp.dst == {a}" : $"outport == @pg{g} && ip4.src == 10.{g}.{a}.0/24 && tcp.dst == {a}",
            }).ToEquatableArray(),
        }).ToEquatableArray();
        var view = AclPolicyView.FromRows(new NorthboundAclRows { PortGroups = groups });

        var expectedErrors = new List<string>();
        foreach (var group in groups)
        {
            var acls = view.PortGroups[group.Name].Acls;
            Assert.Equal(group.Acls.Count, acls.Count);
            for (var i = 0; i < acls.Count; i++)
            {
                var text = group.Acls[i].Match;
                if (MatchExpression.TryParse(text, out var expected, out var problems))
                {
                    Assert.Equal(expected, acls[i].Match);
                    Assert.Null(acls[i].MatchError);
                }
                else
                {
                    Assert.Null(acls[i].Match);
                    Assert.Equal(string.Join("; ", problems.Select(p => p.ToString())), acls[i].MatchError);
                    expectedErrors.Add(acls[i].MatchError!);
                }
            }
        }

        Assert.Equal(expectedErrors.Count, view.Diagnostics.Length);
        Assert.All(view.Diagnostics.Zip(expectedErrors), pair => Assert.EndsWith(pair.Second, pair.First, StringComparison.Ordinal));
        Assert.Contains("on port group pg0", view.Diagnostics[0], StringComparison.Ordinal);
        Assert.Contains("on port group pg59", view.Diagnostics[^1], StringComparison.Ordinal);
    }
}
