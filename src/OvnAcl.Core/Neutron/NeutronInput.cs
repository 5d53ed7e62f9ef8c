using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>
/// Neutron API documents read and combined: <c>{"security_groups": […]}</c>, <c>{"ports": […]}</c>,
/// <c>{"address_groups": […]}</c> (or one document with several), as the list calls of Neutron's API return them.
/// Problems found while reading are kept in <see cref="Diagnostics"/> and reported by
/// <see cref="NeutronTranslator.Translate"/> together with the translation's own.
/// </summary>
public sealed record NeutronInput
{
    /// <summary>No objects.</summary>
    public static NeutronInput Empty { get; } = new();

    /// <summary>The security groups, with their rules.</summary>
    public EquatableArray<NeutronSecurityGroup> SecurityGroups { get; init; } = EquatableArray<NeutronSecurityGroup>.Empty;
    /// <summary>The ports, with their security groups and fixed IPs.</summary>
    public EquatableArray<NeutronPort> Ports { get; init; } = EquatableArray<NeutronPort>.Empty;
    /// <summary>The address groups that rules name as <c>remote_address_group_id</c>.</summary>
    public EquatableArray<NeutronAddressGroup> AddressGroups { get; init; } = EquatableArray<NeutronAddressGroup>.Empty;

    /// <summary>What could not be read: unreadable files, bad JSON, fields of the wrong type.</summary>
    public EquatableArray<Diagnostic> Diagnostics { get; init; } = EquatableArray<Diagnostic>.Empty;

    /// <summary>Reads one JSON document; <paramref name="fileName"/> only names it in diagnostics.</summary>
    public static NeutronInput Parse(string json, string fileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(fileName);
        return NeutronJsonReader.Read(json, fileName);
    }

    /// <summary>Reads and combines several files, in the order given; a file that cannot be read is a diagnostic, not an exception.</summary>
    public static NeutronInput Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = Empty;
        foreach (var path in ExpandDirectories(paths))
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                var diagnostic = new Diagnostic(
                    NeutronDiagnosticCodes.FileUnreadable, DiagnosticSeverity.Error, e.Message, new NeutronLocation(path));
                result = result.Combine(new NeutronInput { Diagnostics = EquatableArray.Create(diagnostic) });
                continue;
            }

            result = result.Combine(Parse(text, path));
        }

        return result;
    }

    /// <summary>Files as given, and the <c>*.json</c> files under directories (recursively, in ordinal order).</summary>
    private static IEnumerable<string> ExpandDirectories(IEnumerable<string> paths) =>
        paths.SelectMany<string, string>(path => Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [path]);

    /// <summary>Both inputs' objects and diagnostics, this one's first.</summary>
    public NeutronInput Combine(NeutronInput other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new NeutronInput
        {
            SecurityGroups = SecurityGroups.Concat(other.SecurityGroups).ToEquatableArray(),
            Ports = Ports.Concat(other.Ports).ToEquatableArray(),
            AddressGroups = AddressGroups.Concat(other.AddressGroups).ToEquatableArray(),
            Diagnostics = Diagnostics.Concat(other.Diagnostics).ToEquatableArray(),
        };
    }
}
