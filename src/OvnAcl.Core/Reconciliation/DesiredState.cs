using System.Runtime.InteropServices;
using OvnAcl.Collections;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// The rows a controller wants in the Northbound database, kept up to date by an incremental engine and read by the
/// <c>AclReconciler</c>. Members are reference counted (a pod selected by two policies is one member of their
/// shared default-deny group), and every change is recorded per row: which rows changed shape (existence,
/// <c>external_ids</c>, ACLs) and which members were touched. The reconciler drains those records and compares only
/// the touched parts with its replica of the database, so a pod event costs the same in a cluster of a thousand pods
/// as in one of a hundred thousand.
/// </summary>
/// <remarks>
/// Thread-safe: engines write under the store's lock while the reconciler drains and reads. Every row written
/// carries <c>external_ids:owner-controller</c> = <see cref="ControllerName"/> (added when the producer did not set
/// it, as for Neutron's rows), which is how the reconciler recognises the rows it owns.
/// </remarks>
public sealed class DesiredState
{
    /// <summary>The <c>external_ids</c> key naming the controller that owns a row; rows with another value (or none) are never touched.</summary>
    public const string OwnerControllerKey = "owner-controller";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, RowState> _portGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowState> _addressSets = new(StringComparer.Ordinal);
    private readonly Dictionary<(DesiredRowKind, string), RowDelta> _pending = [];
    private readonly Stack<RowDelta> _freeDeltas = new();
    private readonly SortedSet<string> _unlisted = new(StringComparer.Ordinal);
    private TaskCompletionSource? _listed;
    private long _version;
    private int _pendingChanges;

