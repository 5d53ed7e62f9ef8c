using System.Collections.Immutable;

namespace OvnAcl.Neutron;

/// <summary>
/// Neutron input that cannot be read or translated; every problem found is in <see cref="Diagnostics"/>, the
/// message lists the errors one per line.
/// </summary>
public sealed class NeutronTranslationException : OvnAclException
{
    public NeutronTranslationException(ImmutableArray<NeutronDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Where(d => d.IsError).Select(d => d.ToString())))
    {
        Diagnostics = diagnostics;
    }

    public ImmutableArray<NeutronDiagnostic> Diagnostics { get; }
}
