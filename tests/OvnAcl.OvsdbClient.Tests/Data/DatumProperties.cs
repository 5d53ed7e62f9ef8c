using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Data;

public sealed class DatumProperties
{
    private static readonly Arbitrary<(ColumnType Type, OvsdbDatum Value)> TypedDatum = Arb.From(OvsdbGen.TypedDatum);

    private static readonly Arbitrary<OvsdbAtom> AnyAtom = Arb.From(OvsdbGen.AnyAtom);

    [Property(MaxTest = 300)]
    public Property Written_json_reads_back_equal() =>
        Prop.ForAll(TypedDatum, sample =>
        {
            var json = TestJson.Write(sample.Value);
            return OvsdbJson.ReadDatum(TestJson.Parse(json), sample.Type).Equals(sample.Value)
                && OvsdbJson.ReadDatum(TestJson.Parse(json)).Equals(sample.Value);
        });

    [Property(MaxTest = 300)]
    public Property The_reader_decoder_agrees_with_the_document_decoder() =>
        Prop.ForAll(TypedDatum, sample =>
        {
            var json = Encoding.UTF8.GetBytes(TestJson.Write(sample.Value));
            var reader = new System.Text.Json.Utf8JsonReader(json);
            reader.Read();
            var read = OvsdbJson.ReadDatum(ref reader, sample.Type);
            return read.Equals(sample.Value) && reader.BytesConsumed == json.Length && !reader.Read();
        });

    [Property(MaxTest = 300)]
    public Property Generated_values_are_valid_for_their_type() =>
        Prop.ForAll(TypedDatum, sample =>
        {
            sample.Type.Validate(sample.Value, "T", "c");
            return true;
        });

    [Property(MaxTest = 300)]
    public Property A_computed_diff_applied_to_the_old_value_gives_the_new_one() =>
        Prop.ForAll(
            Arb.From(OvsdbGen.ColumnType.SelectMany(t => OvsdbGen.Datum(t).Two().Select(p => (Type: t, Old: p.Item1, New: p.Item2)))),
            sample =>
            {
                var diff = OvsdbDatum.Diff(sample.Old, sample.New, sample.Type);

                // As a replica gets it: through the wire, where a diff may exceed the column's max.
                var received = OvsdbJson.ReadDatum(TestJson.Parse(TestJson.Write(diff)), sample.Type);
                return sample.Old.ApplyDiff(received, sample.Type).Equals(sample.New);
            });

    [Property(MaxTest = 300)]
    public Property ApplyDiff_matches_a_dictionary_model_of_update2() =>
        Prop.ForAll(
            Arb.From(OvsdbGen.ColumnType.Where(t => t.IsComposite)
                .SelectMany(t => OvsdbGen.Datum(t).SelectMany(old => OvsdbGen.DiffLike(t).Select(diff => (Type: t, Old: old, Diff: diff))))),
            sample =>
            {
                var model = new SortedDictionary<OvsdbAtom, OvsdbAtom>();
                for (var i = 0; i < sample.Old.Count; i++)
                {
                    model[sample.Old.Keys[i]] = sample.Type.IsMap ? sample.Old.Values[i] : default;
                }

                for (var i = 0; i < sample.Diff.Count; i++)
                {
                    var key = sample.Diff.Keys[i];
                    var value = sample.Type.IsMap ? sample.Diff.Values[i] : default;
                    if (!model.TryGetValue(key, out var present))
                    {
                        model[key] = value;
                    }
                    else if (present == value)
                    {
                        model.Remove(key);
                    }
                    else
                    {
                        model[key] = value;
                    }
                }

                var expected = sample.Type.IsMap ? OvsdbDatum.Map(model) : OvsdbDatum.Set(model.Keys);
                return sample.Old.ApplyDiff(sample.Diff, sample.Type).Equals(expected);
            });

    [Property(MaxTest = 500)]
    public Property Atom_order_is_antisymmetric_and_agrees_with_equality() =>
        Prop.ForAll(AnyAtom, AnyAtom, (a, b) =>
            Math.Sign(a.CompareTo(b)) == -Math.Sign(b.CompareTo(a))
            && (a.CompareTo(b) == 0) == a.Equals(b)
            && (!a.Equals(b) || a.GetHashCode() == b.GetHashCode()));

    [Property(MaxTest = 500)]
    public Property Atom_order_is_transitive() =>
        Prop.ForAll(AnyAtom, AnyAtom, AnyAtom, (a, b, c) =>
        {
            OvsdbAtom[] sorted = [a, b, c];
            Array.Sort(sorted);
            return sorted[0] <= sorted[1] && sorted[1] <= sorted[2] && sorted[0] <= sorted[2];
        });

    [Property(MaxTest = 500)]
    public Property Strings_order_by_their_UTF8_bytes() =>
        Prop.ForAll(Arb.From(OvsdbGen.String), Arb.From(OvsdbGen.String), (a, b) =>
            Math.Sign(OvsdbAtom.String(a).CompareTo(OvsdbAtom.String(b)))
            == Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b))));

    [Property(MaxTest = 300)]
    public Property Uuids_order_by_their_text() =>
        Prop.ForAll(Arb.From(OvsdbGen.Guid), Arb.From(OvsdbGen.Guid), (a, b) =>
            Math.Sign(OvsdbAtom.Uuid(a).CompareTo(OvsdbAtom.Uuid(b))) == Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())));

    [Property(MaxTest = 300)]
    public Property Integers_order_numerically() =>
        Prop.ForAll(Arb.From(OvsdbGen.Int64), Arb.From(OvsdbGen.Int64), (i, j) =>
            Math.Sign(OvsdbAtom.Integer(i).CompareTo(OvsdbAtom.Integer(j))) == Math.Sign(i.CompareTo(j)));

    [Property(MaxTest = 300)]
    public Property Reals_order_numerically() =>
        Prop.ForAll(Arb.From(OvsdbGen.Real), Arb.From(OvsdbGen.Real), (x, y) =>
            Math.Sign(OvsdbAtom.Real(x).CompareTo(OvsdbAtom.Real(y))) == (x < y ? -1 : x > y ? 1 : 0));
}
