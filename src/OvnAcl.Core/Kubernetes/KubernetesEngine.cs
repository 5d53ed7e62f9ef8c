using System.Collections.Immutable;
using k8s.Models;
using OvnAcl.Kubernetes.Incremental;
using OvnAcl.Kubernetes.Input;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes;

/// <summary>
/// The Kubernetes side of an incremental controller: feed it the Namespaces, Pods, Nodes and NetworkPolicies an informer
/// sees, in any order, and it keeps <see cref="Desired"/> equal to what <see cref="KubernetesCompiler"/> would compile
/// from the same objects, changing only what each event changes. A pod event moves members of port groups and address
/// sets and never touches an ACL, unless the pod is the first or last on which a named port resolves to some number
/// (that number has an ACL of its own). Work per event grows with the selectors it matches, not with the cluster.
/// </summary>
/// <remarks>
/// Thread-safe (calls are serialised). An invalid object throws <see cref="AclCompileException"/> naming the object and
/// field, and changes nothing; warnings are returned. A pod on the host network or finished takes no part (an upsert
/// of such a pod removes it), as in the compiler. A pod without an IP yet (Pending) is a subject all the same: its
/// logical switch port joins its policies' port groups at once, and it joins peer address sets when its IP arrives.
/// </remarks>
public sealed class KubernetesEngine
{
    private readonly Lock _gate = new();
    private readonly PolicyEngine _engine;

    /// <summary>An engine writing the rows of every policy it is given into <paramref name="desired"/>, compiled with <paramref name="options"/>.</summary>
    public KubernetesEngine(DesiredState desired, KubernetesCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        Options = options ?? KubernetesCompileOptions.Default with { ControllerName = desired.ControllerName };
        Options.Validate();
        if (Options.ControllerName != desired.ControllerName)
        {
            throw new ArgumentException(
                $"the options' controller name '{Options.ControllerName}' differs from the desired state's '{desired.ControllerName}'", nameof(options));
        }

        Desired = desired;
        _engine = new PolicyEngine(desired, Options);
        foreach (var kind in Enum.GetValues<KubernetesInputKind>())
        {
            // Cluster policies are watched by choice (their CRDs may not be installed): see ExpectClusterPolicies.
            if (kind != KubernetesInputKind.ClusterPolicy)
            {
                desired.ExpectInput(kind.ToString());
            }
        }
    }

    /// <summary>
    /// The controller watches cluster-scoped policies too (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
    /// ClusterNetworkPolicy): a reconciler then also waits for <see cref="MarkListed"/> of
    /// <see cref="KubernetesInputKind.ClusterPolicy"/>, so that it never deletes their rows before their informer has
    /// listed them. Call it before the reconciler starts.
    /// </summary>
    public void ExpectClusterPolicies() => Desired.ExpectInput(nameof(KubernetesInputKind.ClusterPolicy));

    /// <summary>
    /// The informer of <paramref name="kind"/> has fed its first full list (its <c>HasSynced</c>). A reconciler on
    /// <see cref="Desired"/> writes nothing until every kind is listed: before that, the state lacks rows and members
    /// the database rightly holds, and comparing would delete protection.
    /// </summary>
    public void MarkListed(KubernetesInputKind kind) => Desired.MarkListed(kind.ToString());

    /// <summary>Every kind is listed: for an engine fed from files or a complete snapshot (<see cref="Load"/>).</summary>
    public void MarkAllListed()
    {
        foreach (var kind in Enum.GetValues<KubernetesInputKind>())
        {
            MarkListed(kind);
        }
    }

    /// <summary>The desired state the engine writes into.</summary>
    public DesiredState Desired { get; }

    /// <summary>How policies are compiled.</summary>
    public KubernetesCompileOptions Options { get; }

    /// <summary>Pods the engine knows now.</summary>
    public int PodCount
    {
        get
        {
            lock (_gate)
            {
                return _engine.PodCount;
            }
        }
    }

