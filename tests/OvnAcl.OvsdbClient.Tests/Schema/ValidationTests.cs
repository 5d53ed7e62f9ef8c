using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Schema;

public sealed class ValidationTests
{
    private static readonly TableSchema Acl = DatabaseSchema.Parse(File.ReadAllText("/usr/share/ovn/ovn-nb.ovsschema")).GetTable("ACL");

    private static OvsdbValueException Invalid(string column, OvsdbDatum value) =>
        Assert.Throws<OvsdbValueException>(() => Acl.GetColumn(column).Type.Validate(value, "ACL", column));

    private static void Valid(string column, OvsdbDatum value) => Acl.GetColumn(column).Type.Validate(value, "ACL", column);

    [Fact]
    public void Valid_values_pass()
    {
        Valid("priority", OvsdbDatum.FromInteger(32767));
        Valid("priority", OvsdbDatum.FromInteger(0));
        Valid("label", OvsdbDatum.FromInteger(4294967295));
        Valid("direction", OvsdbDatum.FromString("to-lport"));
        Valid("severity", OvsdbDatum.Empty);
        Valid("severity", OvsdbDatum.FromString("info"));
        Valid("name", OvsdbDatum.FromString(new string('x', 63)));
        Valid("external_ids", OvsdbDatum.EmptyMap);
        Valid("external_ids", OvsdbDatum.Empty);
        Valid("external_ids", OvsdbDatum.StringMap([KeyValuePair.Create("k", "v")]));
    }

    [Fact]
    public void The_message_names_table_column_and_value()
    {
        var e = Invalid("priority", OvsdbDatum.FromInteger(40000));
        Assert.Equal("ACL", e.Table);
        Assert.Equal("priority", e.Column);
        Assert.Equal("40000", e.Value);
        Assert.Contains("ACL.priority", e.Message);
        Assert.Contains("40000", e.Message);
        Assert.Contains("0 to 32767", e.Reason);
    }

    [Fact]
    public void Wrong_atomic_type()
    {
        var e = Invalid("priority", OvsdbDatum.FromString("100"));
        Assert.Contains("is a string but the column holds integers", e.Reason);
    }

    [Fact]
    public void Too_few_and_too_many_elements()
    {
        Assert.Contains("0 elements given but the column holds exactly 1", Invalid("priority", OvsdbDatum.Empty).Reason);
        Assert.Contains("2 elements given but the column holds 0 to 1", Invalid("severity", OvsdbDatum.StringSet(["info", "debug"])).Reason);
    }

    [Fact]
    public void Not_in_the_enum()
    {
        var e = Invalid("direction", OvsdbDatum.FromString("sideways"));
        Assert.Contains("\"sideways\" is not one of the allowed values", e.Reason);
        Assert.Contains("to-lport", e.Reason);
    }

    [Fact]
    public void Integer_out_of_range_at_both_ends()
    {
        Assert.Contains("outside the range 0 to 32767", Invalid("priority", OvsdbDatum.FromInteger(-1)).Reason);
        Assert.Contains("outside the range 0 to 4294967295", Invalid("label", OvsdbDatum.FromInteger(4294967296)).Reason);
    }

    [Fact]
    public void Real_out_of_range()
    {
        var type = new ColumnType(new BaseType(OvsdbAtomicType.Real) { MinReal = 0, MaxReal = 1 });
        var e = Assert.Throws<OvsdbValueException>(() => type.Validate(OvsdbDatum.Scalar(OvsdbAtom.Real(1.5)), "T", "r"));
        Assert.Contains("1.5 is outside the range 0 to 1", e.Reason);
        type.Validate(OvsdbDatum.Scalar(OvsdbAtom.Real(1)), "T", "r");
    }

    [Fact]
    public void String_length_counts_characters_as_OVS_does()
    {
        var e = Invalid("name", OvsdbDatum.FromString(new string('x', 64)));
        Assert.Contains("has 64 characters but the length must be at most 63", e.Reason);
        // 63 astral characters are 126 UTF-16 units but 63 characters.
        Valid("name", OvsdbDatum.FromString(string.Concat(Enumerable.Repeat("😀", 63))));
        var min = new ColumnType(new BaseType(OvsdbAtomicType.String) { MinLength = 1 });
        Assert.Contains("at least 1", Assert.Throws<OvsdbValueException>(() => min.Validate(OvsdbDatum.FromString(""), "T", "s")).Reason);
    }

    [Fact]
    public void Map_where_a_set_is_expected_and_the_reverse()
    {
        Assert.Contains("expected a set", Invalid("severity", OvsdbDatum.StringMap([KeyValuePair.Create("info", "x")])).Reason);
        Assert.Contains("expected a map", Invalid("external_ids", OvsdbDatum.FromString("k")).Reason);
    }

    [Fact]
    public void Map_keys_and_values_are_checked()
    {
        var type = new ColumnType(BaseType.String, new BaseType(OvsdbAtomicType.Integer) { MaxInteger = 9 }, 0, ColumnType.Unlimited);
        var value = OvsdbDatum.Map([KeyValuePair.Create(OvsdbAtom.String("k"), OvsdbAtom.Integer(10))]);
        var e = Assert.Throws<OvsdbValueException>(() => type.Validate(value, "T", "m"));
        Assert.Contains("value of key \"k\"", e.Reason);
        var badKey = OvsdbDatum.Map([KeyValuePair.Create(OvsdbAtom.Integer(1), OvsdbAtom.Integer(1))]);
        Assert.StartsWith("key ", Assert.Throws<OvsdbValueException>(() => type.Validate(badKey, "T", "m")).Reason);
    }

    [Fact]
    public void Named_uuids_are_accepted_where_uuids_are()
    {
        var acls = DatabaseSchema.Parse(File.ReadAllText("/usr/share/ovn/ovn-nb.ovsschema")).GetTable("Port_Group").GetColumn("acls").Type;
        acls.Validate(OvsdbDatum.Set(OvsdbAtom.NamedUuid("acl0"), OvsdbAtom.Uuid(Guid.NewGuid())), "Port_Group", "acls");
        Assert.Throws<OvsdbValueException>(() => acls.Validate(OvsdbDatum.FromString("acl0"), "Port_Group", "acls"));
    }
}
