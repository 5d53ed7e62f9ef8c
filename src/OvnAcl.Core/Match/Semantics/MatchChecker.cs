using System.Collections.Immutable;

namespace OvnAcl.Match;

/// <summary>
/// The meaning check OVN's parser does while reading (ovn/lib/expr.c: parse_field, type_check, make_cmp), done
/// here as a separate pass over the tree so that every problem is reported, each with a stable code.
/// </summary>
internal sealed class MatchChecker
{
    private readonly List<Diagnostic> _diagnostics = [];

    public static ImmutableArray<Diagnostic> Check(MatchExpr expression)
    {
        var checker = new MatchChecker();
        checker.Visit(expression, negated: false);
        return [.. checker._diagnostics];
    }

    /// <summary>OVN's lexer identifier, the only form a <c>$</c> or <c>@</c> name can take.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] is '_' or '.')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

    // 'negated' is OVN's ctx->not: true under an odd number of '!'.
    private void Visit(MatchExpr expression, bool negated)
    {
        switch (expression)
        {
            case BoolExpr:
                break;
            case NotExpr x:
                Visit(x.Operand, !negated);
                break;
            case AndExpr x:
                foreach (var operand in x.Operands)
                {
                    Visit(operand, negated);
                }

                break;
            case OrExpr x:
                foreach (var operand in x.Operands)
                {
                    Visit(operand, negated);
                }

                break;
            case ComparisonExpr x:
                if (Resolve(x.Field, x) is { } field)
                {
                    CheckComparison(x, field, x.Operator, x.Value, negated);
                }

                break;
            case RangeExpr x:
                if (!MatchParser.IsRangeShape(x.LowOperator, x.HighOperator))
                {
                    Report(MatchDiagnosticCodes.InvalidRange, "range expressions must have the form 'x < field < y' or 'x > field > y'", x);
                }

                if (Resolve(x.Field, x) is { } ranged)
                {
                    CheckComparison(x, ranged, x.LowOperator.Turn(), x.Low, negated);
                    CheckComparison(x, ranged, x.HighOperator, x.High, negated);
                }

                break;
            case FieldTestExpr x:
                if (Resolve(x.Field, x) is { } tested)
                {
                    CheckFieldTest(x, tested, negated);
                }

                break;
            default:
                throw new ArgumentException($"unknown expression node {expression.GetType().Name}", nameof(expression));
        }
    }

    private ResolvedField? Resolve(FieldRef field, MatchExpr node)
    {
        var symbol = MatchSymbols.Find(field.Name);
        if (symbol is null)
        {
            Report(MatchDiagnosticCodes.UnknownField, $"unknown field '{field.Name}'", field, node);
            return null;
        }

        var level = MatchSymbols.LevelOf(symbol);
        if (field.Bits is { } bits)
        {
            string? problem = null;
            if (symbol.IsString)
            {
                problem = $"cannot select bits of string field {symbol.Name}";
            }
            else if (bits.Low > bits.High)
            {
                problem = $"invalid bit range {bits.Low} to {bits.High}";
            }
            else if (bits.High >= symbol.Width)
            {
                problem = $"cannot select bits {bits.Low} to {bits.High} of {symbol.Width}-bit field {symbol.Name}";
            }
            else if (level == SymbolLevel.Nominal && bits.Width != symbol.Width)
            {
                problem = $"cannot select subfield of nominal field {symbol.Name}";
            }

            if (problem is not null)
            {
                Report(MatchDiagnosticCodes.InvalidSubfield, problem, field, node);
                return null;
            }
        }

        return new ResolvedField(symbol, field.Bits?.Width ?? symbol.Width, level, WholeField: field.Bits is null);
    }

    private void CheckFieldTest(FieldTestExpr node, ResolvedField field, bool negated)
    {
        var symbol = field.Symbol;
        if (symbol.IsString)
        {
            Report(MatchDiagnosticCodes.BareStringField, $"string field {symbol.Name} must be compared, e.g. {symbol.Name} == \"port\"", node.Field, node);
        }
        else if (symbol.IsPredicate)
        {
            if (negated && field.Level == SymbolLevel.Nominal)
            {
                Report(MatchDiagnosticCodes.NominalPredicateNegated, NegatedPredicateMessage(symbol.Name), node.Field, node);
            }
        }
        else if (field.Width > 1 && !negated)
        {
            Report(MatchDiagnosticCodes.BareMultibitField, $"explicit '!= 0' is required for inequality test of multibit field {symbol.Name} against 0", node.Field, node);
        }
    }

