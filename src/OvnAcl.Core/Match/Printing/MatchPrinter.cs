using System.Globalization;
using System.Text;

namespace OvnAcl.Match;

/// <summary>
/// The canonical text of an expression: single spaces around binary operators, <c>, </c> in sets, lowercase hex and
/// MACs, RFC 5952 IPv6, and only the parentheses OVN requires or the tree's shape needs (an <c>&amp;&amp;</c> or
/// <c>||</c> inside another, a comparison under <c>!</c>).
/// </summary>
internal static class MatchPrinter
{
    public static string Print(MatchExpr expression)
    {
        var builder = new StringBuilder();
        Append(builder, expression);
        return builder.ToString();
    }

    public static string PrintValue(MatchValue value)
    {
        var builder = new StringBuilder();
        AppendValue(builder, value);
        return builder.ToString();
    }

    public static string PrintField(FieldRef field)
    {
        var builder = new StringBuilder();
        AppendField(builder, field);
        return builder.ToString();
    }

    private static void Append(StringBuilder b, MatchExpr e)
    {
        switch (e)
        {
            case BoolExpr x:
                b.Append(x.Value ? '1' : '0');
                break;
            case NotExpr x:
                b.Append('!');
                AppendOperand(b, x.Operand, parenthesize: x.Operand is not (FieldTestExpr or BoolExpr));
                break;
            case AndExpr x:
                AppendJoined(b, x.Operands, " && ");
                break;
            case OrExpr x:
                AppendJoined(b, x.Operands, " || ");
                break;
            case ComparisonExpr x:
                AppendField(b, x.Field);
                b.Append(' ').Append(x.Operator.Text()).Append(' ');
                AppendValue(b, x.Value);
                break;
            case RangeExpr x:
                AppendValue(b, x.Low);
                b.Append(' ').Append(x.LowOperator.Text()).Append(' ');
                AppendField(b, x.Field);
                b.Append(' ').Append(x.HighOperator.Text()).Append(' ');
                AppendValue(b, x.High);
                break;
            case FieldTestExpr x:
                AppendField(b, x.Field);
                break;
            default:
                throw new ArgumentException($"unknown expression node {e.GetType().Name}", nameof(e));
        }
    }

    private static void AppendJoined(StringBuilder b, IEnumerable<MatchExpr> operands, string separator)
    {
        var first = true;
        foreach (var operand in operands)
        {
            if (!first)
            {
                b.Append(separator);
            }

            first = false;

            // OVN requires parentheses when && and || meet; the same operator nested keeps them so the tree survives a round trip.
            AppendOperand(b, operand, parenthesize: operand is AndExpr or OrExpr);
        }
    }

    private static void AppendOperand(StringBuilder b, MatchExpr operand, bool parenthesize)
    {
        if (parenthesize)
        {
            b.Append('(');
            Append(b, operand);
            b.Append(')');
        }
        else
        {
            Append(b, operand);
        }
    }

    internal static void AppendField(StringBuilder b, FieldRef field)
    {
        b.Append(field.Name);
        if (field.Bits is { } bits)
        {
            b.Append('[').Append(bits.Low.ToString(CultureInfo.InvariantCulture));
            if (bits.High != bits.Low)
            {
                b.Append("..").Append(bits.High.ToString(CultureInfo.InvariantCulture));
            }

            b.Append(']');
        }
    }

    internal static void AppendValue(StringBuilder b, MatchValue value)
    {
        if (value is ValueSet set)
        {
            b.Append('{');
            for (var i = 0; i < set.Elements.Length; i++)
            {
                if (i > 0)
                {
                    b.Append(", ");
                }

                AppendConstant(b, set.Elements[i]);
            }

            b.Append('}');
        }
        else
        {
            AppendConstant(b, (MatchConstant)value);
        }
    }

    internal static void AppendConstant(StringBuilder b, MatchConstant constant)
    {
        switch (constant)
        {
            case IntegerConstant x when x.Hexadecimal:
                b.Append("0x").Append(x.Value.ToString("x", CultureInfo.InvariantCulture));
                break;
            case IntegerConstant x:
                b.Append(x.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case Ipv4Constant x:
                b.Append(x.ToAddress().ToString());
                break;
            case Ipv6Constant x:
                b.Append(x.ToAddress().ToString());
                break;
            case MacConstant x:
                b.Append(new MacAddress(x.Value).ToString());
                break;
            case MaskedConstant x:
                AppendConstant(b, x.Value);
                b.Append('/');
                AppendConstant(b, x.Mask);
                break;
            case PrefixConstant x:
                AppendConstant(b, x.Address);
                b.Append('/').Append(x.Length.ToString(CultureInfo.InvariantCulture));
                break;
            case StringConstant x:
                AppendQuoted(b, x.Value);
                break;
            case AddressSetRef x:
                b.Append('$').Append(x.Name);
                break;
            case PortGroupRef x:
                b.Append('@').Append(x.Name);
                break;
            default:
                throw new ArgumentException($"unknown constant {constant.GetType().Name}", nameof(constant));
        }
    }

    /// <summary>JSON string syntax, which is what OVN's lexer reads.</summary>
    private static void AppendQuoted(StringBuilder b, string s)
    {
        b.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\r': b.Append("\\r"); break;
                case '\t': b.Append("\\t"); break;
                case '\b': b.Append("\\b"); break;
                case '\f': b.Append("\\f"); break;
                case < ' ' or '\u007f' or (>= '\ud800' and <= '\udfff'):
                    b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: b.Append(c); break;
            }
        }

        b.Append('"');
    }
}
