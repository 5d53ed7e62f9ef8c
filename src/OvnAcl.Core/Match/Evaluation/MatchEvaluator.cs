using System.Collections.Immutable;
using System.Globalization;

namespace OvnAcl.Match;

/// <summary>
/// Decides whether a packet matches an expression the way ovn-controller's flows would (ovn/lib/expr.c):
/// <c>!</c> is pushed down to the comparisons (De Morgan; <c>==</c> becomes <c>!=</c>, <c>&lt;</c> becomes
/// <c>&gt;=</c>), and every comparison on a field is and-ed with the field's prerequisites, which are never negated.
/// So <c>tcp.dst != 80</c> and <c>!(tcp.dst == 80)</c> are both false for a UDP packet, and <c>!</c> is only a
/// plain complement where the prerequisites hold. Expressions should have passed <see cref="MatchExpression.Check"/>.
/// </summary>
public sealed class MatchEvaluator
{
    /// <summary>An evaluator resolving <c>$set</c> and <c>@group</c> names through <paramref name="context"/> (<see cref="MatchContext.Empty"/> when null).</summary>
    public MatchEvaluator(IMatchContext? context = null)
    {
        Context = context ?? MatchContext.Empty;
    }

    /// <summary>Where address set and port group names are resolved.</summary>
    public IMatchContext Context { get; }

