using OvnAcl.Ovsdb;
using OvnAcl.OvsdbClient.Tests.Data;

namespace OvnAcl.OvsdbClient.Tests.Transactions;

public sealed class OvsdbTransactionTests
{
    internal static readonly DatabaseSchema Nb = DatabaseSchema.Parse(File.ReadAllText("/usr/share/ovn/ovn-nb.ovsschema"));

    private static readonly Guid Pg = new("6a4b3c2d-1e0f-4a5b-8c7d-9e8f7a6b5c4d");

    private static string Params(OvsdbTransaction tx) => TestJson.Write(tx.WriteParams);

    private static Dictionary<string, OvsdbDatum> Row(params (string Column, OvsdbDatum Value)[] columns) =>
        columns.ToDictionary(c => c.Column, c => c.Value);

    private static Dictionary<string, OvsdbDatum> AclRow() => Row(
        ("priority", OvsdbDatum.FromInteger(1001)),
        ("direction", OvsdbDatum.FromString("to-lport")),
        ("match", OvsdbDatum.FromString("outport == @pg && ip4")),
        ("action", OvsdbDatum.FromString("allow-related")),
        ("label", OvsdbDatum.FromInteger(4294967295)),
        ("external_ids", OvsdbDatum.StringMap([KeyValuePair.Create("owner", "ovnacl")])));

    [Fact]
    public void An_empty_transaction_names_the_database()
    {
        var tx = new OvsdbTransaction(Nb);
        Assert.Equal(0, tx.Count);
        Assert.Equal("[\"OVN_Northbound\"]", Params(tx));
    }

    [Fact]
    public void Insert_and_reference_the_new_row_by_name()
    {
        var tx = new OvsdbTransaction(Nb);
        var acl = tx.Insert("ACL", AclRow(), "acl0");
        tx.Mutate("Port_Group", [OvsdbCondition.UuidEquals(Pg)], [OvsdbMutation.Insert("acls", OvsdbDatum.Scalar(OvsdbAtom.NamedUuid(acl)))]);
        Assert.Equal("acl0", acl);
        Assert.Equal(2, tx.Count);
        Assert.Equal(
            "[\"OVN_Northbound\","
            + "{\"op\":\"insert\",\"table\":\"ACL\",\"row\":{\"priority\":1001,\"direction\":\"to-lport\",\"match\":\"outport == @pg && ip4\","
            + "\"action\":\"allow-related\",\"label\":4294967295,\"external_ids\":[\"map\",[[\"owner\",\"ovnacl\"]]]},\"uuid-name\":\"acl0\"},"
            + "{\"op\":\"mutate\",\"table\":\"Port_Group\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"6a4b3c2d-1e0f-4a5b-8c7d-9e8f7a6b5c4d\"]]],"
            + "\"mutations\":[[\"acls\",\"insert\",[\"named-uuid\",\"acl0\"]]]}]",
            Params(tx));
    }

    [Fact]
    public void Insert_generates_unique_names_and_writes_an_explicit_uuid()
    {
        var tx = new OvsdbTransaction(Nb);
        var first = tx.Insert("Address_Set", Row(("name", OvsdbDatum.FromString("as1"))));
        var second = tx.Insert("Address_Set", Row(("name", OvsdbDatum.FromString("as2"))), uuid: Pg);
        Assert.NotEqual(first, second);
        Assert.Contains($"\"uuid-name\":\"{second}\",\"uuid\":\"{Pg}\"", Params(tx));
        Assert.Throws<ArgumentException>(() => tx.Insert("Address_Set", Row(), first));
        Assert.Throws<ArgumentException>(() => tx.Insert("Address_Set", Row(), "not an id"));
    }

