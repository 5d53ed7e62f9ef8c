using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Core.Tests.Match;
using OvnAcl.Match;
using OvnAcl.Testing.Fuzz;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>
/// Mutated samples and noise through the loaders, the compilers and the match parser, with a bounded budget (MaxTest
/// set so each property takes a few seconds). A failure names the saved input: add it to Robustness/Corpus, where
/// <see cref="CorpusTests"/> replays it for good, and pin the seed FsCheck prints with <c>Replay</c> while fixing.
/// </summary>
public sealed class FuzzProperties
{
    private static readonly Arbitrary<string> KubernetesInputs = Arb.From(FuzzGen.Mutated(Fuzz.KubernetesSeeds));
    private static readonly Arbitrary<string> NeutronInputs = Arb.From(FuzzGen.Mutated(Fuzz.NeutronSeeds));
    private static readonly Arbitrary<string> MatchInputs = Arb.From(Gen.OneOf(
        MatchGen.PrintableExpression.Select(MatchExpression.Print).SelectMany(printed => FuzzGen.Mutated([printed])),
        FuzzGen.Noise));

    [Property(MaxTest = 300)]
    public Property Mutated_manifests_give_diagnostics_naming_the_file_and_rows_only_without_errors() =>
        Prop.ForAll(KubernetesInputs, text =>
        {
            var file = text.TrimStart().StartsWith('{') ? "fuzz.json" : "fuzz.yaml";
            var failure = FuzzCase.Run("kubernetes", Path.GetExtension(file), text, Fuzz.Timeout, () => Fuzz.Kubernetes(text, file));
            return (failure is null).Label(failure ?? "");
        });

    [Property(MaxTest = 300)]
    public Property Mutated_neutron_documents_give_diagnostics_naming_the_file_and_rows_only_without_errors() =>
        Prop.ForAll(NeutronInputs, text =>
        {
            var failure = FuzzCase.Run("neutron", ".json", text, Fuzz.Timeout, () => Fuzz.Neutron(text, "fuzz.json"));
            return (failure is null).Label(failure ?? "");
        });

    [Property(MaxTest = 600)]
    public Property Mutated_matches_and_noise_parse_and_print_back_or_fail_with_a_position_inside() =>
        Prop.ForAll(MatchInputs, text =>
        {
            var failure = FuzzCase.Run("match", ".match", text, Fuzz.Timeout, () => Fuzz.Match(text));
            return (failure is null).Label(failure ?? "");
        });
}
