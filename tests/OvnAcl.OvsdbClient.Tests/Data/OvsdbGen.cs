using System.Buffers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using OvnAcl.Ovsdb;

namespace OvnAcl.OvsdbClient.Tests.Data;

/// <summary>FsCheck generators for atoms, column types and datums of those types.</summary>
internal static class OvsdbGen
{
    // Pieces that stress JSON escaping and UTF-8 ordering: quotes, controls, BMP above the surrogates, astral.
    private static readonly string[] StringPieces =
        ["a", "b", "z", "A", "0", " ", "\"", "\\", "/", "\n", "\u0001", "\u007f", "é", "中", "\ud7ff", "\ue000", "\uffff", "😀", "𐀀", "<", "&&", "'"];

    private static readonly long[] EdgeIntegers = [0, 1, -1, long.MinValue, long.MaxValue, long.MinValue + 1, long.MaxValue - 1, 4294967295, 32767, 1L << 53, (1L << 53) + 1];

    private static readonly double[] EdgeReals = [0.0, -0.0, 1.0, -1.0, 0.5, 1e20, -1e20, 1e-7, 5e-324, double.MaxValue, double.MinValue, 0.1, 1.0 / 3, 9007199254740993.0];

    public static Gen<long> Int64 { get; } =
        Gen.Frequency(
            (1, Gen.Elements(EdgeIntegers)),
            (2, Gen.Choose(-1000, 1000).Select(i => (long)i)),
            (2, Gen.Choose(int.MinValue, int.MaxValue).Two().Select(p => ((long)p.Item1 << 32) ^ (uint)p.Item2)));

    public static Gen<double> Real { get; } =
        Gen.Frequency(
            (1, Gen.Elements(EdgeReals)),
            (2, Gen.Choose(-100000, 100000).Select(i => i / 8.0)),
            (2, Int64.Where(l => double.IsFinite(BitConverter.Int64BitsToDouble(l))).Select(BitConverter.Int64BitsToDouble)));

    public static Gen<string> String { get; } =
        Gen.ArrayOf(Gen.Elements(StringPieces)).Select(string.Concat);

    public static Gen<Guid> Guid { get; } =
        Gen.Frequency(
            (1, Gen.Elements(System.Guid.Empty, new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff"), new Guid("80000000-0000-0000-0000-000000000000"))),
            (4, Gen.ArrayOf(Gen.Choose(0, 255), 16).Select(b => new Guid(b.Select(x => (byte)x).ToArray()))));

    public static Gen<OvsdbAtomicType> AtomicType { get; } = Gen.Elements(Enum.GetValues<OvsdbAtomicType>());

    /// <summary>Any atom, drawn from a small pool half the time so that equal atoms occur.</summary>
    public static Gen<OvsdbAtom> AnyAtom { get; } =
        Gen.Frequency(
            (1, Gen.Elements(
                OvsdbAtom.Integer(0), OvsdbAtom.Integer(1), OvsdbAtom.Real(1), OvsdbAtom.Real(0), OvsdbAtom.Boolean(false),
                OvsdbAtom.String(""), OvsdbAtom.String("a"), OvsdbAtom.String("\ue000"), OvsdbAtom.String("😀"),
                OvsdbAtom.Uuid(System.Guid.Empty), OvsdbAtom.NamedUuid("row1"), OvsdbAtom.NamedUuid("row2"))),
            (1, AtomicType.SelectMany(Atom)));

    public static Gen<OvsdbAtom> Atom(OvsdbAtomicType type) => type switch
    {
        OvsdbAtomicType.Integer => Int64.Select(OvsdbAtom.Integer),
        OvsdbAtomicType.Real => Real.Select(OvsdbAtom.Real),
        OvsdbAtomicType.Boolean => Gen.Elements(false, true).Select(OvsdbAtom.Boolean),
        OvsdbAtomicType.String => String.Select(OvsdbAtom.String),
        _ => Guid.Select(OvsdbAtom.Uuid),
    };

    /// <summary>Atoms of the base type; from its enum when it has one.</summary>
    public static Gen<OvsdbAtom> Atom(BaseType type) =>
        type.Enum is { Count: > 0 } allowed ? Gen.Elements(allowed.Keys.ToArray()) : Atom(type.Type);

    public static Gen<BaseType> BaseType { get; } =
        Gen.Frequency(
            (4, AtomicType.Select(Ovsdb.BaseType.Of)),
            (1, Gen.NonEmptyListOf(String).Select(values => new BaseType(OvsdbAtomicType.String) { Enum = OvsdbDatum.StringSet(values) })));

    public static Gen<ColumnType> ColumnType { get; } =
        from key in BaseType
        from value in Gen.Frequency((2, Gen.Constant<BaseType?>(null)), (1, BaseType.Select(v => (BaseType?)v)))
        from min in Gen.Elements(0, 1)
        from max in Gen.Elements(1L, 1L, 2L, 3L, 10L, Ovsdb.ColumnType.Unlimited)
        select new ColumnType(key, value, min, max);

    /// <summary>A valid value of the type, of at most 8 elements.</summary>
    public static Gen<OvsdbDatum> Datum(ColumnType type)
    {
        var most = (int)Math.Min(type.Max, 8);
        return Gen.Choose(type.Min, most).SelectMany(n => Elements(type, n));
    }

    /// <summary>Any value whose atoms fit the type, ignoring the element count: what an update2 diff may be.</summary>
    public static Gen<OvsdbDatum> DiffLike(ColumnType type) => Gen.Choose(0, 8).SelectMany(n => Elements(type, n));

    private static Gen<OvsdbDatum> Elements(ColumnType type, int n)
    {
        var keys = Gen.ArrayOf(Atom(type.Key), n).Select(k => k.Distinct().ToArray());
        if (type.Value is not { } valueType)
        {
            return keys.Select(OvsdbDatum.Set);
        }

        return keys.SelectMany(k => Gen.ArrayOf(Atom(valueType), k.Length)
            .Select(v => OvsdbDatum.Map(k.Zip(v, KeyValuePair.Create))));
    }

    public static Gen<(ColumnType Type, OvsdbDatum Value)> TypedDatum { get; } =
        ColumnType.SelectMany(t => Datum(t).Select(d => (t, d)));
}

internal static class TestJson
{
    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, OvsdbJson.ReadableOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Write(OvsdbDatum datum) => Write(w => OvsdbJson.WriteDatum(w, datum));

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