    [Fact]
    public void Update_delete_select_wait_and_the_rest()
    {
        var tx = new OvsdbTransaction(Nb);
        var byName = OvsdbCondition.Equal("name", "as1");
        tx.Update("Address_Set", [byName], Row(("addresses", OvsdbDatum.StringSet(["10.0.0.2", "10.0.0.1"]))));
        tx.Delete("ACL", [OvsdbCondition.Includes("external_ids", OvsdbDatum.StringMap([KeyValuePair.Create("owner", "ovnacl")]))]);
        tx.Select("ACL", [new OvsdbCondition("priority", OvsdbFunction.GreaterOrEqual, OvsdbDatum.FromInteger(1000))], ["_uuid", "match"]);
        tx.Select("Address_Set", []);
        tx.Wait("Address_Set", [byName], ["addresses"], OvsdbWaitUntil.Equal, [Row(("addresses", OvsdbDatum.Empty))], 0);
        tx.Comment("ovnacl sync");
        tx.Assert("ovnacl_lock");
        tx.Abort();
        Assert.Equal(
            "[\"OVN_Northbound\","
            + "{\"op\":\"update\",\"table\":\"Address_Set\",\"where\":[[\"name\",\"==\",\"as1\"]],\"row\":{\"addresses\":[\"set\",[\"10.0.0.1\",\"10.0.0.2\"]]}},"
            + "{\"op\":\"delete\",\"table\":\"ACL\",\"where\":[[\"external_ids\",\"includes\",[\"map\",[[\"owner\",\"ovnacl\"]]]]]},"
            + "{\"op\":\"select\",\"table\":\"ACL\",\"where\":[[\"priority\",\">=\",1000]],\"columns\":[\"_uuid\",\"match\"]},"
            + "{\"op\":\"select\",\"table\":\"Address_Set\",\"where\":[]},"
            + "{\"op\":\"wait\",\"table\":\"Address_Set\",\"timeout\":0,\"where\":[[\"name\",\"==\",\"as1\"]],\"columns\":[\"addresses\"],\"until\":\"==\",\"rows\":[{\"addresses\":[\"set\",[]]}]},"
            + "{\"op\":\"comment\",\"comment\":\"ovnacl sync\"},"
            + "{\"op\":\"assert\",\"lock\":\"ovnacl_lock\"},"
            + "{\"op\":\"abort\"}]",
            Params(tx));
    }

    [Theory]
    [InlineData(OvsdbFunction.LessThan, "<")]
    [InlineData(OvsdbFunction.LessOrEqual, "<=")]
    [InlineData(OvsdbFunction.Equal, "==")]
    [InlineData(OvsdbFunction.NotEqual, "!=")]
    [InlineData(OvsdbFunction.GreaterOrEqual, ">=")]
    [InlineData(OvsdbFunction.GreaterThan, ">")]
    [InlineData(OvsdbFunction.Includes, "includes")]
    [InlineData(OvsdbFunction.Excludes, "excludes")]
    public void Every_function_is_spelled_as_RFC_7047_spells_it(OvsdbFunction function, string spelled)
    {
        var tx = new OvsdbTransaction(Nb);
        tx.Delete("ACL", [new OvsdbCondition("priority", function, OvsdbDatum.FromInteger(5))]);
        Assert.Contains($"[\"priority\",\"{spelled}\",5]", Params(tx));
    }

    [Theory]
    [InlineData(OvsdbMutator.Add, "+=")]
    [InlineData(OvsdbMutator.Subtract, "-=")]
    [InlineData(OvsdbMutator.Multiply, "*=")]
    [InlineData(OvsdbMutator.Divide, "/=")]
    [InlineData(OvsdbMutator.Modulo, "%=")]
    public void Every_arithmetic_mutator_is_spelled_as_RFC_7047_spells_it(OvsdbMutator mutator, string spelled)
    {
        var tx = new OvsdbTransaction(Nb);
        tx.Mutate("ACL", [], [new OvsdbMutation("priority", mutator, OvsdbDatum.FromInteger(2))]);
        Assert.Contains($"[\"priority\",\"{spelled}\",2]", Params(tx));
    }

    [Fact]
    public void Map_delete_takes_a_map_or_a_set_of_keys()
    {
        var tx = new OvsdbTransaction(Nb);
        tx.Mutate("ACL", [], [
            OvsdbMutation.Delete("external_ids", OvsdbDatum.StringSet(["a", "b"])),
            OvsdbMutation.Delete("external_ids", OvsdbDatum.StringMap([KeyValuePair.Create("a", "1")])),
        ]);
        Assert.Contains("[[\"external_ids\",\"delete\",[\"set\",[\"a\",\"b\"]]],[\"external_ids\",\"delete\",[\"map\",[[\"a\",\"1\"]]]]]", Params(tx));
    }

    [Fact]
    public void Unknown_tables_and_columns_are_refused_by_name()
    {
        var tx = new OvsdbTransaction(Nb);
        Assert.Contains("Nope", Assert.Throws<ArgumentException>(() => tx.Insert("Nope", Row())).Message);
        Assert.Contains("bogus", Assert.Throws<ArgumentException>(() => tx.Insert("ACL", Row(("bogus", OvsdbDatum.Empty)))).Message);
        Assert.Contains("bogus", Assert.Throws<ArgumentException>(() => tx.Delete("ACL", [OvsdbCondition.Equal("bogus", "x")])).Message);
        Assert.Contains("bogus", Assert.Throws<ArgumentException>(() => tx.Select("ACL", [], ["bogus"])).Message);
        Assert.Equal(0, tx.Count);
    }

