using System.Net;
using OvnAcl.Acl;
using OvnAcl.Acl.Deciding;
using OvnAcl.Match;

namespace OvnAcl.Explain;

/// <summary>
/// A Kubernetes node as an end of a live <c>explain</c>: the NB has no Node objects, but the rows the Kubernetes compiler
/// wrote for one do (its node-allowance ACLs carry <c>owner-type=Node</c>, <c>owner=NAME</c> and name the address set of
/// the node's source addresses), and the node's traffic enters OVN through the logical switch port holding such an
/// address: ovn-kubernetes' management port <c>k8s-NAME</c>.
/// </summary>
public static class NodeEndpoints
{
    /// <summary>The <c>node/</c> prefix <c>explain --from/--to</c> takes, as offline.</summary>
    public const string Prefix = "node/";

    /// <summary>
    /// The source addresses of node <paramref name="name"/> as the compiled rows in <paramref name="view"/> hold them
    /// (empty when the NB has no node allowance for it).
    /// </summary>
    public static IReadOnlyList<IPAddress> AddressesOf(AclPolicyView view, string name)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(name);
        var addresses = new List<IPAddress>();
        foreach (var acl in view.Acls)
        {
            if (acl.Match is null || acl.Row.ExternalIds.Get("owner-type") != "Node" || acl.Row.ExternalIds.Get("owner") != name)
            {
                continue;
            }

            foreach (var set in MatchReferences.Of(acl.Match).OfType<AddressSetRef>())
            {
                if (view.AddressSets.TryGetValue(set.Name, out var entries))
                {
                    foreach (var entry in entries)
                    {
                        if (IPAddress.TryParse(entry, out var address) && !addresses.Contains(address))
                        {
                            addresses.Add(address);
                        }
                    }
                }
            }
        }

        return addresses;
    }

    /// <summary>
    /// The logical switch port that <paramref name="endpoint"/> names: itself, or for <c>node/NAME</c> the port holding
    /// one of the node's source addresses (of the family asked for, when it has one).
    /// </summary>
    /// <exception cref="OvnAclException">The node has no allowance rows in the NB, or no port holds its addresses.</exception>
    public static string ResolvePort(AclPolicyView view, string endpoint, bool ipv6)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return endpoint;
        }

        var name = endpoint[Prefix.Length..];
        var addresses = AddressesOf(view, name);
        if (addresses.Count == 0)
        {
            var known = view.Acls.Where(a => a.Row.ExternalIds.Get("owner-type") == "Node").Select(a => a.Row.ExternalIds.Get("owner")).OfType<string>()
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            throw new OvnAclException($"no node '{name}' in the NB: no ACL with external_ids owner-type=Node, owner={name}" +
                (known.Count > 0 ? $" (nodes with rows: {string.Join(", ", known.Take(10))}{(known.Count > 10 ? ", …" : "")})" : " (the compiler writes them for nodes with pods; see docs/kubernetes.md, Nodes)"));
        }

        var wanted = addresses.Where(a => (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == ipv6).ToList();
        foreach (var address in wanted.Count > 0 ? wanted : addresses)
        {
            var port = view.Ports.Values.Where(p => p.Ipv4.Contains(address) || p.Ipv6.Contains(address)).OrderBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
            if (port is not null)
            {
                return port.Name;
            }
        }

        throw new OvnAclException($"node '{name}' sends from {string.Join(", ", addresses)}, which no logical switch port holds; " +
            "its traffic enters OVN through a port holding one of them (ovn-kubernetes: the management port k8s-" + name + ")");
    }
}
