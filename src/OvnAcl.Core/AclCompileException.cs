using System.Collections.Immutable;

namespace OvnAcl;

/// <summary>
/// The input has errors: nothing was compiled. <see cref="Diagnostics"/> holds every problem found, warnings included;
/// the message lists the errors one per line. Kubernetes, Neutron and offline topologies raise it alike.
/// </summary>
public class AclCompileException : OvnAclException
{
    /// <summary>Compiling failed with the errors among <paramref name="diagnostics"/>; the message lists them all.</summary>
    public AclCompileException(ImmutableArray<Diagnostic> diagnostics)
        : this(Describe(diagnostics), diagnostics)
    {
    }

    /// <summary>For subtypes: a compile failure with <paramref name="message"/> and the diagnostics behind it.</summary>
    protected AclCompileException(string message, ImmutableArray<Diagnostic> diagnostics)
        : base(message)
    {
        Diagnostics = diagnostics.IsDefault ? [] : diagnostics;
    }

    /// <summary>Every diagnostic of the compilation, warnings included, in the order reported.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>The diagnostics with severity <see cref="DiagnosticSeverity.Error"/>: why nothing was compiled.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    private static string Describe(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.IsDefault ? [] : diagnostics.Where(d => d.IsError).ToList();
        return $"{errors.Count} error(s) in the input; nothing was compiled:" + Environment.NewLine
               + string.Join(Environment.NewLine, errors.Select(d => d.ToString()));
    }
}
