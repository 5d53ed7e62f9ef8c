using System.Runtime.CompilerServices;
using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Data;

public sealed class OvsdbAtomTests
{
    private static readonly Guid SomeUuid = new("36bd4a3c-53c1-45d5-9b49-a8c62e23d7e0");

    [Fact]
    public void Factories_round_trip_through_accessors()
    {
        Assert.Equal(long.MinValue, OvsdbAtom.Integer(long.MinValue).AsInteger());
        Assert.Equal(long.MaxValue, OvsdbAtom.Integer(long.MaxValue).AsInteger());
        Assert.Equal(2.5, OvsdbAtom.Real(2.5).AsReal());
        Assert.True(OvsdbAtom.Boolean(true).AsBoolean());
        Assert.False(OvsdbAtom.Boolean(false).AsBoolean());
        Assert.Equal("héllo 😀", OvsdbAtom.String("héllo 😀").AsString());
        Assert.Equal(SomeUuid, OvsdbAtom.Uuid(SomeUuid).AsUuid());
        Assert.Equal("new_acl", OvsdbAtom.NamedUuid("new_acl").NamedUuidName);
    }

    [Fact]
    public void Types_are_reported_and_a_named_uuid_is_a_uuid()
    {
        Assert.Equal(OvsdbAtomicType.Integer, OvsdbAtom.Integer(3).Type);
        Assert.Equal(OvsdbAtomicType.Real, OvsdbAtom.Real(3).Type);
        Assert.Equal(OvsdbAtomicType.Boolean, OvsdbAtom.Boolean(true).Type);
        Assert.Equal(OvsdbAtomicType.String, OvsdbAtom.String("3").Type);
        Assert.Equal(OvsdbAtomicType.Uuid, OvsdbAtom.Uuid(SomeUuid).Type);
        Assert.Equal(OvsdbAtomicType.Uuid, OvsdbAtom.NamedUuid("x").Type);
        Assert.True(OvsdbAtom.NamedUuid("x").IsNamedUuid);
        Assert.False(OvsdbAtom.Uuid(SomeUuid).IsNamedUuid);
        Assert.Equal(OvsdbAtom.Integer(0), default);
    }

    [Fact]
    public void Accessors_of_the_wrong_type_throw()
    {
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.Integer(1).AsString());
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.String("1").AsInteger());
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.Integer(1).AsReal());
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.Real(1).AsBoolean());
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.Boolean(true).AsUuid());
        Assert.Throws<InvalidOperationException>(() => OvsdbAtom.Uuid(SomeUuid).NamedUuidName);
        var e = Assert.Throws<InvalidOperationException>(() => OvsdbAtom.NamedUuid("pending").AsUuid());
        Assert.Contains("pending", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Reals_that_JSON_cannot_carry_are_refused(double value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OvsdbAtom.Real(value));

    [Fact]
    public void Negative_zero_equals_zero()
    {
        Assert.Equal(OvsdbAtom.Real(0.0), OvsdbAtom.Real(-0.0));
        Assert.Equal(OvsdbAtom.Real(0.0).GetHashCode(), OvsdbAtom.Real(-0.0).GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("a b")]
    public void Named_uuids_must_be_identifiers(string name) =>
        Assert.Throws<ArgumentException>(() => OvsdbAtom.NamedUuid(name));

    [Fact]
    public void ToString_prints_RFC_7047_json()
    {
        Assert.Equal("-9223372036854775808", OvsdbAtom.Integer(long.MinValue).ToString());
        Assert.Equal("1.0", OvsdbAtom.Real(1).ToString());
        Assert.Equal("true", OvsdbAtom.Boolean(true).ToString());
        Assert.Equal("\"a\\\"b\"", OvsdbAtom.String("a\"b").ToString());
        Assert.Equal("[\"uuid\",\"36bd4a3c-53c1-45d5-9b49-a8c62e23d7e0\"]", OvsdbAtom.Uuid(SomeUuid).ToString());
        Assert.Equal("[\"named-uuid\",\"row_1\"]", OvsdbAtom.NamedUuid("row_1").ToString());
    }

    [Fact]
    public void Atoms_of_different_types_order_by_type()
    {
        OvsdbAtom[] ordered =
        [
            OvsdbAtom.Integer(long.MaxValue), OvsdbAtom.Real(double.MinValue), OvsdbAtom.Boolean(false),
            OvsdbAtom.String(""), OvsdbAtom.Uuid(Guid.Empty),
        ];
        for (var i = 1; i < ordered.Length; i++)
        {
            Assert.True(ordered[i - 1] < ordered[i], $"{ordered[i - 1]} < {ordered[i]}");
        }
    }

    [Fact]
    public void Values_order_as_OVS_orders_them()
    {
        Assert.True(OvsdbAtom.Integer(-5) < OvsdbAtom.Integer(3));
        Assert.True(OvsdbAtom.Integer(long.MinValue) < OvsdbAtom.Integer(long.MaxValue));
        Assert.True(OvsdbAtom.Real(-0.5) < OvsdbAtom.Real(0.25));
        Assert.True(OvsdbAtom.Boolean(false) < OvsdbAtom.Boolean(true));
        Assert.True(OvsdbAtom.String("B") < OvsdbAtom.String("a"));
        Assert.True(OvsdbAtom.String("a") < OvsdbAtom.String("ab"));
        // UTF-16 puts U+E000 after a surrogate pair; UTF-8 bytes (and OVS's strcmp) put it before.
        Assert.True(OvsdbAtom.String("\ue000") < OvsdbAtom.String("😀"));
        Assert.True(OvsdbAtom.String("\uffff") < OvsdbAtom.String("𐀀"));
        // Uuids by 128-bit value, which is the order of their text.
        Assert.True(OvsdbAtom.Uuid(new Guid("7fffffff-ffff-ffff-ffff-ffffffffffff")) < OvsdbAtom.Uuid(new Guid("80000000-0000-0000-0000-000000000000")));
        Assert.True(OvsdbAtom.Uuid(new Guid("00000000-0000-0000-0000-0000000000ff")) < OvsdbAtom.Uuid(new Guid("00000000-0000-0000-0001-000000000000")));
        Assert.True(OvsdbAtom.Uuid(new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff")) < OvsdbAtom.NamedUuid("a"));
    }

    [Fact]
    public void An_atom_stays_compact() => Assert.Equal(24, Unsafe.SizeOf<OvsdbAtom>());
}