    [Fact]
    public void Invalid_values_are_refused_when_added()
    {
        var tx = new OvsdbTransaction(Nb);
        var row = AclRow();
        row["priority"] = OvsdbDatum.FromInteger(99999);
        var e = Assert.Throws<OvsdbValueException>(() => tx.Insert("ACL", row));
        Assert.Equal("priority", e.Column);
        Assert.Throws<OvsdbValueException>(() => tx.Delete("ACL", [OvsdbCondition.Equal("direction", "sideways")]));
        Assert.Equal(0, tx.Count);
    }

    [Fact]
    public void Implicit_columns_are_not_writable()
    {
        var tx = new OvsdbTransaction(Nb);
        Assert.Throws<OvsdbValueException>(() => tx.Insert("ACL", Row(("_uuid", OvsdbDatum.FromUuid(Pg)))));
        Assert.Throws<OvsdbValueException>(() => tx.Update("ACL", [], Row(("_version", OvsdbDatum.FromUuid(Pg)))));
        Assert.Throws<OvsdbValueException>(() => tx.Mutate("ACL", [], [OvsdbMutation.Insert("_uuid", OvsdbDatum.FromUuid(Pg))]));
    }

    [Fact]
    public void Immutable_columns_can_be_inserted_but_not_updated_or_mutated()
    {
        var schema = DatabaseSchema.Parse("""
            {"name":"d","version":"1.0.0","tables":{"T":{"columns":{
              "fixed":{"type":{"key":"string","min":0,"max":"unlimited"},"mutable":false}}}}}
            """);
        var tx = new OvsdbTransaction(schema);
        tx.Insert("T", Row(("fixed", OvsdbDatum.FromString("x"))));
        Assert.Contains("immutable", Assert.Throws<OvsdbValueException>(() => tx.Update("T", [], Row(("fixed", OvsdbDatum.FromString("y"))))).Reason);
        Assert.Contains("immutable", Assert.Throws<OvsdbValueException>(() => tx.Mutate("T", [], [OvsdbMutation.Insert("fixed", OvsdbDatum.FromString("y"))])).Reason);
    }

    [Fact]
    public void Ordering_functions_need_numeric_scalars()
    {
        var tx = new OvsdbTransaction(Nb);
        var e = Assert.Throws<OvsdbValueException>(() => tx.Select("ACL", [new OvsdbCondition("match", OvsdbFunction.LessThan, OvsdbDatum.FromString("a"))]));
        Assert.Contains("\"<\"", e.Reason);
        tx.Select("ACL", [new OvsdbCondition("priority", OvsdbFunction.LessThan, OvsdbDatum.FromInteger(10))]);
    }

    [Fact]
    public void Includes_and_excludes_relax_the_element_count()
    {
        var schema = DatabaseSchema.Parse("""
            {"name":"d","version":"1.0.0","tables":{"T":{"columns":{
              "two":{"type":{"key":"integer","min":1,"max":2}}}}}}
            """);
        var tx = new OvsdbTransaction(schema);
        tx.Select("T", [OvsdbCondition.Includes("two", OvsdbDatum.Empty)]);
        tx.Select("T", [OvsdbCondition.Excludes("two", OvsdbDatum.Set(OvsdbAtom.Integer(1), OvsdbAtom.Integer(2), OvsdbAtom.Integer(3)))]);
        Assert.Throws<OvsdbValueException>(() => tx.Select("T", [OvsdbCondition.Equal("two", OvsdbDatum.Empty)]));
        Assert.Throws<OvsdbValueException>(() => tx.Select("T", [OvsdbCondition.Includes("two", OvsdbDatum.Set(OvsdbAtom.Integer(1), OvsdbAtom.Integer(2), OvsdbAtom.Integer(3)))]));
    }

