using System.Collections.Immutable;

namespace OvnAcl.Kubernetes;

/// <summary>The input has errors: nothing was compiled. <see cref="Diagnostics"/> holds every problem found, warnings included.</summary>
public sealed class AclCompileException : OvnAclException
{
    public AclCompileException(ImmutableArray<CompileDiagnostic> diagnostics)
        : base(Describe(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public ImmutableArray<CompileDiagnostic> Diagnostics { get; }

    private static string Describe(ImmutableArray<CompileDiagnostic> diagnostics)
    {
        var errors = diagnostics.Count(d => d.IsError);
        return $"{errors} error(s) in the input; nothing was compiled:" + Environment.NewLine
               + string.Join(Environment.NewLine, diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
    }
}
