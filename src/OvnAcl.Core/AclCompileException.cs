using System.Collections.Immutable;

namespace OvnAcl;

/// <summary>
/// The input has errors: nothing was compiled. <see cref="Diagnostics"/> holds every problem found, warnings included;
/// the message lists the errors one per line. Kubernetes, Neutron and offline topologies raise it alike.
/// </summary>
public class AclCompileException : OvnAclException
{
    public AclCompileException(ImmutableArray<Diagnostic> diagnostics)
        : this(Describe(diagnostics), diagnostics)
    {
    }

    protected AclCompileException(string message, ImmutableArray<Diagnostic> diagnostics)
        : base(message)
    {
        Diagnostics = diagnostics.IsDefault ? [] : diagnostics;
    }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);

    private static string Describe(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.IsDefault ? [] : diagnostics.Where(d => d.IsError).ToList();
        return $"{errors.Count} error(s) in the input; nothing was compiled:" + Environment.NewLine
               + string.Join(Environment.NewLine, errors.Select(d => d.ToString()));
    }
}
