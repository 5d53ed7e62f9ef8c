using System.Net;
using System.Net.Sockets;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// The pods a selector stands for: those of one namespace (<see cref="Namespace"/>) or of every namespace matching
/// <see cref="NamespaceSelector"/>, whose labels match <see cref="PodSelector"/>, and, for an ipBlock's named ports,
/// with an address inside <see cref="Within"/>. Queries are the keys of the engine's label indexes.
/// </summary>
internal sealed record PodQuery(string? Namespace, LabelSelectorModel? NamespaceSelector, LabelSelectorModel PodSelector, IpBlockPeer? Within)
{
    public static PodQuery InNamespace(string ns, LabelSelectorModel selector) => new(ns, null, selector, null);

    public static PodQuery Of(PeerModel peer) => peer switch
    {
        PodPeer pod => new(pod.Namespace, pod.NamespaceSelector, pod.PodSelector, null),
        IpBlockPeer block => new(null, LabelSelectorModel.All, LabelSelectorModel.All, block),
        _ => throw new ArgumentOutOfRangeException(nameof(peer)),
    };

    public bool MatchesNamespace<TLabels>(string ns, TLabels namespaceLabels)
        where TLabels : IReadOnlyDictionary<string, string> =>
        Namespace is not null ? ns == Namespace : NamespaceSelector!.Matches(namespaceLabels);

    /// <summary>Called per candidate query on every pod event: generic in the labels and without LINQ, so it allocates nothing.</summary>
    public bool Matches<TLabels>(PodModel pod, TLabels namespaceLabels)
        where TLabels : IReadOnlyDictionary<string, string> =>
        MatchesNamespace(pod.Namespace, namespaceLabels)
        && PodSelector.Matches(pod.Labels)
        && (Within is null || HasAddressWithin(pod, Within));

    private static bool HasAddressWithin(PodModel pod, IpBlockPeer within)
    {
        foreach (var address in pod.Addresses)
        {
            if (within.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A named port resolving to one number: only pods on which it does feed the row.</summary>
internal sealed record NamedPortFilter(L4Protocol Protocol, string Name, int Number);

internal enum FeedOutput
{
    LogicalSwitchPort,
    Ip4,
    Ip6,
}

/// <summary>A row's members that come from pods: every pod of <see cref="Query"/> (on which the named port resolves) adds its port or its addresses.</summary>
internal sealed record MemberFeed(DesiredRowKind Kind, string Row, PodQuery Query, NamedPortFilter? Port, FeedOutput Output)
{
    public IEnumerable<string> Members(PodModel pod)
    {
        var members = new List<string>(2);
        AddMembers(pod, members);
        return members;
    }

    /// <summary>Adds the pod's members to <paramref name="into"/>: the engine's per-event path, without allocating.</summary>
    public void AddMembers(PodModel pod, List<string> into)
    {
        if (Port is { } port && pod.Resolve(port.Name, port.Protocol) != port.Number)
        {
            return;
        }

        if (Output == FeedOutput.LogicalSwitchPort)
        {
            into.Add(pod.LogicalSwitchPort);
            return;
        }

        var ipv6 = Output == FeedOutput.Ip6;
        for (var i = 0; i < pod.Addresses.Count; i++)
        {
            var address = pod.Addresses[i];
            if ((address.AddressFamily == AddressFamily.InterNetworkV6) == ipv6 && (Query.Within is null || Query.Within.Contains(address)))
            {
                into.Add(pod.AddressTexts[i]);
            }
        }
    }
}

/// <summary>The numbers a named port resolves to on the pods of a query: what decides a named port's ACLs.</summary>
internal sealed record NumberWatch(PodQuery Query, L4Protocol Protocol, string Port);

/// <summary>A row a shape wants, with the members that do not come from pods (an ipBlock's prefixes).</summary>
internal sealed record RowDeclaration(DesiredRowKind Kind, string Name, EquatableMap ExternalIds, EquatableArray<AclRow> Acls, EquatableArray<string> StaticMembers);

/// <summary>
/// Everything one NetworkPolicy (or one namespace's default deny) contributes: rows, where their members come from,
/// and which named-port numbers it depended on. Pods never appear in a shape: a pod event changes members only.
/// </summary>
internal sealed record PolicyShape(
    IReadOnlyList<RowDeclaration> Rows,
    IReadOnlyList<MemberFeed> Feeds,
    IReadOnlyList<NumberWatch> Watches,
    IReadOnlyList<Diagnostic> Warnings)
{
    public static PolicyShape Empty { get; } = new([], [], [], []);
}