    private void CheckComparison(MatchExpr node, ResolvedField field, RelationalOperator op, MatchValue value, bool negated)
    {
        var constants = value is ValueSet set ? set.Elements : [(MatchConstant)value];
        var typesOk = true;
        foreach (var constant in constants)
        {
            typesOk &= field.Symbol.IsString ? CheckStringConstant(node, field, constant) : CheckIntegerConstant(node, field, constant);
        }

        if (op.IsOrdering())
        {
            if (value is ValueSet)
            {
                Report(MatchDiagnosticCodes.OrderingOnSetOrMask, "only == and != may be used with value sets", value, node);
            }
            else if (value is MaskedConstant or PrefixConstant or AddressSetRef or PortGroupRef)
            {
                Report(MatchDiagnosticCodes.OrderingOnSetOrMask, "only == and != may be used with masked constants and address sets; select bits instead, e.g. eth.src[0..15] > 0x1111", value, node);
            }

            if (field.Level != SymbolLevel.Ordinal)
            {
                var level = field.Symbol.IsString ? "string" : field.Level.ToString().ToLowerInvariant();
                Report(MatchDiagnosticCodes.OrderingOnNominal, $"only == and != may be used with {level} field {field.Symbol.Name}", node);
            }

            return;
        }

        if (field.Level != SymbolLevel.Nominal || !typesOk)
        {
            return;
        }

        if (field.Symbol.IsPredicate)
        {
            foreach (var constant in constants)
            {
                var positive = constant is IntegerConstant { Value: var v } && (v & 1) == 1;
                positive ^= op == RelationalOperator.NotEqual;
                positive ^= negated;
                if (!positive)
                {
                    Report(MatchDiagnosticCodes.NominalPredicateNegated, NegatedPredicateMessage(field.Symbol.Name), node);
                    return;
                }
            }
        }
        else if (op != (negated ? RelationalOperator.NotEqual : RelationalOperator.Equal))
        {
            Report(
                MatchDiagnosticCodes.NominalInequality,
                $"nominal field {field.Symbol.Name} may only be tested for equality (taking enclosing '!' operators into account)",
                node);
        }
    }

    private bool CheckStringConstant(MatchExpr node, ResolvedField field, MatchConstant constant)
    {
        switch (constant)
        {
            case StringConstant:
                return true;
            case PortGroupRef group:
                CheckName(group.Name, "port-group", group, node);
                return true;
            case MaskedConstant { Value: StringConstant }:
                Report(MatchDiagnosticCodes.MaskOnString, $"a string cannot be masked (field {field.Symbol.Name})", constant, node);
                return false;
            default:
                Report(MatchDiagnosticCodes.TypeMismatch, $"string field {field.Symbol.Name} is not compatible with integer constant {constant}", constant, node);
                return false;
        }
    }

    private bool CheckIntegerConstant(MatchExpr node, ResolvedField field, MatchConstant constant)
    {
        switch (constant)
        {
            case StringConstant:
                Report(MatchDiagnosticCodes.TypeMismatch, $"integer field {field.Symbol.Name} is not compatible with string constant {constant}", constant, node);
                return false;
            case PortGroupRef group:
                Report(MatchDiagnosticCodes.TypeMismatch, $"port group @{group.Name} holds logical port names: compare it with inport or outport, or use ${group.Name}_ip4/${group.Name}_ip6 for its addresses", constant, node);
                return false;
            case MaskedConstant { Value: StringConstant }:
                Report(MatchDiagnosticCodes.MaskOnString, "a string cannot be masked", constant, node);
                return false;
            case AddressSetRef set:
                CheckName(set.Name, "address-set", set, node);
                return true;
        }

        if (Parts(constant).Any(c => c is IntegerConstant { Hexadecimal: false } d && d.Value > ulong.MaxValue))
        {
            Report(MatchDiagnosticCodes.DecimalTooLarge, $"decimal constants must be less than 2**64; write {constant} in hexadecimal", constant, node);
            return false;
        }

        var kind = KindOf(constant);
        if (field.WholeField && field.Symbol.Kind != AddressKind.None && kind != AddressKind.None && kind != field.Symbol.Kind)
        {
            Report(MatchDiagnosticCodes.AddressKindMismatch, $"{Describe(kind)} constant {constant} on {Describe(field.Symbol.Kind)} field {field.Symbol.Name}", constant, node);
            return false;
        }

        if (!CheckMask(node, constant))
        {
            return false;
        }

        var width = WidthOf(constant);
        if (width > field.Width)
        {
            Report(MatchDiagnosticCodes.ConstantTooWide, $"{width}-bit constant {constant} is not compatible with {field.Width}-bit field {field.Symbol.Name}", constant, node);
            return false;
        }

        return true;
    }

