using System.Collections.Immutable;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;
using OvnAcl.Northbound;

namespace OvnAcl;

/// <summary>How <see cref="PolicyCompiler"/> compiles each kind of input.</summary>
public sealed record PolicyCompileOptions
{
    /// <summary>Each compiler's defaults.</summary>
    public static PolicyCompileOptions Default { get; } = new();

    /// <summary>How Kubernetes input is compiled (controller name, defaults of the compiler).</summary>
    public KubernetesCompileOptions Kubernetes { get; init; } = KubernetesCompileOptions.Default;

    /// <summary>How Kubernetes files are read: the namespace of objects without one, what <c>-</c> reads.</summary>
    public KubernetesLoadOptions KubernetesLoad { get; init; } = KubernetesLoadOptions.Default;

    /// <summary>How Neutron input is translated.</summary>
    public NeutronTranslationOptions Neutron { get; init; } = NeutronTranslationOptions.Default;
}

/// <summary>
/// What <see cref="PolicyCompiler.CompileAsync"/> read and produced: the kind of input, the rows (null when any error
/// was found), every diagnostic, and how many objects of each kind were read.
/// </summary>
public sealed class PolicyCompilation
{
    internal PolicyCompilation(PolicyInputKind kind, NorthboundRows? rows, ImmutableArray<Diagnostic> diagnostics,
        ImmutableArray<KeyValuePair<string, int>> objectCounts, KubernetesInput? kubernetes, NeutronInput? neutron)
    {
        Kind = kind;
        Rows = rows;
        Diagnostics = diagnostics;
        ObjectCounts = objectCounts;
        KubernetesInput = kubernetes;
        NeutronInput = neutron;
    }

    /// <summary>Whether the input was Kubernetes manifests or Neutron API JSON.</summary>
    public PolicyInputKind Kind { get; }

    /// <summary>Null when <see cref="Diagnostics"/> holds an error: nothing is compiled then.</summary>
    public NorthboundRows? Rows { get; }

    /// <summary>Errors and warnings, loading problems first.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>True when the rows were produced (no error among <see cref="Diagnostics"/>).</summary>
    public bool Succeeded => Rows is not null;

    /// <summary>
    /// Objects read by kind, in a fixed order, zeros included: <c>NetworkPolicy</c>, <c>Pod</c>, <c>Namespace</c>,
    /// <c>Node</c>, <c>ClusterPolicy</c> (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) (Kubernetes) or <c>security_group</c>, <c>security_group_rule</c>, <c>port</c>, <c>address_group</c> (Neutron).
    /// </summary>
    public ImmutableArray<KeyValuePair<string, int>> ObjectCounts { get; }

    /// <summary>
    /// Every object read that the rows are for (for Neutron, rules are counted with their groups, not apart; Nodes
    /// not at all: alone they are no policy input, and <c>apply</c> of a node list must not count as one that empties
    /// the controller's rows on purpose).
    /// </summary>
    public int ObjectCount => Kind == PolicyInputKind.Kubernetes
        ? ObjectCounts.Where(c => c.Key != "Node").Sum(c => c.Value)
        : ObjectCounts.Where(c => c.Key != NeutronObjectKinds.SecurityGroupRule).Sum(c => c.Value);

    /// <summary>The Kubernetes objects read, for <see cref="PolicyInputKind.Kubernetes"/> input.</summary>
    public KubernetesInput? KubernetesInput { get; }

    /// <summary>The Neutron objects read, for <see cref="PolicyInputKind.Neutron"/> input.</summary>
    public NeutronInput? NeutronInput { get; }

    /// <summary>The rows, or an <see cref="AclCompileException"/> carrying every diagnostic.</summary>
    public NorthboundRows GetRowsOrThrow() => Rows ?? throw new AclCompileException(Diagnostics);
}

/// <summary>
/// The one way from input files to rows that <c>ovnacl compile</c>, <c>apply</c> and offline <c>explain</c> share:
/// tells Kubernetes manifests from Neutron API JSON (<see cref="PolicyInput.Detect"/>), loads and compiles them.
/// </summary>
public static class PolicyCompiler
{
    /// <exception cref="OvnAclException">The inputs mix Kubernetes manifests and Neutron API JSON.</exception>
    public static async Task<PolicyCompilation> CompileAsync(IReadOnlyList<string> paths, PolicyCompileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= PolicyCompileOptions.Default;
        if (PolicyInput.Detect(paths) == PolicyInputKind.Neutron)
        {
            return Compile(NeutronInput.Load(paths), options.Neutron);
        }

        var input = await KubernetesInputLoader.LoadAsync(paths, options.KubernetesLoad, cancellationToken).ConfigureAwait(false);
        return Compile(input, options.Kubernetes);
    }

    /// <summary>Compiles Kubernetes objects already loaded (from files or an informer's cache); loading diagnostics of <paramref name="input"/> come first.</summary>
    public static PolicyCompilation Compile(KubernetesInput input, KubernetesCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = KubernetesCompiler.Compile(input, options);
        return new(PolicyInputKind.Kubernetes, result.Rows, result.Diagnostics,
            [new("NetworkPolicy", input.Policies.Length), new("Pod", input.Pods.Length), new("Namespace", input.Namespaces.Length),
                new("Node", input.Nodes.Length), new("ClusterPolicy", input.ClusterPolicies.Length)],
            input, null);
    }

    /// <summary>Translates Neutron objects already loaded; loading diagnostics of <paramref name="input"/> come first.</summary>
    public static PolicyCompilation Compile(NeutronInput input, NeutronTranslationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = NeutronTranslator.Translate(input, options);
        return new(PolicyInputKind.Neutron, result.Rows, result.Diagnostics.Items,
            [
                new(NeutronObjectKinds.SecurityGroup, input.SecurityGroups.Count),
                new(NeutronObjectKinds.SecurityGroupRule, input.SecurityGroups.Sum(g => g.Rules.Count)),
                new(NeutronObjectKinds.Port, input.Ports.Count),
                new(NeutronObjectKinds.AddressGroup, input.AddressGroups.Count),
            ],
            null, input);
    }
}
