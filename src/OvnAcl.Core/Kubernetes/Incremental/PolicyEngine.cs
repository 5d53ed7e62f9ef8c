using OvnAcl.Kubernetes.Compilation;
using OvnAcl.Kubernetes.Input;
using OvnAcl.Kubernetes.Model;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes.Incremental;

/// <summary>
/// Keeps a <see cref="DesiredState"/> equal to the compile of the cluster it is told about, one event at a time.
/// Policies and namespaces are shaped by <see cref="PolicyShaper"/> (rows, ACLs, and the queries their members come
/// from); pods only move members: a pod event looks up, through label indexes, the queries whose selectors name one of
/// its labels, and adds or removes its port or addresses in the rows those feed. A pod changes an ACL only when it is
/// the first (or last) on which a named port resolves to some number, since that number has an ACL of its own.
/// Not thread-safe: <see cref="KubernetesEngine"/> serialises callers.
/// </summary>
internal sealed class PolicyEngine
{
    private readonly DesiredState _desired;
    private readonly PolicyShaper _shaper;

    private readonly Dictionary<string, NamespaceModel> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, PodModel>> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PolicyModel> _policies = new(StringComparer.Ordinal);

    /// <summary>Known nodes with their shape, and the logical switch ports of the pods on each node, known or not yet.</summary>
    private readonly Dictionary<string, (NodeModel Node, PolicyShape Shape)> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _podsByNode = new(StringComparer.Ordinal);

    /// <summary>
    /// The model each pod had when last removed, among the last <see cref="RemovedPodsKept"/> removals (numbered, oldest
    /// first in <see cref="_removedOrder"/>): a pod added back as it was reuses its model (see <see cref="HeldOrRemoved"/>).
    /// Only a hint: the caller checks that the pod reads as the model, so an entry can be outdated but never wrong.
    /// </summary>
    private readonly Dictionary<(string Namespace, string Name), (PodModel Pod, long Removal)> _removedPods = [];
    private readonly Queue<((string Namespace, string Name) Key, long Removal)> _removedOrder = new();
    private const int RemovedPodsKept = 256;
    private long _removals;