    private bool CheckMask(MatchExpr node, MatchConstant constant)
    {
        switch (constant)
        {
            case PrefixConstant prefix:
                var family = prefix.Address switch { Ipv4Constant => 32, Ipv6Constant => 128, _ => 0 };
                if (family == 0)
                {
                    Report(MatchDiagnosticCodes.IncompatibleMask, $"only IPv4 and IPv6 addresses take a prefix length: {constant}", constant, node);
                    return false;
                }

                if (prefix.Length < 0 || prefix.Length > family)
                {
                    Report(MatchDiagnosticCodes.PrefixTooLong, $"prefix length {prefix.Length} is longer than the {family}-bit address in {constant}", constant, node);
                    return false;
                }

                if ((Bits(prefix.Address) & ~PrefixMask(prefix.Length, family)) != 0)
                {
                    Report(MatchDiagnosticCodes.UnmaskedBits, $"{constant} has 1-bits outside its /{prefix.Length} prefix", constant, node);
                    return false;
                }

                return true;
            case MaskedConstant masked:
                var compatible = (masked.Value, masked.Mask) switch
                {
                    (IntegerConstant v, IntegerConstant m) => v.Hexadecimal == m.Hexadecimal || (v.Value == 0 && m.Hexadecimal),
                    (Ipv4Constant, Ipv4Constant) or (Ipv6Constant, Ipv6Constant) or (MacConstant, MacConstant) => true,
                    _ => false,
                };
                if (!compatible)
                {
                    Report(MatchDiagnosticCodes.IncompatibleMask, $"value and mask have incompatible formats in {constant}", constant, node);
                    return false;
                }

                if ((Bits(masked.Value) & ~Bits(masked.Mask)) != 0)
                {
                    Report(MatchDiagnosticCodes.UnmaskedBits, $"{constant} has 1-bits outside its mask", constant, node);
                    return false;
                }

                return true;
            default:
                return true;
        }
    }

    private void CheckName(string name, string what, MatchConstant reference, MatchExpr node)
    {
        if (!IsValidName(name))
        {
            Report(
                MatchDiagnosticCodes.InvalidName,
                $"{what} name '{name}' is not an OVN identifier ([A-Za-z_.][A-Za-z0-9_.]*); Neutron and ovn-kubernetes replace '-' with '_'",
                reference,
                node);
        }
    }

    private static string NegatedPredicateMessage(string name) =>
        $"nominal predicate {name} may only be tested positively, e.g. '{name}' or '{name} == 1' but not '!{name}' or '{name} == 0'";

    internal static UInt128 Bits(MatchConstant constant) => constant switch
    {
        IntegerConstant x => x.Value,
        Ipv4Constant x => x.Value,
        Ipv6Constant x => x.Value,
        MacConstant x => x.Value,
        _ => 0,
    };

    internal static UInt128 PrefixMask(int length, int family) =>
        length == 0 ? UInt128.Zero : (UInt128.MaxValue << (128 - length)) >> (128 - family);

    /// <summary>OVN's expr_constant_width: the mask's width for a masked constant, the form's width for an address.</summary>
    internal static int WidthOf(MatchConstant constant) => constant switch
    {
        IntegerConstant x => BitLength(x.Value),
        Ipv4Constant => 32,
        Ipv6Constant => 128,
        MacConstant => 48,
        MaskedConstant x => BitLength(Bits(x.Mask)),
        PrefixConstant x => x.Length == 0 ? 0 : x.Address is Ipv4Constant ? 32 : 128,
        _ => 0,
    };

    private static int BitLength(UInt128 value) => 128 - (int)UInt128.LeadingZeroCount(value);

    private static IEnumerable<MatchConstant> Parts(MatchConstant constant) => constant switch
    {
        MaskedConstant x => [x.Value, x.Mask],
        PrefixConstant x => [x.Address],
        _ => [constant],
    };

    private static AddressKind KindOf(MatchConstant constant) => constant switch
    {
        Ipv4Constant => AddressKind.Ipv4,
        Ipv6Constant => AddressKind.Ipv6,
        MacConstant => AddressKind.Mac,
        MaskedConstant x => KindOf(x.Value),
        PrefixConstant x => KindOf(x.Address),
        _ => AddressKind.None,
    };

    private static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Mac => "MAC",
        AddressKind.Ipv4 => "IPv4",
        AddressKind.Ipv6 => "IPv6",
        _ => "integer",
    };

    private void Report(string code, string message, object? at, MatchExpr? fallback = null) =>
        _diagnostics.Add(Diagnostic.Error(code, message, MatchExpression.MatchLocation(SourceLocations.Of(at) ?? SourceLocations.Of(fallback))));

    private readonly record struct ResolvedField(MatchSymbol Symbol, int Width, SymbolLevel Level, bool WholeField);
}
