namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// The parts of a Neutron diagnostic's location the tests check, read back from <see cref="DiagnosticLocation"/>:
/// the object is written <c>KIND [ID] [(security_group GROUP)]</c>.
/// </summary>
internal static class NeutronLocationReading
{
    extension(DiagnosticLocation location)
    {
        public string? File => location.Source?.File;

        public string? ObjectKind => location.Object?.Split(' ')[0];

        public string? ObjectId => location.Object?.Split(' ') is [_, var id, ..] && !id.StartsWith('(') ? id : null;
    }
}
