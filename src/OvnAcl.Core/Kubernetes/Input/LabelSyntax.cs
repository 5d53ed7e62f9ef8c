using System.Text.RegularExpressions;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// The API server's label syntax (apimachinery's qualified names and label values), which it checks in every label
/// selector: a key is an optional DNS subdomain prefix and '/' then a name of at most 63 characters; a value is empty
/// or at most 63 characters; names and values are alphanumeric at both ends with '-', '_' and '.' between.
/// </summary>
internal static partial class LabelSyntax
{
    public static string? KeyProblem(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        if (prefix is not null && (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix)))
        {
            return $"label key '{key}': the prefix before '/' must be a DNS subdomain (lowercase, at most 253 characters)";
        }

        return name.Length is 0 or > 63 || !Name().IsMatch(name)
            ? $"label key '{key}' is not a valid label name: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' between"
            : null;
    }

    public static string? ValueProblem(string value) =>
        value.Length > 63 || (value.Length > 0 && !Name().IsMatch(value))
            ? $"'{value}' is not a valid label value: empty, or at most 63 characters, alphanumeric at both ends, '-', '_' or '.' between"
            : null;

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
