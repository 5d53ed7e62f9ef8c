using System.Security.Cryptography;
using System.Text;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// Names of what the compiler emits. Port groups and address sets are OVN identifiers (letters, digits, <c>_</c>):
/// a readable part where one exists, always a hash of what the row stands for, so names never collide and never
/// depend on pods. ACL names fit the 63 characters of <c>ACL.name</c>, shortened with a hash when they would not.
/// </summary>
internal sealed class Naming
{
    public const int MaxAclNameLength = 63;
    private const int ReadableLength = 40;

    public Naming(string controllerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controllerName);
        var prefix = Sanitize(controllerName);
        Prefix = char.IsAsciiDigit(prefix[0]) ? "_" + prefix : prefix;
    }

    public string Prefix { get; }

    /// <summary><c>ovnacl_np_shop_web_1a2b3c4d</c>: the pods a policy selects.</summary>
    public string PolicyPortGroup(string ns, string name) =>
        Readable($"{Prefix}_np_{Sanitize(ns)}_{Sanitize(name)}") + "_" + Hash("policy\n" + ns + "/" + name, 8);

    /// <summary><c>ovnacl_shop_1a2b3c4d_ingress_deny</c>: the pods of a namespace isolated in one direction.</summary>
    public string DenyPortGroup(string ns, PolicyDirection direction) =>
        Readable($"{Prefix}_{Sanitize(ns)}") + "_" + Hash("namespace\n" + ns, 8) + (direction == PolicyDirection.Ingress ? "_ingress_deny" : "_egress_deny");

    /// <summary><c>ovnacl_pp_…</c>: the pods of a selector on which a named port resolves to one number.</summary>
    public string NamedPortGroup(string ns, LabelSelectorModel selector, L4Protocol protocol, string port, int number) =>
        $"{Prefix}_pp_{Hash($"named-port-group\n{ns}\n{selector.Canonical}\n{protocol}\n{port}\n{number}", 16)}";

    /// <summary><c>ovnacl_as_…_ip4</c>: the addresses a peer stands for, shared by every rule with the same peer.</summary>
    public string PeerAddressSet(PeerModel peer, bool ipv6) =>
        $"{Prefix}_as_{Hash("peer\n" + peer.Key, 16)}_{(ipv6 ? "ip6" : "ip4")}";

    /// <summary><c>ovnacl_ap_…_ip4</c>: the addresses of a peer's pods on which a named port resolves to one number.</summary>
    public string NamedPortAddressSet(PeerModel peer, L4Protocol protocol, string port, int number, bool ipv6) =>
        $"{Prefix}_ap_{Hash($"named-port-peer\n{peer.Key}\n{protocol}\n{port}\n{number}", 16)}_{(ipv6 ? "ip6" : "ip4")}";

    /// <summary><c>ovnacl_node_worker_1_1a2b3c4d</c>: the pods that run on one node.</summary>
    public string NodePortGroup(string node) =>
        Readable($"{Prefix}_node_{Sanitize(node)}") + "_" + Hash("node\n" + node, 8);

    /// <summary><c>ovnacl_an_…_ip4</c>: the addresses a node's traffic to its own pods comes from.</summary>
    public string NodeAddressSet(string node, bool ipv6) =>
        $"{Prefix}_an_{Hash("node-addresses\n" + node, 16)}_{(ipv6 ? "ip6" : "ip4")}";

    /// <summary><c>ovnacl_anp_sre_1a2b3c4d</c>: the subject pods of a cluster policy (ANP, BANP or CNP).</summary>
    public string AdminPortGroup(string shortKind, string name) =>
        Readable($"{Prefix}_{shortKind.ToLowerInvariant()}_{Sanitize(name)}") + "_" + Hash($"cluster-policy\n{shortKind}\n{name}", 8);

    /// <summary><c>ovnacl_ap_…</c>: the pods of a cluster policy's subject on which a named port resolves to one number.</summary>
    public string AdminNamedPortGroup(PeerModel subject, L4Protocol protocol, string port, int number) =>
        $"{Prefix}_pp_{Hash($"cluster-named-port-group\n{subject.Key}\n{protocol}\n{port}\n{number}", 16)}";

    /// <summary><c>ovnacl_as_…_ip4</c>: the addresses of the nodes a <c>nodes</c> peer selects.</summary>
    public string NodeSelectorAddressSet(NodePeer peer, bool ipv6) =>
        $"{Prefix}_as_{Hash("node-selector\n" + peer.Key, 16)}_{(ipv6 ? "ip6" : "ip4")}";

    /// <summary>The name itself when it fits, else its first 54 characters, <c>_</c> and 8 hex digits of its hash.</summary>
    public static string AclName(string name, out bool shortened)
    {
        shortened = name.Length > MaxAclNameLength;
        return shortened ? name[..(MaxAclNameLength - 9)] + "_" + Hash(name, 8) : name;
    }

    public static string Sanitize(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return result.ToString();
    }

    /// <summary>The first <paramref name="hexDigits"/> of the SHA-256 of the text: stable across runs, machines and versions.</summary>
    public static string Hash(string text, int hexDigits) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexDigits];

    private static string Readable(string text) => text.Length <= ReadableLength ? text : text[..ReadableLength];
}
