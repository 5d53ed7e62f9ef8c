using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Data;

public sealed class OvsdbJsonTests
{
    private static readonly Guid A = new("0f8c5a7e-0000-4000-8000-000000000001");
    private static readonly Guid B = new("ff8c5a7e-0000-4000-8000-000000000002");
    private static readonly ColumnType Integer = new(BaseType.Integer);
    private static readonly ColumnType Real = new(BaseType.Real);
    private static readonly ColumnType UuidSet = new(BaseType.Uuid, null, 0, ColumnType.Unlimited);
    private static readonly ColumnType StringSet = new(BaseType.String, null, 0, ColumnType.Unlimited);
    private static readonly ColumnType StringMap = new(BaseType.String, BaseType.String, 0, ColumnType.Unlimited);

    private static OvsdbDatum Read(string json, ColumnType type) => OvsdbJson.ReadDatum(TestJson.Parse(json), type);

    [Theory]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    [InlineData(4294967295, "4294967295")]
    [InlineData(0, "0")]
    public void Integers_use_all_64_bits(long value, string json)
    {
        Assert.Equal(json, TestJson.Write(OvsdbDatum.FromInteger(value)));
        Assert.Equal(OvsdbDatum.FromInteger(value), Read(json, Integer));
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(-3.0, "-3.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(1e20, "1E+20")]
    [InlineData(-0.0, "0.0")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(0.1, "0.1")]
    public void Reals_are_written_so_they_read_back_as_reals(double value, string json)
    {
        var datum = OvsdbDatum.Scalar(OvsdbAtom.Real(value));
        Assert.Equal(json, TestJson.Write(datum));
        Assert.Equal(datum, Read(json, Real));
        Assert.Equal(OvsdbAtomicType.Real, OvsdbJson.ReadAtom(TestJson.Parse(json)).Type);
    }

    [Fact]
    public void A_real_column_accepts_a_JSON_integer_as_ovsdb_server_prints_integral_reals()
    {
        Assert.Equal(OvsdbDatum.Scalar(OvsdbAtom.Real(3)), Read("3", Real));
        Assert.Equal(OvsdbDatum.Scalar(OvsdbAtom.Real(1e19)), Read("10000000000000000000", Real));
    }

    [Fact]
    public void Uuids_and_named_uuids()
    {
        Assert.Equal($"[\"uuid\",\"{A}\"]", TestJson.Write(OvsdbDatum.FromUuid(A)));
        Assert.Equal(OvsdbDatum.FromUuid(A), Read($"[\"uuid\",\"{A}\"]", new ColumnType(BaseType.Uuid)));
        Assert.Equal("[\"named-uuid\",\"acl0\"]", TestJson.Write(OvsdbDatum.Scalar(OvsdbAtom.NamedUuid("acl0"))));
        Assert.Equal(OvsdbAtom.NamedUuid("acl0"), OvsdbJson.ReadAtom(TestJson.Parse("[\"named-uuid\",\"acl0\"]")));
    }

    [Fact]
    public void A_set_of_one_is_the_bare_atom_and_reads_back_either_way()
    {
        var one = OvsdbDatum.UuidSet([A]);
        Assert.Equal($"[\"uuid\",\"{A}\"]", TestJson.Write(one));
        Assert.Equal(one, Read($"[\"uuid\",\"{A}\"]", UuidSet));
        Assert.Equal(one, Read($"[\"set\",[[\"uuid\",\"{A}\"]]]", UuidSet));
    }

    [Fact]
    public void Sets_and_maps_of_several_elements_and_none()
    {
        Assert.Equal("[\"set\",[]]", TestJson.Write(OvsdbDatum.Empty));
        Assert.Equal(OvsdbDatum.Empty, Read("[\"set\",[]]", StringSet));
        Assert.Equal($"[\"set\",[[\"uuid\",\"{A}\"],[\"uuid\",\"{B}\"]]]", TestJson.Write(OvsdbDatum.UuidSet([B, A])));
        Assert.Equal(OvsdbDatum.UuidSet([A, B]), Read($"[\"set\",[[\"uuid\",\"{B}\"],[\"uuid\",\"{A}\"]]]", UuidSet));

        Assert.Equal("[\"map\",[]]", TestJson.Write(OvsdbDatum.EmptyMap));
        var empty = Read("[\"map\",[]]", StringMap);
        Assert.True(empty.IsMap);
        Assert.Equal(0, empty.Count);
        var map = OvsdbDatum.StringMap([KeyValuePair.Create("b", "2"), KeyValuePair.Create("a", "1")]);
        Assert.Equal("[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]", TestJson.Write(map));
        Assert.Equal(map, Read("[\"map\",[[\"b\",\"2\"],[\"a\",\"1\"]]]", StringMap));
    }

    [Fact]
    public void A_one_entry_map_stays_a_map()
    {
        var map = OvsdbDatum.StringMap([KeyValuePair.Create("k", "v")]);
        Assert.Equal("[\"map\",[[\"k\",\"v\"]]]", TestJson.Write(map));
    }

    [Fact]
    public void Map_values_of_any_atomic_type()
    {
        var type = new ColumnType(BaseType.Integer, BaseType.Uuid, 0, ColumnType.Unlimited);
        var json = $"[\"map\",[[1,[\"uuid\",\"{A}\"]],[2,[\"uuid\",\"{B}\"]]]]";
        var datum = Read(json, type);
        Assert.True(datum.TryGetValue(OvsdbAtom.Integer(2), out var value));
        Assert.Equal(B, value.AsUuid());
        Assert.Equal(json, TestJson.Write(datum));
    }

    [Fact]
    public void Strings_are_escaped_and_unescaped()
    {
        var datum = OvsdbDatum.FromString("ip4.src == {10.0.0.1} && \"x\"\\ é 😀\n");
        var json = TestJson.Write(datum);
        Assert.Equal(datum, Read(json, new ColumnType(BaseType.String)));
    }

    [Fact]
    public void Strings_of_an_enum_column_share_the_schema_instances()
    {
        var type = new ColumnType(new BaseType(OvsdbAtomicType.String) { Enum = OvsdbDatum.StringSet(["from-lport", "to-lport"]) });
        var enumInstance = type.Key.Enum!.Keys[1].AsString();
        Assert.Same(enumInstance, Read("\"to-lport\"", type).Keys[0].AsString());
    }

    [Fact]
    public void Schema_less_reading_guesses_integer_or_real_from_the_text()
    {
        Assert.Equal(OvsdbAtom.Integer(5), OvsdbJson.ReadAtom(TestJson.Parse("5")));
        Assert.Equal(OvsdbAtom.Real(5), OvsdbJson.ReadAtom(TestJson.Parse("5.0")));
        Assert.Equal(OvsdbAtom.Real(5), OvsdbJson.ReadAtom(TestJson.Parse("5e0")));
        Assert.Equal(OvsdbAtom.Real(18446744073709551616.0), OvsdbJson.ReadAtom(TestJson.Parse("18446744073709551616")));
        var map = OvsdbJson.ReadDatum(TestJson.Parse("[\"map\",[[\"a\",true],[\"b\",[\"uuid\",\"" + A + "\"]]]]"));
        Assert.True(map.IsMap);
        Assert.Equal(2, map.Count);
        Assert.Equal(OvsdbDatum.Set(OvsdbAtom.Integer(1), OvsdbAtom.String("x")), OvsdbJson.ReadDatum(TestJson.Parse("[\"set\",[\"x\",1]]")));
    }

    [Theory]
    [InlineData("\"5\"", "integer")]
    [InlineData("5.5", "integer")]
    [InlineData("true", "integer")]
    [InlineData("[\"set\",{}]", "array")]
    [InlineData("[\"set\",[1,1]]", "twice")]
    [InlineData("[\"map\",[]]", "integer")]
    public void Malformed_integers_are_protocol_errors(string json, string expected)
    {
        var e = Assert.Throws<OvsdbProtocolException>(() => Read(json, new ColumnType(BaseType.Integer, null, 0, 5)));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("[\"uuid\",\"not-a-uuid\"]", "uuid")]
    [InlineData("[\"uuid\"]", "uuid")]
    [InlineData("[\"named-uuid\",\"x\"]", "uuid")]
    [InlineData("\"0f8c5a7e-0000-4000-8000-000000000001\"", "uuid")]
    public void Malformed_uuids_are_protocol_errors(string json, string expected)
    {
        var e = Assert.Throws<OvsdbProtocolException>(() => Read(json, UuidSet));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("[\"set\",[[\"a\",\"b\"]]]")]
    [InlineData("\"a\"")]
    [InlineData("[\"map\",[[\"a\"]]]")]
    [InlineData("[\"map\",[[\"a\",1]]]")]
    [InlineData("[\"map\",[[\"a\",\"1\"],[\"a\",\"2\"]]]")]
    public void Malformed_maps_are_protocol_errors(string json) =>
        Assert.Throws<OvsdbProtocolException>(() => Read(json, StringMap));

    [Theory]
    [InlineData("[\"set\",[1,\"x\"]]", "integer")]
    [InlineData("[\"map\",[]]", "set")]
    [InlineData("[\"uuid\",\"0f8c5a7e-0000-4000-8000-000000000001\"]", "set")]
    [InlineData("[\"set\",[1", "ended")]
    [InlineData("[\"set\",[1,1]]", "twice")]
    [InlineData("[1]", "\"set\"")]
    public void The_reader_decoder_reports_malformed_values(string json, string expected)
    {
        var e = Assert.Throws<OvsdbProtocolException>(() =>
        {
            var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json), isFinalBlock: false, state: default);
            reader.Read();
            OvsdbJson.ReadDatum(ref reader, new ColumnType(BaseType.Integer, null, 0, 3));
        });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_reader_decoder_stops_on_the_value_s_last_token()
    {
        var json = System.Text.Encoding.UTF8.GetBytes($"{{\"a\":[\"map\",[[\"k\",[\"uuid\",\"{A}\"]]]],\"b\":[\"set\",[]],\"c\":7}}");
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read();
        var types = new Dictionary<string, ColumnType>
        {
            ["a"] = new(BaseType.String, BaseType.Uuid, 0, ColumnType.Unlimited),
            ["b"] = StringSet,
            ["c"] = Integer,
        };
        var row = new Dictionary<string, OvsdbDatum>();
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            row[name] = OvsdbJson.ReadDatum(ref reader, types[name]);
        }

        Assert.Equal(3, row.Count);
        Assert.True(row["a"].TryGetValue(OvsdbAtom.String("k"), out var uuid));
        Assert.Equal(A, uuid.AsUuid());
        Assert.Equal(OvsdbDatum.Empty, row["b"]);
        Assert.Equal(OvsdbDatum.FromInteger(7), row["c"]);
    }

    [Fact]
    public void Rows_are_read_with_their_table_schema()
    {
        var schema = DatabaseSchema.Parse("""
            {"name":"db","version":"1.0.0","tables":{"T":{"columns":{
              "n":{"type":"integer"},
              "tags":{"type":{"key":"string","min":0,"max":"unlimited"}}}}}}
            """);
        var row = OvsdbJson.ReadRow(TestJson.Parse($"{{\"_uuid\":[\"uuid\",\"{A}\"],\"n\":7,\"tags\":\"x\"}}"), schema.GetTable("T"));
        Assert.Equal(OvsdbDatum.FromUuid(A), row["_uuid"]);
        Assert.Equal(OvsdbDatum.FromInteger(7), row["n"]);
        Assert.Equal(OvsdbDatum.FromString("x"), row["tags"]);
        Assert.Throws<OvsdbProtocolException>(() => OvsdbJson.ReadRow(TestJson.Parse("{\"nope\":1}"), schema.GetTable("T")));
    }
}
