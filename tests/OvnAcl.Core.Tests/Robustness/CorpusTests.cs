using OvnAcl.Testing.Fuzz;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>
/// Every input that ever broke a loader, a compiler or the match parser (an unexpected exception, a hang, a stack
/// overflow), replayed against the contract the fuzz properties check. The extension says what reads it:
/// <c>.yaml</c>/<c>.json</c> the Kubernetes loader, <c>.neutron.json</c> the Neutron reader, <c>.match</c> the match parser.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string> Inputs => [.. FuzzCase.Corpus("Robustness/Corpus").Select(path => Path.GetFileName(path))];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Corpus_input_keeps_the_contract(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Robustness", "Corpus", name);
        var text = File.ReadAllText(path);
        var failure = FuzzCase.Run("corpus", Path.GetExtension(name), text, Fuzz.Timeout, () =>
            name.EndsWith(".neutron.json", StringComparison.Ordinal) ? Fuzz.Neutron(text, name)
            : name.EndsWith(".match", StringComparison.Ordinal) ? Fuzz.Match(text)
            : Fuzz.Kubernetes(text, name));
        Assert.Null(failure);
    }

    [Fact]
    public void The_corpus_is_there() => Assert.NotEmpty(Inputs);
}
