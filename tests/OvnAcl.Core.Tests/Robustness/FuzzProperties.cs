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

    /// <summary>
    /// The runs that found bugs, replayed with their seeds (the generators have not changed since): a null container
    /// port (NullReferenceException), YamlDotNet's scanner InvalidOperationException and its representation model's
    /// ArgumentException. Their inputs are in Robustness/Corpus as well.
    /// </summary>
    [Property(Replay = "(13874792297100420300,7591295640399995833)", MaxTest = 34)]
    public Property Replay_null_container_port() => Mutated_manifests_give_diagnostics_naming_the_file_and_rows_only_without_errors();

    [Property(Replay = "(15256484696162068909,17552465751247104971)", MaxTest = 3)]
    public Property Replay_yaml_scanner_invalid_operation() => Mutated_manifests_give_diagnostics_naming_the_file_and_rows_only_without_errors();

    [Property(Replay = "(16478983882477009600,4776260635042901839)", MaxTest = 286)]
    public Property Replay_yaml_representation_unsupported_event() => Mutated_manifests_give_diagnostics_naming_the_file_and_rows_only_without_errors();

    /// <summary>The run that found an unpaired surrogate escaping NeutronInput.Parse as ArgumentException.</summary>
    [Property(Replay = "(8470399839761514007,6536776104281534645)", MaxTest = 96)]
    public Property Replay_neutron_unpaired_surrogate() => Mutated_neutron_documents_give_diagnostics_naming_the_file_and_rows_only_without_errors();

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
