using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Schema;

public sealed class SchemaParseTests
{
    private const string NorthboundPath = "/usr/share/ovn/ovn-nb.ovsschema";
    private const string SouthboundPath = "/usr/share/ovn/ovn-sb.ovsschema";

    private static readonly Lazy<DatabaseSchema> Northbound = new(() => DatabaseSchema.Parse(File.ReadAllText(NorthboundPath)));

    private static ColumnType TypeOf(string json) =>
        DatabaseSchema.Parse("""{"name":"d","version":"1.0.0","tables":{"T":{"columns":{"c":{"type":""" + json + "}}}}}")
            .GetTable("T").GetColumn("c").Type;

    [Fact]
    public void The_northbound_schema_parses_completely()
    {
        var nb = Northbound.Value;
        Assert.Equal("OVN_Northbound", nb.Name);
        Assert.Matches(@"^\d+\.\d+\.\d+$", nb.Version);
        Assert.NotNull(nb.Checksum);
        Assert.Contains("ACL", nb.Tables.Keys);
        Assert.Contains("Logical_Switch", nb.Tables.Keys);
        Assert.True(nb.GetTable("NB_Global").IsRoot);
        Assert.False(nb.GetTable("ACL").IsRoot);
        Assert.Equal(1, nb.GetTable("NB_Global").MaxRows);
    }

    [Fact]
    public void The_southbound_schema_parses_completely()
    {
        var sb = DatabaseSchema.Parse(File.ReadAllText(SouthboundPath));
        Assert.Equal("OVN_Southbound", sb.Name);
        var chassisName = sb.GetTable("Chassis").GetColumn("name");
        Assert.True(chassisName.Type.IsScalar);
        Assert.Contains(sb.GetTable("Chassis").Indexes, index => index.SequenceEqual(["name"]));
    }

    [Fact]
    public void Every_table_has_the_implicit_columns()
    {
        foreach (var table in Northbound.Value.Tables.Values)
        {
            var uuid = table.GetColumn("_uuid");
            var version = table.GetColumn("_version");
            Assert.Equal(new ColumnType(BaseType.Uuid), uuid.Type);
            Assert.Equal(new ColumnType(BaseType.Uuid), version.Type);
            Assert.False(uuid.Mutable);
            Assert.True(uuid.IsImplicit);
        }
    }

    [Fact]
    public void ACL_columns_have_their_constraints()
    {
        var acl = Northbound.Value.GetTable("ACL");

        var direction = acl.GetColumn("direction").Type;
        Assert.True(direction.IsScalar);
        Assert.Equal(OvsdbDatum.StringSet(["from-lport", "to-lport"]), direction.Key.Enum);

        var priority = acl.GetColumn("priority").Type;
        Assert.Equal(OvsdbAtomicType.Integer, priority.Key.Type);
        Assert.Equal(0, priority.Key.MinInteger);
        Assert.Equal(32767, priority.Key.MaxInteger);

        var label = acl.GetColumn("label").Type;
        Assert.Equal(0, label.Key.MinInteger);
        Assert.Equal(4294967295, label.Key.MaxInteger);

        var severity = acl.GetColumn("severity").Type;
        Assert.True(severity.IsOptional);
        Assert.True(severity.IsSet);
        Assert.Contains(OvsdbAtom.String("alert"), severity.Key.Enum!.Keys.ToArray());

        var name = acl.GetColumn("name").Type;
        Assert.True(name.IsOptional);
        Assert.Equal(63, name.Key.MaxLength);

        var externalIds = acl.GetColumn("external_ids").Type;
        Assert.True(externalIds.IsMap);
        Assert.Equal(0, externalIds.Min);
        Assert.Equal(ColumnType.Unlimited, externalIds.Max);
        Assert.Equal(BaseType.String, externalIds.Value);

        Assert.Equal(new ColumnType(BaseType.String), acl.GetColumn("match").Type);
        Assert.Equal(new ColumnType(BaseType.Boolean), acl.GetColumn("log").Type);
    }

    [Fact]
    public void Port_group_and_address_set_columns()
    {
        var acls = Northbound.Value.GetTable("Port_Group").GetColumn("acls").Type;
        Assert.True(acls.IsSet);
        Assert.Equal(0, acls.Min);
        Assert.Equal(ColumnType.Unlimited, acls.Max);
        Assert.Equal("ACL", acls.Key.RefTable);
        Assert.Equal(OvsdbRefType.Strong, acls.Key.RefType);

        var addresses = Northbound.Value.GetTable("Address_Set").GetColumn("addresses").Type;
        Assert.True(addresses.IsSet);
        Assert.Equal(BaseType.String, addresses.Key);
        Assert.Contains(Northbound.Value.GetTable("Address_Set").Indexes, index => index.SequenceEqual(["name"]));
    }

    [Fact]
    public void Weak_references_are_recognised()
    {
        var type = TypeOf("""{"key":{"type":"uuid","refTable":"T","refType":"weak"},"min":0,"max":"unlimited"}""");
        Assert.Equal(OvsdbRefType.Weak, type.Key.RefType);
    }

