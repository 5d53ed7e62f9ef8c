using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Data;

public sealed class OvsdbDatumTests
{
    private static readonly ColumnType StringSetType = new(BaseType.String, null, 0, ColumnType.Unlimited);
    private static readonly ColumnType StringMapType = new(BaseType.String, BaseType.String, 0, ColumnType.Unlimited);
    private static readonly ColumnType OptionalStringType = new(BaseType.String, null, 0, 1);

    private static OvsdbDatum Strings(params string[] values) => OvsdbDatum.StringSet(values);

    private static OvsdbDatum Pairs(params (string Key, string Value)[] pairs) =>
        OvsdbDatum.StringMap(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    [Fact]
    public void A_set_is_sorted_and_unique()
    {
        var set = OvsdbDatum.Set(OvsdbAtom.Integer(3), OvsdbAtom.Integer(1), OvsdbAtom.Integer(3), OvsdbAtom.Integer(2));
        Assert.Equal([OvsdbAtom.Integer(1), OvsdbAtom.Integer(2), OvsdbAtom.Integer(3)], set.Keys.ToArray());
        Assert.False(set.IsMap);
        Assert.Equal(3, set.Count);
        Assert.True(set.Values.IsEmpty);
    }

    [Fact]
    public void A_map_keeps_values_parallel_to_sorted_keys()
    {
        var map = Pairs(("z", "1"), ("a", "2"));
        Assert.True(map.IsMap);
        Assert.Equal(["a", "z"], map.Keys.ToArray().Select(k => k.AsString()));
        Assert.Equal(["2", "1"], map.Values.ToArray().Select(v => v.AsString()));
    }

    [Fact]
    public void A_map_with_a_key_twice_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Pairs(("k", "1"), ("k", "2")));
        Assert.Contains("\"k\"", e.Message);
    }

    [Fact]
    public void Lookups_find_elements_keys_and_values()
    {
        var map = Pairs(("neutron:security_group_rule_id", "abc"), ("owner", "x"));
        Assert.True(map.TryGetString("owner", out var owner));
        Assert.Equal("x", owner);
        Assert.False(map.TryGetString("missing", out _));
        Assert.True(map.TryGetValue(OvsdbAtom.String("neutron:security_group_rule_id"), out var id));
        Assert.Equal("abc", id.AsString());
        Assert.True(map.Contains(OvsdbAtom.String("owner")));
        Assert.False(Strings("a").TryGetValue(OvsdbAtom.String("a"), out _));
        Assert.True(Strings("a", "b").Contains(OvsdbAtom.String("b")));
        Assert.False(Strings("a", "b").Contains(OvsdbAtom.String("c")));
    }

    [Fact]
    public void Equality_is_structural()
    {
        Assert.Equal(Strings("b", "a"), Strings("a", "b"));
        Assert.Equal(Strings("b", "a").GetHashCode(), Strings("a", "b").GetHashCode());
        Assert.NotEqual(Strings("a"), Strings("a", "b"));
        Assert.Equal(Pairs(("a", "1")), Pairs(("a", "1")));
        Assert.NotEqual(Pairs(("a", "1")), Pairs(("a", "2")));
        Assert.NotEqual(OvsdbDatum.Set(OvsdbAtom.Integer(1)), OvsdbDatum.Set(OvsdbAtom.Real(1)));
        Assert.True(Strings("a") == OvsdbDatum.FromString("a"));
        Assert.True(Strings("a") != Strings("b"));
    }

    [Fact]
    public void An_empty_set_equals_an_empty_map_but_other_sets_differ_from_maps()
    {
        Assert.Equal(OvsdbDatum.Empty, OvsdbDatum.EmptyMap);
        Assert.Equal(OvsdbDatum.Empty.GetHashCode(), OvsdbDatum.EmptyMap.GetHashCode());
        var pairAsSet = OvsdbDatum.Set(OvsdbAtom.String("a"));
        var pairAsMap = OvsdbDatum.Map([KeyValuePair.Create(OvsdbAtom.String("a"), default(OvsdbAtom))]);
        Assert.NotEqual(pairAsSet, pairAsMap);
    }

    [Fact]
    public void Union_and_Except_follow_the_insert_and_delete_mutators()
    {
        Assert.Equal(Strings("a", "b", "c"), Strings("a", "b").Union(Strings("b", "c")));
        Assert.Equal(Strings("a"), Strings("a", "b").Except(Strings("b", "c")));
        // Map insert keeps an existing key's value.
        Assert.Equal(Pairs(("k", "old"), ("n", "new")), Pairs(("k", "old")).Union(Pairs(("k", "new"), ("n", "new"))));
        // Map delete by map removes only pairs matching key and value; by set, whole keys.
        Assert.Equal(Pairs(("k", "1")), Pairs(("k", "1"), ("j", "2")).Except(Pairs(("k", "other"), ("j", "2"))));
        Assert.Equal(Pairs(("j", "2")), Pairs(("k", "1"), ("j", "2")).Except(Strings("k")));
        Assert.Equal(Strings("a"), OvsdbDatum.Empty.Union(Strings("a")));
        Assert.True(OvsdbDatum.Empty.Union(Pairs(("a", "b"))).IsMap);
        Assert.Throws<ArgumentException>(() => Strings("a").Union(Pairs(("a", "b"))));
        Assert.Throws<ArgumentException>(() => Strings("a").Except(Pairs(("a", "b"))));
    }

    [Fact]
    public void Single_element_edits()
    {
        Assert.Equal(Strings("a", "b"), Strings("a").WithAdded(OvsdbAtom.String("b")));
        Assert.Equal(Strings("a"), Strings("a", "b").WithRemoved(OvsdbAtom.String("b")));
        Assert.Equal(Pairs(("k", "2")), Pairs(("k", "1")).WithEntry(OvsdbAtom.String("k"), OvsdbAtom.String("2")));
        Assert.Equal(Pairs(("k", "1")), OvsdbDatum.EmptyMap.WithEntry(OvsdbAtom.String("k"), OvsdbAtom.String("1")));
        Assert.Equal(Pairs(("j", "2")), Pairs(("k", "1"), ("j", "2")).WithRemoved(OvsdbAtom.String("k")));
        Assert.Throws<InvalidOperationException>(() => Pairs(("k", "1")).WithAdded(OvsdbAtom.String("j")));
        Assert.Throws<InvalidOperationException>(() => Strings("a").WithEntry(OvsdbAtom.String("k"), OvsdbAtom.String("1")));
    }

    [Fact]
    public void A_set_diff_toggles_each_element()
    {
        var old = Strings("10.0.0.1", "10.0.0.2");
        var diff = Strings("10.0.0.2", "10.0.0.3");
        Assert.Equal(Strings("10.0.0.1", "10.0.0.3"), old.ApplyDiff(diff, StringSetType));
    }

    [Fact]
    public void A_map_diff_adds_removes_and_replaces()
    {
        var old = Pairs(("keep", "1"), ("drop", "2"), ("change", "3"));
        var diff = Pairs(("drop", "2"), ("change", "30"), ("add", "4"));
        Assert.Equal(Pairs(("keep", "1"), ("change", "30"), ("add", "4")), old.ApplyDiff(diff, StringMapType));
    }

    [Fact]
    public void A_diff_for_a_column_of_at_most_one_element_is_the_new_value()
    {
        Assert.Equal(OvsdbDatum.FromInteger(7), OvsdbDatum.FromInteger(3).ApplyDiff(OvsdbDatum.FromInteger(7), new ColumnType(BaseType.Integer)));
        Assert.Equal(Strings("b"), Strings("a").ApplyDiff(Strings("b"), OptionalStringType));
        Assert.Equal(OvsdbDatum.Empty, Strings("a").ApplyDiff(OvsdbDatum.Empty, OptionalStringType));
        Assert.Equal(Strings("a"), OvsdbDatum.Empty.ApplyDiff(Strings("a"), OptionalStringType));
    }

    [Fact]
    public void Diff_produces_what_ovsdb_server_sends()
    {
        Assert.Equal(Strings("a", "c"), OvsdbDatum.Diff(Strings("a", "b"), Strings("b", "c"), StringSetType));
        Assert.Equal(
            Pairs(("drop", "2"), ("change", "30"), ("add", "4")),
            OvsdbDatum.Diff(Pairs(("keep", "1"), ("drop", "2"), ("change", "3")), Pairs(("keep", "1"), ("change", "30"), ("add", "4")), StringMapType));
        Assert.Equal(Strings("b"), OvsdbDatum.Diff(Strings("a"), Strings("b"), OptionalStringType));
    }

    [Fact]
    public void A_diff_of_the_wrong_kind_is_refused() =>
        Assert.Throws<ArgumentException>(() => Pairs(("a", "b")).ApplyDiff(Strings("a"), StringMapType));

    [Fact]
    public void ToString_prints_RFC_7047_json()
    {
        Assert.Equal("[\"set\",[]]", OvsdbDatum.Empty.ToString());
        Assert.Equal("[\"map\",[]]", OvsdbDatum.EmptyMap.ToString());
        Assert.Equal("\"a\"", Strings("a").ToString());
        Assert.Equal("[\"set\",[\"a\",\"b\"]]", Strings("b", "a").ToString());
        Assert.Equal("[\"map\",[[\"k\",\"v\"]]]", Pairs(("k", "v")).ToString());
    }
}