    /// <summary>An empty desired state for <paramref name="controllerName"/>, written to <see cref="OwnerControllerKey"/> of every row.</summary>
    public DesiredState(string controllerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controllerName);
        ControllerName = controllerName;
    }

    /// <summary>The <c>owner-controller</c> value of every row this state describes.</summary>
    public string ControllerName { get; }

    /// <summary>Raised (outside the lock) after each change: the reconciler's wake-up.</summary>
    public event Action? Changed;

    /// <summary>Grows by one per change; a reconciler compares it to know whether anything happened since.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// About how many changes are recorded and not yet drained (rows and members touched; a member touched twice may
    /// count twice): cheap to read, for deciding whether a full transaction is waiting.
    /// </summary>
    internal int PendingChangeCount => Volatile.Read(ref _pendingChanges);

    /// <summary>Whether changes are recorded and not yet drained.</summary>
    public bool HasPendingChanges
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count > 0;
            }
        }
    }

    /// <summary>Port groups wanted now.</summary>
    public int PortGroupCount
    {
        get
        {
            lock (_lock)
            {
                return _portGroups.Values.Count(r => r.Exists);
            }
        }
    }

    /// <summary>Address sets wanted now.</summary>
    public int AddressSetCount
    {
        get
        {
            lock (_lock)
            {
                return _addressSets.Values.Count(r => r.Exists);
            }
        }
    }

    /// <summary>
    /// Whether every input declared with <see cref="ExpectInput"/> has been listed. Until then the state may lack rows
    /// the database rightly holds (the policies not listed yet, the pods of a group not listed yet), so a reconciler
    /// writes nothing: comparing a partial state with the database would delete protection.
    /// </summary>
    public bool IsListed
    {
        get
        {
            lock (_lock)
            {
                return _unlisted.Count == 0;
            }
        }
    }

    /// <summary>The inputs declared with <see cref="ExpectInput"/> and not yet listed, sorted.</summary>
    public IReadOnlyList<string> UnlistedInputs
    {
        get
        {
            lock (_lock)
            {
                return [.. _unlisted];
            }
        }
    }

    /// <summary>
    /// Declares an input (an informer's kind, e.g. <c>Pod</c>) whose first full listing must be in this state before a
    /// reconciler writes anything. Engines declare their inputs when created; <see cref="MarkListed"/> ends the wait.
    /// </summary>
    public void ExpectInput(string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        lock (_lock)
        {
            _unlisted.Add(input);
        }
    }

    /// <summary>The input's first full listing has been fed to this state (an informer's <c>HasSynced</c>).</summary>
    public void MarkListed(string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(input);
        TaskCompletionSource? listed = null;
        lock (_lock)
        {
            if (_unlisted.Remove(input) && _unlisted.Count == 0)
            {
                listed = _listed;
                _listed = null;
            }
        }

        listed?.TrySetResult();
    }

    /// <summary>Completes when <see cref="IsListed"/> is true (at once when it already is).</summary>
    public Task WaitUntilListedAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_unlisted.Count == 0)
            {
                return Task.CompletedTask;
            }

            _listed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _listed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The wanted port groups that have <paramref name="logicalSwitchPort"/> as a member, sorted: the groups a CNI adds a
    /// new port to in the transaction that creates it (<see cref="AddPortToGroups"/>), so that the port never exists
    /// outside the groups that isolate it.
    /// </summary>
    public IReadOnlyList<string> PortGroupsOf(string logicalSwitchPort)
    {
        ArgumentException.ThrowIfNullOrEmpty(logicalSwitchPort);
        lock (_lock)
        {
            var groups = new List<string>();
            foreach (var (name, row) in _portGroups)
            {
                if (row.Exists && row.Members.ContainsKey(logicalSwitchPort))
                {
                    groups.Add(name);
                }
            }

            groups.Sort(StringComparer.Ordinal);
            return groups;
        }
    }

    /// <summary>
    /// Adds to <paramref name="transaction"/> one <c>mutate</c> per port group of <paramref name="logicalSwitchPort"/>
    /// (<see cref="PortGroupsOf"/>) inserting <paramref name="port"/> into its <c>ports</c>: put it in the transaction
    /// that inserts the logical switch port, with <paramref name="port"/> the insert's
    /// <see cref="OvsdbAtom.NamedUuid(string)"/>, and the port is in its groups from the instant it exists. A group the
    /// database does not hold yet matches no row here; the reconciler creates it with its members. Returns the groups.
    /// </summary>
    /// <remarks>
    /// Feed the pod to the engine first (an upsert with or without an IP): a member the desired state lacks is one the
    /// reconciler removes.
    /// </remarks>
    public IReadOnlyList<string> AddPortToGroups(OvsdbTransaction transaction, string logicalSwitchPort, OvsdbAtom port)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var groups = PortGroupsOf(logicalSwitchPort);
        var member = OvsdbDatum.Scalar(port);
        foreach (var group in groups)
        {
            transaction.Mutate("Port_Group", [OvsdbCondition.Equal("name", group)],
                [new OvsdbMutation("ports", OvsdbMutator.Insert, member)]);
        }

        return groups;
    }

    /// <summary>Creates or reshapes a port group: its <c>external_ids</c> and its ACLs (members are kept).</summary>
    public void PutPortGroup(string name, EquatableMap externalIds, EquatableArray<AclRow> acls)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Put(DesiredRowKind.PortGroup, name, externalIds, acls);
    }

    /// <summary>Creates or reshapes an address set (its <c>external_ids</c>; addresses are kept).</summary>
    public void PutAddressSet(string name, EquatableMap externalIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Put(DesiredRowKind.AddressSet, name, externalIds, EquatableArray<AclRow>.Empty);
    }

    /// <summary>The port group is no longer wanted (members still referenced stay counted for a later Put).</summary>
    public bool RemovePortGroup(string name) => Remove(DesiredRowKind.PortGroup, name);

    /// <summary>Stops wanting the address set <paramref name="name"/>; the reconciler deletes it. False when it was not wanted.</summary>
    public bool RemoveAddressSet(string name) => Remove(DesiredRowKind.AddressSet, name);

    /// <summary>One more reference to <paramref name="logicalSwitchPort"/> as a member of the port group.</summary>
    public void AddPort(string portGroup, string logicalSwitchPort) => AddMember(DesiredRowKind.PortGroup, portGroup, logicalSwitchPort);

    /// <summary>One reference less; the member leaves the group with its last reference.</summary>
    public void RemovePort(string portGroup, string logicalSwitchPort) => RemoveMember(DesiredRowKind.PortGroup, portGroup, logicalSwitchPort);

    /// <summary>Wants <paramref name="address"/> in the address set <paramref name="addressSet"/>.</summary>
    public void AddAddress(string addressSet, string address) => AddMember(DesiredRowKind.AddressSet, addressSet, address);

    /// <summary>Stops wanting <paramref name="address"/> in the address set <paramref name="addressSet"/>.</summary>
    public void RemoveAddress(string addressSet, string address) => RemoveMember(DesiredRowKind.AddressSet, addressSet, address);

    /// <summary>
    /// Takes every change recorded since the last drain: the reconciler's work list. Changes that cancel (a member
    /// added then removed) are still listed as touched, and the comparison with the database then finds nothing.
    /// </summary>
    public IReadOnlyList<DesiredRowChange> DrainChanges()
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return [];
            }

            // An array rather than a List, and each record's members copied once into the array it keeps: the drain
            // runs per transaction, and this is all it allocates.
            var changes = new DesiredRowChange[_pending.Count];
            var next = 0;
            foreach (var ((kind, name), delta) in _pending)
            {
                changes[next++] = new DesiredRowChange(kind, name, delta.Shape, delta.Members is { Count: > 0 } m ? Copy(m) : EquatableArray<string>.Empty) { Since = delta.Since };

                // Deltas and their member sets are reused: under churn the same rows change again and again.
                delta.Reset();
                _freeDeltas.Push(delta);
            }

            _pending.Clear();
            Volatile.Write(ref _pendingChanges, 0);
            return changes;
        }
    }

    private static EquatableArray<string> Copy(HashSet<string> members)
    {
        var copy = new string[members.Count];
        members.CopyTo(copy);
        return ImmutableCollectionsMarshal.AsImmutableArray(copy);
    }

    /// <summary>Puts changes back (a transaction that failed, or more changes than one transaction may carry).</summary>
    public void Requeue(IEnumerable<DesiredRowChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        RequeueQuietly(changes);
        Changed?.Invoke();
    }

    /// <summary>Puts changes back without raising <see cref="Changed"/>: for changes set aside until something else wakes the reconciler.</summary>
    internal void RequeueQuietly(IEnumerable<DesiredRowChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                var delta = Pending(change.Kind, change.Name);
                delta.Since = Math.Min(delta.Since, change.Since);
                delta.Shape |= change.Shape;
                Volatile.Write(ref _pendingChanges, _pendingChanges + change.TouchedMembers.Count);
                foreach (var member in change.TouchedMembers)
                {
                    (delta.Members ??= new(StringComparer.Ordinal)).Add(member);
                }
            }
        }
    }

    /// <summary>Reads one port group under the lock; false when it is not wanted.</summary>
    public bool TryGetPortGroup(string name, out DesiredPortGroup portGroup)
    {
        lock (_lock)
        {
            if (_portGroups.TryGetValue(name, out var row) && row.Exists)
            {
                portGroup = new DesiredPortGroup(name, row.ExternalIds, row.Acls);
                return true;
            }
        }

        portGroup = default;
        return false;
    }

    /// <summary>Reads one address set's <c>external_ids</c> under the lock; false when it is not wanted.</summary>
    public bool TryGetAddressSet(string name, out EquatableMap externalIds)
    {
        lock (_lock)
        {
            if (_addressSets.TryGetValue(name, out var row) && row.Exists)
            {
                externalIds = row.ExternalIds;
                return true;
            }
        }

        externalIds = EquatableMap.Empty;
        return false;
    }

    /// <summary>Whether the row is wanted and has <paramref name="member"/> (a logical switch port name or an address).</summary>
    public bool HasMember(DesiredRowKind kind, string name, string member)
    {
        lock (_lock)
        {
            return Rows(kind).TryGetValue(name, out var row) && row.Exists && row.Members.ContainsKey(member);
        }
    }

    /// <summary>The members of a wanted row (empty when not wanted), sorted.</summary>
    public IReadOnlyList<string> GetMembers(DesiredRowKind kind, string name)
    {
        lock (_lock)
        {
            return Rows(kind).TryGetValue(name, out var row) && row.Exists
                ? [.. row.Members.Keys.Order(StringComparer.Ordinal)]
                : [];
        }
    }

    /// <summary>Names of the wanted rows of a kind.</summary>
    public IReadOnlyList<string> GetNames(DesiredRowKind kind)
    {
        lock (_lock)
        {
            return [.. Rows(kind).Where(r => r.Value.Exists).Select(r => r.Key)];
        }
    }

    /// <summary>Everything wanted, as the compilers print it (for <c>ovnacl apply --dry-run</c> and tests).</summary>
    public NorthboundRows Snapshot()
    {
        lock (_lock)
        {
            return NorthboundRows.Create(
                _portGroups.Where(p => p.Value.Exists).Select(p => new PortGroupRow
                {
                    Name = p.Key,
                    ExternalIds = p.Value.ExternalIds,
                    Acls = p.Value.Acls,
                    Ports = p.Value.Members.Keys.ToSortedSet(),
                }),
                _addressSets.Where(a => a.Value.Exists).Select(a => new AddressSetRow
                {
                    Name = a.Key,
                    ExternalIds = a.Value.ExternalIds,
                    Addresses = a.Value.Members.Keys.ToSortedSet(),
                }));
        }
    }

    /// <summary>
    /// Replaces the whole state with <paramref name="rows"/> (a compile from scratch, as <c>ovnacl apply</c> does):
    /// rows and members not in it go, every row is marked changed.
    /// </summary>
    public void Load(NorthboundRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        lock (_lock)
        {
            foreach (var (kind, map) in new[] { (DesiredRowKind.PortGroup, _portGroups), (DesiredRowKind.AddressSet, _addressSets) })
            {
                foreach (var (name, row) in map)
                {
                    var delta = Pending(kind, name);
                    delta.Shape = true;
                    foreach (var member in row.Members.Keys)
                    {
                        (delta.Members ??= new(StringComparer.Ordinal)).Add(member);
                    }
                }

                map.Clear();
            }

            foreach (var pg in rows.PortGroups)
            {
                var row = GetOrAdd(DesiredRowKind.PortGroup, pg.Name);
                row.Exists = true;
                row.ExternalIds = Stamp(pg.ExternalIds);
                row.Acls = StampAcls(pg.Acls);
                var delta = Pending(DesiredRowKind.PortGroup, pg.Name);
                delta.Shape = true;
                foreach (var port in pg.Ports)
                {
                    row.Members[port] = 1;
                    (delta.Members ??= new(StringComparer.Ordinal)).Add(port);
                }
            }

            foreach (var set in rows.AddressSets)
            {
                var row = GetOrAdd(DesiredRowKind.AddressSet, set.Name);
                row.Exists = true;
                row.ExternalIds = Stamp(set.ExternalIds);
                var delta = Pending(DesiredRowKind.AddressSet, set.Name);
                delta.Shape = true;
                foreach (var address in set.Addresses)
                {
                    row.Members[address] = 1;
                    (delta.Members ??= new(StringComparer.Ordinal)).Add(address);
                }
            }

            _version++;
        }

        Changed?.Invoke();
    }

    private void Put(DesiredRowKind kind, string name, EquatableMap externalIds, EquatableArray<AclRow> acls)
    {
        lock (_lock)
        {
            var row = GetOrAdd(kind, name);
            var ids = Stamp(externalIds);
            var stamped = StampAcls(acls);
            if (row.Exists && row.ExternalIds == ids && row.Acls == stamped)
            {
                return;
            }

            var appeared = !row.Exists;
            row.Exists = true;
            row.ExternalIds = ids;
            row.Acls = stamped;
            var delta = Pending(kind, name);
            delta.Shape = true;
            if (appeared)
            {
                // Members counted while the row was not wanted must now be written.
                foreach (var member in row.Members.Keys)
                {
                    (delta.Members ??= new(StringComparer.Ordinal)).Add(member);
                }
            }

            _version++;
        }

        Changed?.Invoke();
    }

    private bool Remove(DesiredRowKind kind, string name)
    {
        lock (_lock)
        {
            if (!Rows(kind).TryGetValue(name, out var row) || !row.Exists)
            {
                return false;
            }

            row.Exists = false;
            row.ExternalIds = EquatableMap.Empty;
            row.Acls = EquatableArray<AclRow>.Empty;
            if (row.Members.Count == 0)
            {
                Rows(kind).Remove(name);
            }

            Pending(kind, name).Shape = true;
            _version++;
        }

        Changed?.Invoke();
        return true;
    }

    private void AddMember(DesiredRowKind kind, string name, string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(member);
        lock (_lock)
        {
            var row = GetOrAdd(kind, name);
            row.Members.TryGetValue(member, out var count);
            row.Members[member] = count + 1;
            if (count == 0)
            {
                Touch(kind, name, row, member);
            }
        }

        Changed?.Invoke();
    }

    private void RemoveMember(DesiredRowKind kind, string name, string member)
    {
        lock (_lock)
        {
            if (!Rows(kind).TryGetValue(name, out var row) || !row.Members.TryGetValue(member, out var count))
            {
                throw new InvalidOperationException($"{kind} '{name}' has no member '{member}' to remove");
            }

            if (count > 1)
            {
                row.Members[member] = count - 1;
                return;
            }

            row.Members.Remove(member);
            Touch(kind, name, row, member);
            if (!row.Exists && row.Members.Count == 0)
            {
                Rows(kind).Remove(name);
            }
        }

        Changed?.Invoke();
    }

    private void Touch(DesiredRowKind kind, string name, RowState row, string member)
    {
        _version++;
        if (row.Exists && (Pending(kind, name).Members ??= new(StringComparer.Ordinal)).Add(member))
        {
            Volatile.Write(ref _pendingChanges, _pendingChanges + 1);
        }
    }

    private EquatableMap Stamp(EquatableMap ids) =>
        ids.Get(OwnerControllerKey) is null ? ids.With(OwnerControllerKey, ControllerName) : ids;

    private EquatableArray<AclRow> StampAcls(EquatableArray<AclRow> acls)
    {
        if (acls.All(a => a.ExternalIds.Get(OwnerControllerKey) is not null))
        {
            return acls;
        }

        return acls.Select(a => a with { ExternalIds = Stamp(a.ExternalIds) }).ToEquatableArray();
    }

    private Dictionary<string, RowState> Rows(DesiredRowKind kind) => kind == DesiredRowKind.PortGroup ? _portGroups : _addressSets;

    private RowState GetOrAdd(DesiredRowKind kind, string name)
    {
        var rows = Rows(kind);
        if (!rows.TryGetValue(name, out var row))
        {
            rows[name] = row = new RowState();
        }

        return row;
    }

    private RowDelta Pending(DesiredRowKind kind, string name)
    {
        if (!_pending.TryGetValue((kind, name), out var delta))
        {
            _pending[(kind, name)] = delta = _freeDeltas.Count > 0 ? _freeDeltas.Pop() : new RowDelta();
            Volatile.Write(ref _pendingChanges, _pendingChanges + 1);
        }

        // Called just before the change that needs it takes the next version (or by a requeue, which lowers it further).
        delta.Since = Math.Min(delta.Since, _version + 1);
        return delta;
    }

    private sealed class RowState
    {
        public bool Exists { get; set; }

        public EquatableMap ExternalIds { get; set; } = EquatableMap.Empty;

        public EquatableArray<AclRow> Acls { get; set; } = EquatableArray<AclRow>.Empty;

        public Dictionary<string, int> Members { get; } = new(StringComparer.Ordinal);
    }

    private sealed class RowDelta
    {
        public long Since { get; set; } = long.MaxValue;

        public bool Shape { get; set; }

        public HashSet<string>? Members { get; set; }

        public void Reset()
        {
            Since = long.MaxValue;
            Shape = false;
            Members?.Clear();
        }
    }
}