    /// <summary>NetworkPolicies the engine knows now.</summary>
    public int PolicyCount
    {
        get
        {
            lock (_gate)
            {
                return _engine.PolicyCount;
            }
        }
    }

    /// <summary>
    /// Adds everything in <paramref name="input"/>, a complete snapshot (files, or a first list of every kind): all
    /// validated first, nothing applied on an error. Marks every kind listed (<see cref="MarkAllListed"/>).
    /// </summary>
    public IReadOnlyList<Diagnostic> Load(KubernetesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (set, diagnostics) = PolicyReader.Read(input, Options);
        ThrowOnErrors(diagnostics);
        IReadOnlyList<Diagnostic> result;
        lock (_gate)
        {
            _engine.Load(set);
            result = Combine(diagnostics, _engine.TakeWarnings());
        }

        MarkAllListed();
        return result;
    }

    /// <summary>Adds or replaces a namespace; the policies whose namespace selectors it now matches or stops matching change their address sets. Returns the namespace's problems (an invalid one keeps its previous version in force).</summary>
    public IReadOnlyList<Diagnostic> UpsertNamespace(V1Namespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var (model, diagnostics) = PolicyReader.ReadNamespace(ns, Options);
        ThrowOnErrors(diagnostics);
        lock (_gate)
        {
            _engine.UpsertNamespace(model!);
            return Combine(diagnostics, _engine.TakeWarnings());
        }
    }