    [Fact]
    public void Every_type_form_of_RFC_7047_parses()
    {
        Assert.Equal(new ColumnType(BaseType.Real), TypeOf("\"real\""));
        Assert.Equal(new ColumnType(BaseType.Integer), TypeOf("""{"key":"integer"}"""));
        Assert.Equal(new ColumnType(BaseType.Integer) , TypeOf("""{"key":{"type":"integer"}}"""));
        Assert.Equal(new ColumnType(BaseType.String, BaseType.Integer, 1, 5), TypeOf("""{"key":"string","value":"integer","max":5}"""));
        Assert.Equal(ColumnType.Unlimited, TypeOf("""{"key":"boolean","min":0,"max":"unlimited"}""").Max);

        var bareEnum = TypeOf("""{"key":{"type":"string","enum":"only"}}""");
        Assert.Equal(OvsdbDatum.FromString("only"), bareEnum.Key.Enum);
        var setEnum = TypeOf("""{"key":{"type":"integer","enum":["set",[3,1,2]]}}""");
        Assert.Equal(OvsdbDatum.Set(OvsdbAtom.Integer(1), OvsdbAtom.Integer(2), OvsdbAtom.Integer(3)), setEnum.Key.Enum);

        var real = TypeOf("""{"key":{"type":"real","minReal":-1.5,"maxReal":2}}""");
        Assert.Equal(-1.5, real.Key.MinReal);
        Assert.Equal(2.0, real.Key.MaxReal);
        var length = TypeOf("""{"key":{"type":"string","minLength":1,"maxLength":3}}""");
        Assert.Equal(1, length.Key.MinLength);
        Assert.Equal(3, length.Key.MaxLength);
    }

    [Fact]
    public void Column_flags_and_old_schemas_without_isRoot()
    {
        var schema = DatabaseSchema.Parse("""
            {"name":"d","version":"1.0.0","tables":{
              "A":{"columns":{"e":{"type":"string","ephemeral":true},"m":{"type":"string","mutable":false}}},
              "B":{"columns":{}}}}
            """);
        Assert.True(schema.GetTable("A").GetColumn("e").Ephemeral);
        Assert.True(schema.GetTable("A").GetColumn("e").Mutable);
        Assert.False(schema.GetTable("A").GetColumn("m").Mutable);
        Assert.True(schema.GetTable("A").IsRoot);
        Assert.True(schema.GetTable("B").IsRoot);
        Assert.Null(schema.Checksum);
    }

    [Fact]
    public void Unknown_tables_and_columns_are_named_in_the_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Northbound.Value.GetTable("Nope"));
        Assert.Contains("Nope", e.Message);
        Assert.Contains("OVN_Northbound", e.Message);
        var c = Assert.Throws<ArgumentException>(() => Northbound.Value.GetTable("ACL").GetColumn("nope"));
        Assert.Contains("ACL", c.Message);
        Assert.Contains("nope", c.Message);
    }

    [Theory]
    [InlineData("\"int\"", "unknown atomic type")]
    [InlineData("""{"key":"string","min":2}""", "min")]
    [InlineData("""{"key":"string","max":0}""", "max")]
    [InlineData("""{"key":"string","max":"lots"}""", "unlimited")]
    [InlineData("""{"value":"string"}""", "key")]
    [InlineData("""{"key":{"type":"integer","minInteger":5,"maxInteger":1}}""", "minInteger")]
    [InlineData("""{"key":{"type":"uuid","refTable":"T","refType":"soft"}}""", "refType")]
    [InlineData("""{"key":{"type":"uuid","refTable":"Missing"}}""", "Missing")]
    [InlineData("""{"key":{"type":"integer","enum":["set",["x"]]}}""", "enum")]
    public void Invalid_schemas_are_refused_with_the_reason(string type, string expected)
    {
        var e = Assert.Throws<OvsdbProtocolException>(() => TypeOf(type));
        Assert.Contains(expected, e.Message);
        Assert.Contains("c", e.Message);
    }

    [Fact]
    public void Malformed_schema_documents_are_refused()
    {
        Assert.Throws<OvsdbProtocolException>(() => DatabaseSchema.Parse("{"));
        Assert.Throws<OvsdbProtocolException>(() => DatabaseSchema.Parse("""{"version":"1.0.0","tables":{}}"""));
        Assert.Throws<OvsdbProtocolException>(() => DatabaseSchema.Parse("""{"name":"d","tables":{"T":{}}}"""));
        Assert.Throws<OvsdbProtocolException>(() => DatabaseSchema.Parse("""{"name":"d","tables":{"T":{"columns":{"_uuid":{"type":"uuid"}}}}}"""));
        Assert.Throws<OvsdbProtocolException>(() => DatabaseSchema.Parse("""{"name":"d","tables":{"T":{"columns":{},"indexes":[["x"]]}}}"""));
    }
}
