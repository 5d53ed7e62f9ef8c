using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

public sealed class MatchProperties
{
    private static readonly Arbitrary<MatchExpr> Printable = Arb.From(MatchGen.PrintableExpression);

    private static readonly Arbitrary<(MatchExpr Expression, Packet Packet)> WithPacket =
        Arb.From(MatchGen.Expression.SelectMany(e => MatchGen.Packet.Select(p => (e, p))));

    private static readonly Arbitrary<(MatchExpr A, MatchExpr B, Packet Packet)> TwoWithPacket =
        Arb.From(MatchGen.Expression.Two().SelectMany(e => MatchGen.Packet.Select(p => (e.Item1, e.Item2, p))));

    private static readonly MatchEvaluator Evaluator = new(MatchGen.Context);

    [Property(MaxTest = 400)]
    public Property Generated_trees_are_valid_and_print_then_parse_back_equal() =>
        Prop.ForAll(Printable, expression =>
        {
            var diagnostics = MatchExpression.Check(expression);
            var printed = MatchExpression.Print(expression);
            var reparsed = MatchExpression.Parse(printed);
            return (diagnostics.IsEmpty && reparsed.Equals(expression) && MatchExpression.Print(reparsed) == printed)
                .Label($"printed: {printed}; diagnostics: {string.Join("; ", diagnostics)}");
        });

    [Property(MaxTest = 300)]
    public Property Double_negation_changes_nothing() =>
        Prop.ForAll(WithPacket, s =>
            Evaluator.Evaluate(new NotExpr(new NotExpr(s.Expression)), s.Packet) == Evaluator.Evaluate(s.Expression, s.Packet));

    [Property(MaxTest = 300)]
    public Property De_Morgan_holds_under_OVN_negation() =>
        Prop.ForAll(TwoWithPacket, s =>
        {
            var (a, b, p) = s;
            var notA = new NotExpr(a);
            var notB = new NotExpr(b);
            return Evaluator.Evaluate(new NotExpr(new AndExpr([a, b])), p) == Evaluator.Evaluate(new OrExpr([notA, notB]), p)
                && Evaluator.Evaluate(new NotExpr(new OrExpr([a, b])), p) == Evaluator.Evaluate(new AndExpr([notA, notB]), p);
        });

    /// <summary>
    /// OVN's '!' leaves prerequisites positive, so it is a complement only where they hold; elsewhere both an
    /// expression and its negation may be false (never both true).
    /// </summary>
    [Property(MaxTest = 400)]
    public Property Negation_is_a_complement_exactly_where_prerequisites_hold() =>
        Prop.ForAll(WithPacket, s =>
        {
            var positive = Evaluator.Evaluate(s.Expression, s.Packet);
            var negative = Evaluator.Evaluate(new NotExpr(s.Expression), s.Packet);
            return Evaluator.PrerequisitesHold(s.Expression, s.Packet)
                ? (positive != negative).Label("complement where prerequisites hold")
                : (!(positive && negative)).Label("never both true");
        });

    [Property(MaxTest = 200)]
    public Property Explanation_agrees_with_evaluation_and_its_decisive_part_evaluates_to_the_result() =>
        Prop.ForAll(WithPacket, s =>
        {
            var explanation = Evaluator.Explain(s.Expression, s.Packet);
            return explanation.Result == Evaluator.Evaluate(s.Expression, s.Packet)
                && explanation.Path.All(step => Evaluator.Evaluate(step, s.Packet) == explanation.Result);
        });
}
