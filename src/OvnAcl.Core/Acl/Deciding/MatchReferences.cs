using OvnAcl.Match;

namespace OvnAcl.Acl.Deciding;

/// <summary>The <c>$set</c> and <c>@group</c> names a match mentions.</summary>
internal static class MatchReferences
{
    public static IEnumerable<MatchConstant> Of(MatchExpr expression) => expression switch
    {
        NotExpr x => Of(x.Operand),
        AndExpr x => x.Operands.SelectMany(Of),
        OrExpr x => x.Operands.SelectMany(Of),
        ComparisonExpr x => Of(x.Value),
        RangeExpr x => Of(x.Low).Concat(Of(x.High)),
        _ => [],
    };

    private static IEnumerable<MatchConstant> Of(MatchValue value) =>
        (value is ValueSet set ? set.Elements : [(MatchConstant)value]).Where(c => c is AddressSetRef or PortGroupRef);

    /// <summary>
    /// Why OVN could not use the match on this switch, or null: a flow naming an address set that does not exist, or a
    /// port group with no port on the switch (the Southbound has no such group there), fails to parse and never applies.
    /// </summary>
    public static string? Unresolved(MatchExpr expression, IMatchContext context)
    {
        foreach (var reference in Of(expression))
        {
            switch (reference)
            {
                case AddressSetRef x when !context.TryGetAddressSet(x.Name, out _):
                    return $"address set ${x.Name} does not exist";
                case PortGroupRef x when !context.TryGetPortGroup(x.Name, out _):
                    return $"port group @{x.Name} has no port on this switch";
            }
        }

        return null;
    }
}