    private readonly Dictionary<string, (PolicyModel Policy, PolicyShape Shape)> _policyShapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Policies, PolicyShape Shape)> _namespaceShapes = new(StringComparer.Ordinal);

    /// <summary>The cluster policies, and the one shape of both their tiers (a rule's priority depends on the rules above it).</summary>
    private readonly Dictionary<string, AdminPolicyModel> _adminPolicies = new(StringComparer.Ordinal);
    private PolicyShape? _adminShape;
    private const string AdminDependent = "cluster policies";

    private readonly Dictionary<(DesiredRowKind, string), RowEntry> _rows = [];
    private readonly Dictionary<MemberFeed, int> _feeds = [];
    private readonly Dictionary<NumberWatch, WatchEntry> _watches = [];
    private readonly Dictionary<PodQuery, QueryEntry> _queries = [];
    private readonly Dictionary<string, SelectorIndex<QueryEntry>> _queriesByNamespace = new(StringComparer.Ordinal);
    private readonly SelectorIndex<QueryEntry> _crossNamespaceQueries = new();

    private readonly HashSet<string> _dirtyPolicies = new(StringComparer.Ordinal);
    private readonly HashSet<QueryEntry> _candidates = [];
    private readonly List<Diagnostic> _warnings = [];
    private readonly List<string> _removedMembers = [];
    private readonly List<string> _addedMembers = [];

    public PolicyEngine(DesiredState desired, KubernetesCompileOptions options)
    {
        _desired = desired;
        _shaper = new PolicyShaper(options, Numbers);
    }

    public int PodCount => _pods.Values.Sum(p => p.Count);

    public int PolicyCount => _policies.Count;

    public int NodeCount => _nodes.Count;

    /// <summary>Warnings of the shapes built since the last call.</summary>
    public IReadOnlyList<Diagnostic> TakeWarnings()
    {
        if (_warnings.Count == 0)
        {
            return [];
        }

        var warnings = _warnings.Distinct().ToList();
        _warnings.Clear();
        return warnings;
    }

    public void Load(PolicySet set)
    {
        foreach (var ns in set.Namespaces)
        {
            UpsertNamespace(ns);
        }

        foreach (var node in set.Nodes)
        {
            UpsertNode(node);
        }

        // Pods before policies: with no query registered yet a pod costs a dictionary insert, and each policy then
        // reads the pods of its namespace once.
        foreach (var pod in set.Pods)
        {
            SetPod(pod.Namespace, pod.Name, pod);
        }

        foreach (var policy in set.Policies)
        {
            UpsertPolicy(policy);
        }

        foreach (var policy in set.AdminPolicies)
        {
            _adminPolicies[policy.Key] = policy;
        }

        if (_adminPolicies.Count > 0)
        {
            ReshapeAdmin();
        }
    }

    public int AdminPolicyCount => _adminPolicies.Count;

    /// <summary>The cluster policies held, in evaluation order.</summary>
    public IReadOnlyList<AdminPolicyModel> AdminPolicies()
    {
        var policies = _adminPolicies.Values.ToList();
        policies.Sort(AdminPolicyModel.CompareEvaluationOrder);
        return policies;
    }

    public void UpsertAdminPolicy(AdminPolicyModel policy)
    {
        if (_adminPolicies.TryGetValue(policy.Key, out var old) && old == policy)
        {
            return;
        }

        _adminPolicies[policy.Key] = policy;
        ReshapeAdmin();
        ReshapeDirty();
    }

    public bool DeleteAdminPolicy(string key)
    {
        if (!_adminPolicies.Remove(key))
        {
            return false;
        }

        ReshapeAdmin();
        ReshapeDirty();
        return true;
    }

    /// <summary>Both cluster tiers shaped again; registered before the old shape is dropped, as <see cref="Reshape"/> does.</summary>
    private void ReshapeAdmin()
    {
        var old = _adminShape;
        _adminShape = null;
        if (_adminPolicies.Count > 0)
        {
            var shape = _shaper.ShapeAdminTiers(AdminPolicies(), [.. _nodes.Values.Select(n => n.Node)]);
            Register(shape, AdminDependent);
            _adminShape = shape;
            _warnings.AddRange(shape.Warnings);
        }

        if (old is not null)
        {
            Unregister(old, AdminDependent);
        }
    }

    /// <summary>A node's labels or addresses changed what a <c>nodes</c> peer of a cluster policy stands for.</summary>
    private void ReshapeAdminForNodes()
    {
        if (_adminPolicies.Values.Any(p => p.IngressRules.Concat(p.EgressRules).Any(r => r.Peers.Any(peer => peer is NodePeer))))
        {
            ReshapeAdmin();
        }
    }

    public NamespaceModel Namespace(string name) =>
        _namespaces.TryGetValue(name, out var ns) ? ns : PolicyReader.ImplicitNamespace(name);

    public void UpsertNamespace(NamespaceModel ns) => SetNamespace(ns.Name, ns);

    /// <summary>The namespace object is gone: policies see it as a namespace with only its name label.</summary>
    public void DeleteNamespace(string name) => SetNamespace(name, null);

    /// <summary>The model held for the pod, else the one it had when last removed (if still kept); null when neither.</summary>
    public PodModel? HeldOrRemoved(string ns, string name) =>
        _pods.TryGetValue(ns, out var pods) && pods.TryGetValue(name, out var held) ? held : _removedPods.GetValueOrDefault((ns, name)).Pod;

    public void SetPod(string ns, string name, PodModel? pod)
    {
        var pods = _pods.GetValueOrDefault(ns);
        var old = pods?.GetValueOrDefault(name);
        if (old == pod)
        {
            return;
        }

        if (old is not null && pod is null)
        {
            RememberRemoved(old);
        }

        var labels = Namespace(ns).Labels;
        _candidates.Clear();
        if (old is not null)
        {
            CollectCandidates(old, _candidates, crossNamespaceOnly: false);
        }

        if (pod is not null)
        {
            CollectCandidates(pod, _candidates, crossNamespaceOnly: false);
            if (pods is null)
            {
                _pods[ns] = pods = new(StringComparer.Ordinal);
            }

            pods[name] = pod;
        }
        else
        {
            pods!.Remove(name);
            if (pods.Count == 0)
            {
                _pods.Remove(ns);
            }
        }

        foreach (var entry in _candidates)
        {
            var before = old is not null && entry.Query.Matches(old, labels) ? old : null;
            var after = pod is not null && entry.Query.Matches(pod, labels) ? pod : null;
            if (before is not null || after is not null)
            {
                Apply(entry, before, after);
            }
        }

        _candidates.Clear();
        MoveBetweenNodes(old, pod);
        ReshapeDirty();
    }

    /// <summary>
    /// A node's allowance: its rows, registered before the old ones are dropped (so an address change is an address
    /// set change only), and the pods already known to run on it as members.
    /// </summary>
    public void UpsertNode(NodeModel node)
    {
        var had = _nodes.TryGetValue(node.Name, out var old);
        if (had && old.Node == node)
        {
            return;
        }

        var shape = _shaper.ShapeNode(node);
        Register(shape, "node " + node.Name);
        _nodes[node.Name] = (node, shape);
        _warnings.AddRange(shape.Warnings);
        if (!had || old.Node.Labels != node.Labels || old.Node.StatusAddresses != node.StatusAddresses)
        {
            ReshapeAdminForNodes();
        }

        if (had)
        {
            Unregister(old.Shape, "node " + node.Name);
            return;
        }

        if (_podsByNode.TryGetValue(node.Name, out var ports))
        {
            var group = _shaper.NodePortGroup(node.Name);
            foreach (var port in ports)
            {
                _desired.AddPort(group, port);
            }
        }
    }

    public bool DeleteNode(string name)
    {
        if (!_nodes.Remove(name, out var old))
        {
            return false;
        }

        if (_podsByNode.TryGetValue(name, out var ports))
        {
            var group = _shaper.NodePortGroup(name);
            foreach (var port in ports)
            {
                _desired.RemovePort(group, port);
            }
        }

        Unregister(old.Shape, "node " + name);
        ReshapeAdminForNodes();
        return true;
    }

    /// <summary>A pod scheduled, moved or gone: a member of its node's port group, never an ACL.</summary>
    private void MoveBetweenNodes(PodModel? old, PodModel? pod)
    {
        var from = old?.NodeName;
        var to = pod?.NodeName;
        if (from == to)
        {
            return;
        }

        if (from is not null && _podsByNode.TryGetValue(from, out var leaving))
        {
            leaving.Remove(old!.LogicalSwitchPort);
            if (leaving.Count == 0)
            {
                _podsByNode.Remove(from);
            }

            if (_nodes.ContainsKey(from))
            {
                _desired.RemovePort(_shaper.NodePortGroup(from), old.LogicalSwitchPort);
            }
        }

        if (to is not null)
        {
            if (!_podsByNode.TryGetValue(to, out var arriving))
            {
                _podsByNode[to] = arriving = new(StringComparer.Ordinal);
            }

            arriving.Add(pod!.LogicalSwitchPort);
            if (_nodes.ContainsKey(to))
            {
                _desired.AddPort(_shaper.NodePortGroup(to), pod.LogicalSwitchPort);
            }
        }
    }

    private void RememberRemoved(PodModel pod)
    {
        var key = (pod.Namespace, pod.Name);
        _removedPods[key] = (pod, ++_removals);
        _removedOrder.Enqueue((key, _removals));
        if (_removedOrder.Count > RemovedPodsKept)
        {
            // The oldest removal is forgotten, unless its pod was removed again since: a later removal then stands for it.
            var (oldest, removal) = _removedOrder.Dequeue();
            if (_removedPods.TryGetValue(oldest, out var kept) && kept.Removal == removal)
            {
                _removedPods.Remove(oldest);
            }
        }
    }

    public void UpsertPolicy(PolicyModel policy)
    {
        _policies[policy.Key] = policy;
        Reshape(policy.Key);
        ReshapeDirty();
    }

    public bool DeletePolicy(string key)
    {
        if (!_policies.Remove(key))
        {
            return false;
        }

        Reshape(key);
        ReshapeDirty();
        return true;
    }

    private void SetNamespace(string name, NamespaceModel? ns)
    {
        var old = Namespace(name);
        if (ns is null)
        {
            _namespaces.Remove(name);
        }
        else
        {
            _namespaces[name] = ns;
        }

        var now = Namespace(name);
        if (old.Labels != now.Labels && _pods.TryGetValue(name, out var pods))
        {
            // Only queries with a namespaceSelector depend on a namespace's labels.
            foreach (var pod in pods.Values)
            {
                _candidates.Clear();
                CollectCandidates(pod, _candidates, crossNamespaceOnly: true);
                foreach (var entry in _candidates)
                {
                    var before = entry.Query.Matches(pod, old.Labels);
                    var after = entry.Query.Matches(pod, now.Labels);
                    if (before != after)
                    {
                        Apply(entry, before ? pod : null, after ? pod : null);
                    }
                }
            }

            _candidates.Clear();
        }

        if (old.Logging != now.Logging)
        {
            if (_namespaceShapes.TryGetValue(name, out var unit))
            {
                var shape = _shaper.ShapeNamespace(now);
                Register(shape, "namespace " + name);
                Unregister(unit.Shape, "namespace " + name);
                _namespaceShapes[name] = (unit.Policies, shape);
                _warnings.AddRange(shape.Warnings);
            }

            foreach (var policy in _policies.Values.Where(p => p.Namespace == name))
            {
                _dirtyPolicies.Add(policy.Key);
            }
        }

        ReshapeDirty();
    }

    private void CollectCandidates(PodModel pod, HashSet<QueryEntry> into, bool crossNamespaceOnly)
    {
        if (!crossNamespaceOnly && _queriesByNamespace.TryGetValue(pod.Namespace, out var index))
        {
            index.Candidates(pod.Labels, into);
        }

        _crossNamespaceQueries.Candidates(pod.Labels, into);
    }

    /// <summary>A pod entered, left or changed within a query: move its members, count its named ports.</summary>
    private void Apply(QueryEntry entry, PodModel? before, PodModel? after)
    {
        foreach (var feed in entry.Feeds)
        {
            // Reused lists: a pod event allocates nothing here (a feed yields one port or one or two addresses).
            var removed = _removedMembers;
            var added = _addedMembers;
            removed.Clear();
            added.Clear();
            if (before is not null)
            {
                feed.AddMembers(before, removed);
            }

            if (after is not null)
            {
                feed.AddMembers(after, added);
            }

            foreach (var member in added)
            {
                if (!removed.Remove(member))
                {
                    AddMember(feed, member);
                }
            }

            foreach (var member in removed)
            {
                RemoveMember(feed, member);
            }
        }

        foreach (var watch in entry.Watches)
        {
            var was = before?.Resolve(watch.Watch.Port, watch.Watch.Protocol);
            var now = after?.Resolve(watch.Watch.Port, watch.Watch.Protocol);
            if (was != now && watch.Move(was, now))
            {
                _dirtyPolicies.UnionWith(watch.Dependents.Keys);
            }
        }
    }

    private void ReshapeDirty()
    {
        while (_dirtyPolicies.Count > 0)
        {
            var keys = _dirtyPolicies.ToList();
            _dirtyPolicies.Clear();
            foreach (var key in keys)
            {
                Reshape(key);
            }
        }
    }

    /// <summary>
    /// Builds the policy's shape again and registers it before dropping the old one, so rows and members both
    /// shapes want are never removed in between: what changed is all the desired state sees.
    /// </summary>
    private void Reshape(string key)
    {
        if (key == AdminDependent)
        {
            // A named port of a cluster policy resolves to a new number (or to one fewer).
            ReshapeAdmin();
            return;
        }

        var old = _policyShapes.TryGetValue(key, out var o) ? o : default;
        if (_policies.TryGetValue(key, out var policy))
        {
            UseNamespace(policy.Namespace);
            var shape = _shaper.ShapePolicy(policy, Namespace(policy.Namespace));
            Register(shape, key);
            _policyShapes[key] = (policy, shape);
            _warnings.AddRange(shape.Warnings);
        }
        else
        {
            _policyShapes.Remove(key);
        }

        if (old.Shape is not null)
        {
            Unregister(old.Shape, key);
            ReleaseNamespace(old.Policy.Namespace);
        }
    }

    private void UseNamespace(string ns)
    {
        if (_namespaceShapes.TryGetValue(ns, out var unit))
        {
            _namespaceShapes[ns] = (unit.Policies + 1, unit.Shape);
            return;
        }

        var shape = _shaper.ShapeNamespace(Namespace(ns));
        Register(shape, "namespace " + ns);
        _namespaceShapes[ns] = (1, shape);
        _warnings.AddRange(shape.Warnings);
    }

    private void ReleaseNamespace(string ns)
    {
        var unit = _namespaceShapes[ns];
        if (unit.Policies > 1)
        {
            _namespaceShapes[ns] = (unit.Policies - 1, unit.Shape);
            return;
        }

        _namespaceShapes.Remove(ns);
        Unregister(unit.Shape, "namespace " + ns);
    }

    private void Register(PolicyShape shape, string dependent)
    {
        foreach (var row in shape.Rows)
        {
            RegisterRow(row);
        }

        foreach (var feed in shape.Feeds)
        {
            RegisterFeed(feed);
        }

        foreach (var watch in shape.Watches)
        {
            RegisterWatch(watch, dependent);
        }
    }

    private void Unregister(PolicyShape shape, string dependent)
    {
        foreach (var watch in shape.Watches)
        {
            UnregisterWatch(watch, dependent);
        }

        foreach (var feed in shape.Feeds)
        {
            UnregisterFeed(feed);
        }

        foreach (var row in shape.Rows)
        {
            UnregisterRow(row);
        }
    }

    private void RegisterRow(RowDeclaration row)
    {
        if (_rows.TryGetValue((row.Kind, row.Name), out var entry))
        {
            entry.Count++;
            if (entry.Declaration != row)
            {
                Put(row);
                foreach (var member in row.StaticMembers.Except(entry.Declaration.StaticMembers, StringComparer.Ordinal))
                {
                    AddMember(row.Kind, row.Name, member);
                }

                foreach (var member in entry.Declaration.StaticMembers.Except(row.StaticMembers, StringComparer.Ordinal))
                {
                    RemoveMember(row.Kind, row.Name, member);
                }

                entry.Declaration = row;
            }

            return;
        }

        _rows[(row.Kind, row.Name)] = new RowEntry(row);
        Put(row);
        foreach (var member in row.StaticMembers)
        {
            AddMember(row.Kind, row.Name, member);
        }
    }

    private void UnregisterRow(RowDeclaration row)
    {
        var entry = _rows[(row.Kind, row.Name)];
        if (--entry.Count > 0)
        {
            return;
        }

        _rows.Remove((row.Kind, row.Name));
        foreach (var member in entry.Declaration.StaticMembers)
        {
            RemoveMember(row.Kind, row.Name, member);
        }

        if (row.Kind == DesiredRowKind.PortGroup)
        {
            _desired.RemovePortGroup(row.Name);
        }
        else
        {
            _desired.RemoveAddressSet(row.Name);
        }
    }

    private void Put(RowDeclaration row)
    {
        if (row.Kind == DesiredRowKind.PortGroup)
        {
            _desired.PutPortGroup(row.Name, row.ExternalIds, row.Acls);
        }
        else
        {
            _desired.PutAddressSet(row.Name, row.ExternalIds);
        }
    }

    private void RegisterFeed(MemberFeed feed)
    {
        var count = _feeds.GetValueOrDefault(feed);
        _feeds[feed] = count + 1;
        if (count > 0)
        {
            return;
        }

        GetOrAddQuery(feed.Query).Feeds.Add(feed);
        foreach (var pod in PodsOf(feed.Query))
        {
            foreach (var member in feed.Members(pod))
            {
                AddMember(feed, member);
            }
        }
    }

    private void UnregisterFeed(MemberFeed feed)
    {
        var count = _feeds[feed];
        if (count > 1)
        {
            _feeds[feed] = count - 1;
            return;
        }

        _feeds.Remove(feed);
        var entry = _queries[feed.Query];
        entry.Feeds.Remove(feed);
        ReleaseQuery(entry);
        foreach (var pod in PodsOf(feed.Query))
        {
            foreach (var member in feed.Members(pod))
            {
                RemoveMember(feed, member);
            }
        }
    }

    private void RegisterWatch(NumberWatch watch, string dependent)
    {
        if (!_watches.TryGetValue(watch, out var entry))
        {
            _watches[watch] = entry = new WatchEntry(watch);
            foreach (var pod in PodsOf(watch.Query))
            {
                entry.Move(null, pod.Resolve(watch.Port, watch.Protocol));
            }

            GetOrAddQuery(watch.Query).Watches.Add(entry);
        }

        entry.Dependents[dependent] = entry.Dependents.GetValueOrDefault(dependent) + 1;
    }

    private void UnregisterWatch(NumberWatch watch, string dependent)
    {
        var entry = _watches[watch];
        var count = entry.Dependents[dependent];
        if (count > 1)
        {
            entry.Dependents[dependent] = count - 1;
            return;
        }

        entry.Dependents.Remove(dependent);
        if (entry.Dependents.Count == 0)
        {
            _watches.Remove(watch);
            var query = _queries[watch.Query];
            query.Watches.Remove(entry);
            ReleaseQuery(query);
        }
    }

    /// <summary>The shaper's view of a named port: the numbers it resolves to now, counted or, for a new query, read.</summary>
    private IReadOnlyCollection<int> Numbers(NumberWatch watch)
    {
        if (_watches.TryGetValue(watch, out var entry))
        {
            return [.. entry.Counts.Keys.Order()];
        }

        return [.. PodsOf(watch.Query).Select(p => p.Resolve(watch.Port, watch.Protocol)).OfType<int>().Distinct().Order()];
    }

    private QueryEntry GetOrAddQuery(PodQuery query)
    {
        if (_queries.TryGetValue(query, out var entry))
        {
            return entry;
        }

        _queries[query] = entry = new QueryEntry(query);
        if (query.Namespace is { } ns)
        {
            if (!_queriesByNamespace.TryGetValue(ns, out var index))
            {
                _queriesByNamespace[ns] = index = new SelectorIndex<QueryEntry>();
            }

            index.Add(query.PodSelector, entry);
        }
        else
        {
            _crossNamespaceQueries.Add(query.PodSelector, entry);
        }

        return entry;
    }

    private void ReleaseQuery(QueryEntry entry)
    {
        if (entry.Feeds.Count > 0 || entry.Watches.Count > 0)
        {
            return;
        }

        _queries.Remove(entry.Query);
        if (entry.Query.Namespace is { } ns)
        {
            var index = _queriesByNamespace[ns];
            index.Remove(entry.Query.PodSelector, entry);
            if (index.Count == 0)
            {
                _queriesByNamespace.Remove(ns);
            }
        }
        else
        {
            _crossNamespaceQueries.Remove(entry.Query.PodSelector, entry);
        }
    }

    /// <summary>The pods a query selects now: those of its namespace, or of every namespace its selector matches.</summary>
    private IEnumerable<PodModel> PodsOf(PodQuery query)
    {
        if (query.Namespace is { } only)
        {
            if (_pods.TryGetValue(only, out var pods))
            {
                var labels = Namespace(only).Labels;
                foreach (var pod in pods.Values)
                {
                    if (query.Matches(pod, labels))
                    {
                        yield return pod;
                    }
                }
            }

            yield break;
        }

        foreach (var (ns, pods) in _pods)
        {
            var labels = Namespace(ns).Labels;
            if (!query.MatchesNamespace(ns, labels))
            {
                continue;
            }

            foreach (var pod in pods.Values)
            {
                if (query.Matches(pod, labels))
                {
                    yield return pod;
                }
            }
        }
    }

    private void AddMember(MemberFeed feed, string member) => AddMember(feed.Kind, feed.Row, member);

    private void RemoveMember(MemberFeed feed, string member) => RemoveMember(feed.Kind, feed.Row, member);

    private void AddMember(DesiredRowKind kind, string row, string member)
    {
        if (kind == DesiredRowKind.PortGroup)
        {
            _desired.AddPort(row, member);
        }
        else
        {
            _desired.AddAddress(row, member);
        }
    }

    private void RemoveMember(DesiredRowKind kind, string row, string member)
    {
        if (kind == DesiredRowKind.PortGroup)
        {
            _desired.RemovePort(row, member);
        }
        else
        {
            _desired.RemoveAddress(row, member);
        }
    }

    private sealed class RowEntry(RowDeclaration declaration)
    {
        public int Count { get; set; } = 1;

        public RowDeclaration Declaration { get; set; } = declaration;
    }

    private sealed class QueryEntry(PodQuery query)
    {
        public PodQuery Query { get; } = query;

        public List<MemberFeed> Feeds { get; } = [];

        public List<WatchEntry> Watches { get; } = [];
    }

    private sealed class WatchEntry(NumberWatch watch)
    {
        public NumberWatch Watch { get; } = watch;

        /// <summary>Pods of the query per number the port resolves to.</summary>
        public Dictionary<int, int> Counts { get; } = [];

        /// <summary>Shapes that read these numbers, with how many registrations each holds.</summary>
        public Dictionary<string, int> Dependents { get; } = new(StringComparer.Ordinal);

        /// <summary>One pod moves from resolving to <paramref name="was"/> to <paramref name="now"/>; true when the set of numbers changed.</summary>
        public bool Move(int? was, int? now)
        {
            var changed = false;
            if (now is { } n)
            {
                var count = Counts.GetValueOrDefault(n);
                Counts[n] = count + 1;
                changed |= count == 0;
            }

            if (was is { } w)
            {
                var count = Counts[w];
                if (count == 1)
                {
                    Counts.Remove(w);
                    changed = true;
                }
                else
                {
                    Counts[w] = count - 1;
                }
            }

            return changed;
        }
    }
}
