using OvnAcl.Testing.Fuzz;

namespace OvnAcl.OvsdbClient.Tests.Fuzz;

/// <summary>
/// Every server input that ever broke the framer or a decoder, replayed. The extension says which:
/// <c>.stream</c> the framer (fed whole and byte by byte), <c>.update.json</c>, <c>.transact.json</c>, <c>.datum.json</c> the decoders.
/// </summary>
public sealed class OvsdbCorpusTests
{
    public static TheoryData<string> Inputs => [.. FuzzCase.Corpus("Fuzz/Corpus").Select(path => Path.GetFileName(path))];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Corpus_input_keeps_the_contract(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Corpus", name));
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var failure = FuzzCase.Run("corpus", Path.GetExtension(name), bytes, OvsdbFuzz.Timeout, () =>
            name.EndsWith(".stream", StringComparison.Ordinal) ? OvsdbFuzz.Framer(bytes, []) ?? OvsdbFuzz.Framer(bytes, [.. Enumerable.Range(1, bytes.Length)])
            : name.EndsWith(".update.json", StringComparison.Ordinal) ? OvsdbFuzz.Update(text)
            : name.EndsWith(".transact.json", StringComparison.Ordinal) ? OvsdbFuzz.Transaction(text)
            : OvsdbFuzz.Datum(text));
        Assert.Null(failure);
    }

    [Fact]
    public void The_corpus_is_there() => Assert.NotEmpty(Inputs);
}