    /// <exception cref="MatchEvaluationException">An unknown field, <c>$set</c> or <c>@group</c>, or an address-set entry wider than its field.</exception>
    public bool Evaluate(MatchExpr expression, Packet packet)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(packet);
        return Test(expression, packet, negated: false);
    }

    /// <inheritdoc cref="Evaluate"/>
    public MatchExplanation Explain(MatchExpr expression, Packet packet)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(packet);
        var path = ImmutableArray.CreateBuilder<MatchExpr>();
        var (result, reason) = Explain(expression, packet, negated: false, path);
        return new MatchExplanation(result, path.ToImmutable(), reason);
    }

    /// <summary>
    /// Whether every prerequisite of every field the expression mentions (through predicates too) holds for the
    /// packet; where it does, OVN's <c>!</c> is the plain Boolean complement.
    /// </summary>
    internal bool PrerequisitesHold(MatchExpr expression, Packet packet) => expression switch
    {
        BoolExpr => true,
        NotExpr x => PrerequisitesHold(x.Operand, packet),
        AndExpr x => x.Operands.All(o => PrerequisitesHold(o, packet)),
        OrExpr x => x.Operands.All(o => PrerequisitesHold(o, packet)),
        ComparisonExpr x => SymbolPrerequisitesHold(Symbol(x.Field), packet),
        RangeExpr x => SymbolPrerequisitesHold(Symbol(x.Field), packet),
        FieldTestExpr x => SymbolPrerequisitesHold(Symbol(x.Field), packet),
        _ => true,
    };

    private bool SymbolPrerequisitesHold(MatchSymbol symbol, Packet packet) =>
        symbol.IsPredicate
            ? PrerequisitesHold(symbol.Expansion!, packet)
            : symbol.Prerequisite is null || (Test(symbol.Prerequisite, packet, negated: false) && PrerequisitesHold(symbol.Prerequisite, packet));

    private bool Test(MatchExpr expression, Packet packet, bool negated)
    {
        switch (expression)
        {
            case BoolExpr x:
                return x.Value ^ negated;
            case NotExpr x:
                return Test(x.Operand, packet, !negated);
            case AndExpr x:
                return negated ? Any(x.Operands, packet, negated) : All(x.Operands, packet, negated);
            case OrExpr x:
                return negated ? All(x.Operands, packet, negated) : Any(x.Operands, packet, negated);
            case ComparisonExpr x:
                return Compare(x.Field, Effective(x.Operator, negated), x.Value, packet);
            case RangeExpr x:
                var low = Compare(x.Field, Effective(x.LowOperator.Turn(), negated), x.Low, packet);
                var high = Compare(x.Field, Effective(x.HighOperator, negated), x.High, packet);
                return negated ? low || high : low && high;
            case FieldTestExpr x:
                // A bare field means "field != 0" (for a 1-bit field or predicate: "== 1").
                return Compare(x.Field, negated ? RelationalOperator.Equal : RelationalOperator.NotEqual, new IntegerConstant(0), packet);
            default:
                throw new MatchEvaluationException($"unknown expression node {expression.GetType().Name}");
        }
    }

    private bool All(ImmutableArray<MatchExpr> operands, Packet packet, bool negated)
    {
        foreach (var operand in operands)
        {
            if (!Test(operand, packet, negated))
            {
                return false;
            }
        }

        return true;
    }

    private bool Any(ImmutableArray<MatchExpr> operands, Packet packet, bool negated)
    {
        foreach (var operand in operands)
        {
            if (Test(operand, packet, negated))
            {
                return true;
            }
        }

        return false;
    }

    private static RelationalOperator Effective(RelationalOperator op, bool negated) => negated ? op.Invert() : op;

    /// <summary>One comparison as OVN annotates it: a set is an or (for ==) or an and (otherwise) of single comparisons, each and-ed with the prerequisites.</summary>
    private bool Compare(FieldRef field, RelationalOperator op, MatchValue value, Packet packet)
    {
        var symbol = Symbol(field);
        var constants = Expand(value);
        if (constants.Count == 0)
        {
            // An empty address set or port group: OVN turns the comparison into a constant, without prerequisites.
            return op == RelationalOperator.NotEqual;
        }

        var isOr = op == RelationalOperator.Equal;
        var result = !isOr;
        foreach (var constant in constants)
        {
            var one = symbol.IsPredicate ? TestPredicate(symbol, op, constant, packet) : TestValue(symbol, field.Bits, op, constant, packet);
            if (one == isOr)
            {
                result = isOr;
                break;
            }
        }

        if (symbol.IsPredicate)
        {
            return result;
        }

        return result && (symbol.Prerequisite is null || Test(symbol.Prerequisite, packet, negated: false));
    }

    private bool TestPredicate(MatchSymbol symbol, RelationalOperator op, MatchConstant constant, Packet packet)
    {
        if (op.IsOrdering() || constant is not IntegerConstant { Value: var value })
        {
            throw new MatchEvaluationException($"predicate {symbol.Name} can only be compared with 0 or 1 using == or !=");
        }

        // OVN annotates the expansion (adding its prerequisites) and only then negates it, so a negated predicate
        // is the plain complement of the positive one, prerequisites included (expr_annotate_cmp).
        var positive = ((value & 1) == 1) ^ (op == RelationalOperator.NotEqual);
        return Test(symbol.Expansion!, packet, negated: false) == positive;
    }

    private static bool TestValue(MatchSymbol symbol, BitRange? bits, RelationalOperator op, MatchConstant constant, Packet packet)
    {
        if (symbol.IsString)
        {
            if (constant is not StringConstant text || op.IsOrdering())
            {
                throw new MatchEvaluationException($"string field {symbol.Name} can only be compared with strings using == or !=");
            }

            var equal = string.Equals(PacketFields.String(symbol.Name, packet), text.Value, StringComparison.Ordinal);
            return equal == (op == RelationalOperator.Equal);
        }

        var width = bits?.Width ?? symbol.Width;
        var actual = PacketFields.Integer(symbol, packet);
        if (bits is { } range)
        {
            actual = (actual >> range.Low) & PacketFields.Ones(range.Width);
        }

        var (expected, mask) = ValueAndMask(symbol, width, constant);
        return op switch
        {
            RelationalOperator.Equal => (actual & mask) == (expected & mask),
            RelationalOperator.NotEqual => (actual & mask) != (expected & mask),
            RelationalOperator.Less => actual < expected,
            RelationalOperator.LessOrEqual => actual <= expected,
            RelationalOperator.Greater => actual > expected,
            _ => actual >= expected,
        };
    }

    private static (UInt128 Value, UInt128 Mask) ValueAndMask(MatchSymbol symbol, int width, MatchConstant constant)
    {
        if (MatchChecker.WidthOf(constant) > width || constant is StringConstant or PortGroupRef or AddressSetRef)
        {
            throw new MatchEvaluationException($"constant {constant} does not fit {width}-bit field {symbol.Name}");
        }

        return constant switch
        {
            MaskedConstant x => (MatchChecker.Bits(x.Value), MatchChecker.Bits(x.Mask)),
            PrefixConstant x => (MatchChecker.Bits(x.Address), MatchChecker.PrefixMask(x.Length, x.Address is Ipv4Constant ? 32 : 128)),
            _ => (MatchChecker.Bits(constant), PacketFields.Ones(width)),
        };
    }

    /// <summary>A value's constants with <c>$set</c> and <c>@group</c> replaced by what the context says they hold.</summary>
    private List<MatchConstant> Expand(MatchValue value)
    {
        var result = new List<MatchConstant>();
        foreach (var constant in value is ValueSet set ? set.Elements : [(MatchConstant)value])
        {
            switch (constant)
            {
                case AddressSetRef x:
                    result.AddRange(Context.TryGetAddressSet(x.Name, out var addresses)
                        ? addresses
                        : throw new MatchEvaluationException($"unknown address set ${x.Name}"));
                    break;
                case PortGroupRef x:
                    result.AddRange(Context.TryGetPortGroup(x.Name, out var ports)
                        ? ports.Order(StringComparer.Ordinal).Select(p => new StringConstant(p))
                        : throw new MatchEvaluationException($"unknown port group @{x.Name}"));
                    break;
                default:
                    result.Add(constant);
                    break;
            }
        }

        return result;
    }

    private static MatchSymbol Symbol(FieldRef field) =>
        MatchSymbols.Find(field.Name) ?? throw new MatchEvaluationException($"unknown field '{field.Name}'");

    private (bool Result, string Reason) Explain(MatchExpr expression, Packet packet, bool negated, ImmutableArray<MatchExpr>.Builder path)
    {
        if (expression is NotExpr not)
        {
            return Explain(not.Operand, packet, !negated, path);
        }

        path.Add(negated ? new NotExpr(expression) : expression);
        var result = Test(expression, packet, negated);
        if (expression is AndExpr or OrExpr)
        {
            var operands = expression is AndExpr a ? a.Operands : ((OrExpr)expression).Operands;
            var behavesAsAnd = expression is AndExpr ^ negated;
            if (behavesAsAnd == result)
            {
                return (result, behavesAsAnd ? $"all {operands.Length} conjuncts hold" : $"none of the {operands.Length} alternatives holds");
            }

            var decisive = operands.First(o => Test(o, packet, negated) == result);
            return Explain(decisive, packet, negated, path);
        }

        return (result, LeafReason(expression, packet));
    }

    private string LeafReason(MatchExpr leaf, Packet packet)
    {
        var field = leaf switch
        {
            ComparisonExpr x => x.Field,
            RangeExpr x => x.Field,
            FieldTestExpr x => x.Field,
            _ => null,
        };
        if (field is null)
        {
            return "constant";
        }

        var symbol = Symbol(field);
        if (symbol.IsPredicate)
        {
            return $"{symbol.Name} stands for {symbol.PredicateText}";
        }

        if (leaf is ComparisonExpr comparison && Expand(comparison.Value).Count == 0)
        {
            return $"{comparison.Value} is empty";
        }

        if (symbol.Prerequisite is { } prerequisite && !Test(prerequisite, packet, negated: false))
        {
            return $"prerequisite {symbol.PrerequisiteText} of {symbol.Name} does not hold";
        }

        return $"{field} is {Actual(symbol, field, packet)}";
    }

    private static string Actual(MatchSymbol symbol, FieldRef field, Packet packet)
    {
        if (symbol.IsString)
        {
            return PacketFields.String(symbol.Name, packet) is { } port ? MatchPrinter.PrintValue(new StringConstant(port)) : "unset";
        }

        var value = PacketFields.Integer(symbol, packet);
        if (field.Bits is { } range)
        {
            return ((value >> range.Low) & PacketFields.Ones(range.Width)).ToString(CultureInfo.InvariantCulture);
        }

        return symbol.Kind switch
        {
            AddressKind.Ipv4 => new Ipv4Constant((uint)value).ToAddress().ToString(),
            AddressKind.Ipv6 => new Ipv6Constant(value).ToAddress().ToString(),
            AddressKind.Mac => new MacAddress((ulong)value).ToString(),
            _ => value.ToString(CultureInfo.InvariantCulture),
        };
    }
}
