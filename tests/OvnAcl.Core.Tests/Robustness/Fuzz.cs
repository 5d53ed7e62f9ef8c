using OvnAcl.Kubernetes;
using OvnAcl.Match;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Robustness;

/// <summary>
/// What every input, however broken, must give, for the fuzz properties and the regression corpus alike: each check
/// returns null when the contract held, or what broke it. Any exception escaping a check is a failure too.
/// </summary>
internal static class Fuzz
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The sample manifests and API documents, the seeds the mutations start from.</summary>
    public static IReadOnlyList<string> KubernetesSeeds { get; } = Samples("kubernetes", "*.yaml").Append("""
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"team": "x"}}},
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a", "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 80}]}]}, "status": {"podIP": "10.0.0.1"}},
          {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "a"},
           "spec": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
                    "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}], "ports": [{"port": "http"}, {"port": 1000, "endPort": 2000}]}]}}]}
        """).ToList();

    public static IReadOnlyList<string> NeutronSeeds { get; } = Samples("neutron", "*.json").ToList();

    /// <summary>Loading and compiling: diagnostics only, each naming the file; rows exactly when no error was found.</summary>
    public static string? Kubernetes(string text, string file)
    {
        var result = KubernetesCompiler.Compile(KubernetesInputLoader.LoadText(text, file));
        var errors = result.Diagnostics.Any(d => d.IsError);
        if (errors == result.Succeeded)
        {
            return result.Succeeded ? "rows alongside errors" : "no rows and no error";
        }

        return result.Diagnostics.FirstOrDefault(d => d.Location.Source?.File != file) is { } unlocated ? $"a diagnostic without the file: {unlocated}" : null;
    }

    /// <summary>Reading and translating: the same contract as <see cref="Kubernetes"/>.</summary>
    public static string? Neutron(string text, string file)
    {
        var result = NeutronTranslator.Translate(NeutronInput.Parse(text, file));
        var errors = result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        if (errors == result.Succeeded)
        {
            return result.Succeeded ? "rows alongside errors" : "no rows and no error";
        }

        return result.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error && d.Location.Source?.File != file) is { } unlocated
            ? $"an error without the file: {unlocated}"
            : null;
    }

    /// <summary>
    /// A tree that prints and parses back equal, its printed form a fixed point and its check a list of diagnostics;
    /// or a <see cref="MatchSyntaxException"/> at a position inside the text.
    /// </summary>
    public static string? Match(string text)
    {
        MatchExpr expression;
        try
        {
            expression = MatchExpression.Parse(text);
        }
        catch (MatchSyntaxException ex)
        {
            return ex.Position.Offset >= 0 && ex.Position.Offset <= text.Length && ex.Position.Line >= 1 && ex.Position.Column >= 1
                ? null
                : $"syntax error at {ex.Position} (offset {ex.Position.Offset}) outside a text of {text.Length} characters";
        }

        _ = MatchExpression.Check(expression);
        var printed = MatchExpression.Print(expression);
        MatchExpr reparsed;
        try
        {
            reparsed = MatchExpression.Parse(printed);
        }
        catch (MatchSyntaxException ex)
        {
            return $"the printed form '{printed}' does not parse: {ex.Message}";
        }

        return !reparsed.Equals(expression) ? $"'{printed}' parses to another tree"
            : MatchExpression.Print(reparsed) != printed ? $"'{printed}' prints as '{MatchExpression.Print(reparsed)}'"
            : null;
    }

    private static IEnumerable<string> Samples(string kind, string pattern)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !Directory.Exists(Path.Combine(root.FullName, "samples")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return Directory.EnumerateFiles(Path.Combine(root.FullName, "samples", kind, "three-tier"), pattern).Order(StringComparer.Ordinal).Select(File.ReadAllText);
    }
}