    /// <summary>The Namespace object is gone; until its pods and policies go too, selectors see only its name label.</summary>
    public IReadOnlyList<Diagnostic> DeleteNamespace(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _engine.DeleteNamespace(name);
            return _engine.TakeWarnings();
        }
    }

    /// <summary>Adds or replaces a pod: it joins or leaves the port groups of the policies that select it, and its IPs the address sets of their peers. Returns the pod's problems (an invalid one keeps its previous version in force).</summary>
    public IReadOnlyList<Diagnostic> UpsertPod(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (pod.Metadata is { NamespaceProperty: { Length: > 0 } knownNs, Name: { Length: > 0 } knownName })
        {
            lock (_gate)
            {
                // A pod that reads as the model held for it (a status update) or as it was when removed (added back)
                // keeps that model: no reading, no allocation, and an unchanged pod changes nothing.
                if (_engine.HeldOrRemoved(knownNs, knownName) is { } known && PolicyReader.ReadsAs(pod, known))
                {
                    _engine.SetPod(knownNs, knownName, known);
                    return _engine.TakeWarnings();
                }
            }
        }

        var (ns, name, model, diagnostics) = PolicyReader.ReadPod(pod, Options);
        ThrowOnErrors(diagnostics);
        lock (_gate)
        {
            _engine.SetPod(ns, name!, model);
            return Combine(diagnostics, _engine.TakeWarnings());
        }
    }

    /// <summary>Removes the pod <paramref name="ns"/>/<paramref name="name"/> from every port group and address set it was in; returns the warnings this causes.</summary>
    public IReadOnlyList<Diagnostic> DeletePod(string ns, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _engine.SetPod(ns, name, null);
            return _engine.TakeWarnings();
        }
    }

    /// <summary>
    /// A node's source addresses (see <see cref="KubernetesCompileOptions.NodeAddressSource"/>): traffic between them and
    /// the pods on that node is allowed whatever the policies say. An address change changes an address set only.
    /// </summary>
    public IReadOnlyList<Diagnostic> UpsertNode(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var (model, diagnostics) = PolicyReader.ReadNode(node, Options);
        ThrowOnErrors(diagnostics);
        lock (_gate)
        {
            _engine.UpsertNode(model!);
            return Combine(diagnostics, _engine.TakeWarnings());
        }
    }

    /// <summary>The Node is gone: its allowance goes; its pods keep their policies.</summary>
    public IReadOnlyList<Diagnostic> DeleteNode(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _engine.DeleteNode(name);
            return _engine.TakeWarnings();
        }
    }

    /// <summary>Adds or replaces a NetworkPolicy, recompiling only its own rows. Returns its diagnostics; with an error the previous version stays in force.</summary>
    public IReadOnlyList<Diagnostic> UpsertPolicy(V1NetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (model, diagnostics) = PolicyReader.ReadPolicy(policy, Options);
        ThrowOnErrors(diagnostics);
        lock (_gate)
        {
            _engine.UpsertPolicy(model!);
            return Combine(diagnostics, _engine.TakeWarnings());
        }
    }

    /// <summary>Removes the NetworkPolicy <paramref name="ns"/>/<paramref name="name"/> and the rows only it needed.</summary>
    public IReadOnlyList<Diagnostic> DeletePolicy(string ns, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _engine.DeletePolicy(ns + "/" + name);
            return _engine.TakeWarnings();
        }
    }

    /// <summary>Cluster policies the engine knows now.</summary>
    public int ClusterPolicyCount
    {
        get
        {
            lock (_gate)
            {
                return _engine.AdminPolicyCount;
            }
        }
    }

    /// <summary>
    /// Adds or replaces a cluster-scoped policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy).
    /// Its tier's rules are shaped again (a rule's priority depends on the rules above it); pod events afterwards
    /// move members only. Returns its diagnostics; with an error the previous version stays in force.
    /// </summary>
    public IReadOnlyList<Diagnostic> UpsertClusterPolicy(ClusterPolicyObject policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (model, diagnostics) = PolicyReader.ReadAdminPolicy(policy, Options);
        ThrowOnErrors(diagnostics);
        lock (_gate)
        {
            var next = _engine.AdminPolicies().Where(p => p.Key != model!.Key).Append(model!).ToList();
            ThrowOnErrors(PolicyReader.CheckAdminTiers(next, Options));
            _engine.UpsertAdminPolicy(model!);
            return Combine(diagnostics, _engine.TakeWarnings());
        }
    }

    /// <summary>Removes the cluster policy of <paramref name="kind"/> (<c>AdminNetworkPolicy</c>, …) and <paramref name="name"/>.</summary>
    public IReadOnlyList<Diagnostic> DeleteClusterPolicy(string kind, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            _engine.DeleteAdminPolicy(kind + "/" + name);
            return _engine.TakeWarnings();
        }
    }

    /// <summary>The object's diagnostics and the warnings of the shapes it changed; no allocation when there are none.</summary>
    private static IReadOnlyList<Diagnostic> Combine(ImmutableArray<Diagnostic> diagnostics, IReadOnlyList<Diagnostic> warnings) =>
        warnings.Count == 0 ? (diagnostics.IsEmpty ? [] : diagnostics) : [.. diagnostics, .. warnings];

    private static void ThrowOnErrors(ImmutableArray<Diagnostic> diagnostics)
    {
        // A loop over the array itself: LINQ on it would box it on every event.
        foreach (var diagnostic in diagnostics)
        {
            if (diagnostic.IsError)
            {
                throw new AclCompileException([.. diagnostics]);
            }
        }
    }
}

/// <summary>The kinds of object a <see cref="KubernetesEngine"/> reads, each from its own informer.</summary>
public enum KubernetesInputKind
{
    /// <summary>v1 Namespaces.</summary>
    Namespace,

    /// <summary>v1 Pods.</summary>
    Pod,

    /// <summary>networking.k8s.io/v1 NetworkPolicies.</summary>
    NetworkPolicy,

    /// <summary>v1 Nodes: until listed, pods would lose the allowance of their node.</summary>
    Node,

    /// <summary>
    /// policy.networking.k8s.io cluster policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy):
    /// expected only after <see cref="KubernetesEngine.ExpectClusterPolicies"/>.
    /// </summary>
    ClusterPolicy,
}