/// <summary>The two tables a desired state holds rows of.</summary>
public enum DesiredRowKind
{
    /// <summary>A <c>Port_Group</c> row, with its ports and ACLs.</summary>
    PortGroup,
    /// <summary>An <c>Address_Set</c> row, with its addresses.</summary>
    AddressSet,
}

/// <summary>
/// What changed in one desired row since the last drain: <see cref="Shape"/> when the row appeared, went, or its
/// <c>external_ids</c> or ACLs changed; <see cref="TouchedMembers"/> whose membership may differ from the database.
/// </summary>
public sealed record DesiredRowChange(DesiredRowKind Kind, string Name, bool Shape, EquatableArray<string> TouchedMembers)
{
    /// <summary>
    /// The <see cref="DesiredState.Version"/> of the oldest change this record carries; 0 when unknown (as old as any).
    /// Once every record drained up to some version is committed except some left over, the database holds every change
    /// older than the oldest leftover's: how <see cref="ReconcileTransactionInfo.CoversDesiredVersion"/> is found.
    /// Bookkeeping, not content: equality ignores it.
    /// </summary>
    public long Since { get; init; }

    /// <summary>Same row, shape flag and touched members; <see cref="Since"/> is ignored.</summary>
    public bool Equals(DesiredRowChange? other) =>
        other is not null && Kind == other.Kind && Shape == other.Shape && Name == other.Name && TouchedMembers.Equals(other.TouchedMembers);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Name, Shape, TouchedMembers);
}

/// <summary>A wanted port group's shape (members are read apart, one by one or all).</summary>
public readonly record struct DesiredPortGroup(string Name, EquatableMap ExternalIds, EquatableArray<AclRow> Acls);