    [Fact]
    public void Mutation_values_follow_RFC_7047()
    {
        var schema = DatabaseSchema.Parse("""
            {"name":"d","version":"1.0.0","tables":{"T":{"columns":{
              "n":{"type":{"key":{"type":"integer","maxInteger":10}}},
              "r":{"type":"real"},
              "s":{"type":"string"},
              "ns":{"type":{"key":"integer","min":0,"max":3}},
              "m":{"type":{"key":"string","value":"integer","min":0,"max":"unlimited"}},
              "e":{"type":{"key":{"type":"string","enum":["set",["a","b"]]},"min":0,"max":"unlimited"}}}}}}
            """);
        var tx = new OvsdbTransaction(schema);
        OvsdbValueException Bad(OvsdbMutator mutator, string column, OvsdbDatum value) =>
            Assert.Throws<OvsdbValueException>(() => tx.Mutate("T", [], [new OvsdbMutation(column, mutator, value)]));

        // Arithmetic: the range applies to the result, not the operand; one atom of the key type.
        tx.Mutate("T", [], [new OvsdbMutation("n", OvsdbMutator.Add, OvsdbDatum.FromInteger(100))]);
        tx.Mutate("T", [], [new OvsdbMutation("ns", OvsdbMutator.Multiply, OvsdbDatum.FromInteger(3))]);
        tx.Mutate("T", [], [new OvsdbMutation("r", OvsdbMutator.Divide, OvsdbDatum.Scalar(OvsdbAtom.Real(2)))]);
        Assert.Contains("integers", Bad(OvsdbMutator.Modulo, "r", OvsdbDatum.Scalar(OvsdbAtom.Real(2))).Reason);
        Assert.Contains("integer or real", Bad(OvsdbMutator.Add, "s", OvsdbDatum.FromString("x")).Reason);
        Assert.Contains("integer or real", Bad(OvsdbMutator.Add, "m", OvsdbDatum.FromInteger(1)).Reason);
        Assert.Contains("exactly 1", Bad(OvsdbMutator.Add, "ns", OvsdbDatum.Set(OvsdbAtom.Integer(1), OvsdbAtom.Integer(2))).Reason);
        Assert.Contains("by zero", Bad(OvsdbMutator.Divide, "n", OvsdbDatum.FromInteger(0)).Reason);
        Assert.Contains("is a real", Bad(OvsdbMutator.Add, "n", OvsdbDatum.Scalar(OvsdbAtom.Real(1))).Reason);

        // insert/delete: sets and maps only; enum still applies; insert up to max, delete any count.
        Assert.Contains("set and map", Bad(OvsdbMutator.Insert, "n", OvsdbDatum.FromInteger(1)).Reason);
        Assert.Contains("not one of the allowed", Bad(OvsdbMutator.Insert, "e", OvsdbDatum.FromString("c")).Reason);
        Assert.Contains("0 to 3", Bad(OvsdbMutator.Insert, "ns", OvsdbDatum.Set(Enumerable.Range(0, 4).Select(i => OvsdbAtom.Integer(i)))).Reason);
        tx.Mutate("T", [], [OvsdbMutation.Delete("ns", OvsdbDatum.Set(Enumerable.Range(0, 4).Select(i => OvsdbAtom.Integer(i))))]);
        tx.Mutate("T", [], [OvsdbMutation.Insert("ns", OvsdbDatum.Empty)]);
        Assert.Contains("expected a map", Bad(OvsdbMutator.Insert, "m", OvsdbDatum.FromString("k")).Reason);
        Assert.Contains("is a integer", Bad(OvsdbMutator.Delete, "m", OvsdbDatum.FromInteger(1)).Reason);
    }

    [Fact]
    public void Wait_rows_must_use_the_compared_columns()
    {
        var tx = new OvsdbTransaction(Nb);
        Assert.Throws<ArgumentException>(() => tx.Wait("ACL", [], ["match"], OvsdbWaitUntil.NotEqual, [Row(("priority", OvsdbDatum.FromInteger(1)))]));
        Assert.Throws<OvsdbValueException>(() => tx.Wait("ACL", [], ["priority"], OvsdbWaitUntil.NotEqual, [Row(("priority", OvsdbDatum.FromString("1")))]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tx.Wait("ACL", [], ["priority"], OvsdbWaitUntil.NotEqual, [], -1));
        tx.Wait("ACL", [], ["priority"], OvsdbWaitUntil.NotEqual, []);
        Assert.Contains("{\"op\":\"wait\",\"table\":\"ACL\",\"where\":[],\"columns\":[\"priority\"],\"until\":\"!=\",\"rows\":[]}", Params(tx));
    }

    [Fact]
    public void A_named_uuid_no_insert_declares_is_caught_before_sending()
    {
        var tx = new OvsdbTransaction(Nb);
        tx.Mutate("Port_Group", [OvsdbCondition.UuidEquals(Pg)], [OvsdbMutation.Insert("acls", OvsdbDatum.Scalar(OvsdbAtom.NamedUuid("ghost")))]);
        var e = Assert.Throws<InvalidOperationException>(() => Params(tx));
        Assert.Contains("ghost", e.Message);

        // Declaring it later in the same transaction is fine: ovsdb-server resolves names over the whole transaction.
        tx.Insert("ACL", AclRow(), "ghost");
        Params(tx);
    }

    [Fact]
    public void A_refused_operation_leaves_no_trace()
    {
        var tx = new OvsdbTransaction(Nb);
        Assert.Throws<OvsdbValueException>(() => tx.Update(
            "Port_Group",
            [OvsdbCondition.Includes("acls", OvsdbDatum.Scalar(OvsdbAtom.NamedUuid("ghost")))],
            Row(("name", OvsdbDatum.FromInteger(1)))));
        Assert.Equal("[\"OVN_Northbound\"]", Params(tx));
    }
}
