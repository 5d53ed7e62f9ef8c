using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

/// <summary>A set's elements are <c>Distinct().Order(ConstantOrder)</c> of what was written, on either side of the small-set path.</summary>
public sealed class ValueSetProperties
{
    // Constants of every family, with repeats and with pairs that order equal but differ (a mask written in hex and in decimal).
    private static readonly MatchConstant[] Pool =
    [
        new IntegerConstant(80), new IntegerConstant(80), new IntegerConstant(80, Hexadecimal: true), new IntegerConstant(443),
        new MaskedConstant(new IntegerConstant(0x10, true), new IntegerConstant(0xf0, true)),
        new MaskedConstant(new IntegerConstant(0x10, true), new IntegerConstant(0xf0)),
        Ipv4Constant.Parse("10.0.0.1"), Ipv4Constant.Parse("10.0.0.2"), PrefixConstant.Parse("10.0.0.0/8"), PrefixConstant.Parse("10.0.0.0/24"),
        Ipv6Constant.Parse("fd00::1"), PrefixConstant.Parse("fd00::/64"), MacConstant.Parse("0a:00:00:00:00:01"),
        new StringConstant("p1"), new StringConstant("p0"), new AddressSetRef("b"), new AddressSetRef("a"), new PortGroupRef("pg"),
    ];

    private static readonly Arbitrary<MatchConstant[]> Elements =
        Arb.From(Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Gen.Elements(Pool), n)));

    [Property(MaxTest = 500)]
    public Property Elements_are_the_first_of_equals_stably_sorted() =>
        Prop.ForAll(Elements, written =>
        {
            var expected = written.Distinct().Order(ConstantOrder.Instance).ToArray();
            var elements = new ValueSet(written).Elements;
            return elements.Length == expected.Length
                   && elements.Zip(expected).All(p => ReferenceEquals(p.First, p.Second));
        });
}
