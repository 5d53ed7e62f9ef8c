using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Testing.Fuzz;

namespace OvnAcl.OvsdbClient.Tests.Fuzz;

/// <summary>
/// Random and mutated server traffic through the framer and the decoders, with a bounded budget. A failure names the
/// saved input: add it to Fuzz/Corpus (<see cref="OvsdbCorpusTests"/> replays it) and pin FsCheck's seed with
/// <c>Replay</c> while fixing.
/// </summary>
public sealed class OvsdbFuzzProperties
{
    private static readonly Gen<int[]> Cuts = Gen.Choose(0, 1 << 20).ArrayOf();

    private static readonly Arbitrary<(byte[] Bytes, int[] Cuts)> Streams = Arb.From(
        from bytes in Gen.OneOf(FuzzGen.Bytes, FuzzGen.Mutated(OvsdbFuzz.StreamSeeds).Select(Encoding.UTF8.GetBytes))
        from cuts in Cuts
        select (bytes, cuts));

    [Property(MaxTest = 300)]
    public Property Any_byte_stream_in_any_pieces_gives_json_objects_or_a_protocol_error() =>
        Prop.ForAll(Streams, input =>
        {
            var failure = FuzzCase.Run("framer", ".stream", input.Bytes, OvsdbFuzz.Timeout, () => OvsdbFuzz.Framer(input.Bytes, input.Cuts));
            return (failure is null).Label(failure ?? "");
        });

    [Property(MaxTest = 400)]
    public Property Mutated_updates_are_applied_or_refused_with_a_protocol_error() =>
        Prop.ForAll(Arb.From(FuzzGen.Mutated([.. OvsdbFuzz.UpdateSeeds, OvsdbFuzz.Initial])), json =>
        {
            var failure = FuzzCase.Run("update", ".update.json", json, OvsdbFuzz.Timeout, () => OvsdbFuzz.Update(json));
            return (failure is null).Label(failure ?? "");
        });

    [Property(MaxTest = 400)]
    public Property Mutated_transaction_replies_decode_or_are_refused_with_a_protocol_error() =>
        Prop.ForAll(Arb.From(FuzzGen.Mutated(OvsdbFuzz.TransactionSeeds)), json =>
        {
            var failure = FuzzCase.Run("transact", ".transact.json", json, OvsdbFuzz.Timeout, () => OvsdbFuzz.Transaction(json));
            return (failure is null).Label(failure ?? "");
        });

    [Property(MaxTest = 400)]
    public Property Mutated_values_decode_or_are_refused_with_a_value_or_protocol_error() =>
        Prop.ForAll(Arb.From(FuzzGen.Mutated(OvsdbFuzz.DatumSeeds)), json =>
        {
            var failure = FuzzCase.Run("datum", ".datum.json", json, OvsdbFuzz.Timeout, () => OvsdbFuzz.Datum(json));
            return (failure is null).Label(failure ?? "");
        });
}
