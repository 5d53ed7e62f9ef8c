using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

public sealed partial class AclReconciler
{
    /// <summary>
    /// Watches the replica for changes to what this controller owns (by anyone, this reconciler included) and requeues
    /// the rows and members where the database now differs from the desired state, so that they are repaired; and for
    /// logical switch ports appearing that a port group waits for. Runs on the client's receive path: only lookups,
    /// no waiting.
    /// </summary>
    private void OnReplicaChanged(OvsdbReplicaChanges batch)
    {
        if (batch.IsResync)
        {
            // A new copy of the whole database: compared whole once the session is ready.
            RequestFullResync();
            return;
        }

        var replica = _replica;
        if (replica is null)
        {
            return;
        }

        List<DesiredRowChange>? requeue = null;
        Dictionary<Guid, string>? deletedPorts = null;
        foreach (var change in batch.Changes)
        {
            if (change.Table != PortTable)
            {
                continue;
            }

            if (change.New?.GetString("name") is { } name)
            {
                if (change.Old?.GetString("name") != name)
                {
                    PortAppeared(name, ref requeue);
                }
            }
            else if (change.Old?.GetString("name") is { } gone)
            {
                (deletedPorts ??= [])[change.Old.Uuid] = gone;
            }
        }

        foreach (var change in batch.Changes)
        {
            switch (change.Table)
            {
                case PortGroupTable:
                    WatchPortGroup(replica, change, deletedPorts, ref requeue);
                    break;
                case AddressSetTable:
                    WatchAddressSet(change, ref requeue);
                    break;
                case AclTable when change.Kind == OvsdbRowChangeKind.Update:
                    WatchAcl(replica, change, ref requeue);
                    break;
            }
        }

        if (requeue is not null)
        {
            _state.Requeue(requeue);
        }
    }

    private void WatchPortGroup(OvsdbReplica replica, OvsdbRowChange change, Dictionary<Guid, string>? deletedPorts, ref List<DesiredRowChange>? requeue)
    {
        var (old, now) = (change.Old, change.New);
        var name = (now ?? old)!.GetString("name") ?? "";
        bool ownedOld = IsOwned(old), ownedNew = IsOwned(now);
        if (ownedOld || ownedNew)
        {
            TrackAclOwners(name, ownedOld ? old : null, ownedNew ? now : null);
        }

        if (!ownedOld && !ownedNew)
        {
            if (_conflicts.ContainsKey((DesiredRowKind.PortGroup, name)))
            {
                Queue(ref requeue, DesiredRowKind.PortGroup, name, true, []);
            }

            return;
        }

        var wanted = _state.TryGetPortGroup(name, out var desired);
        if (now is null || !ownedNew || !wanted)
        {
            // Deleted or taken over while wanted (recreate), or an owned row that is not wanted (delete).
            if (wanted || now is not null)
            {
                Queue(ref requeue, DesiredRowKind.PortGroup, name, true, []);
            }

            return;
        }

        var shape = AclColumns.ToMap(now["external_ids"]) != desired.ExternalIds
            || ((old is null || !old["acls"].Equals(now["acls"])) && !AclsMatch(replica, now, desired));
        var touched = new List<string>();
        var before = old?["ports"] ?? OvsdbDatum.Empty;
        var after = now["ports"];
        var removed = before.Except(after);
        for (var i = 0; i < removed.Count; i++)
        {
            var uuid = removed.Keys[i].AsUuid();
            var port = replica.TryGetRow(PortTable, uuid, out var row) ? row.GetString("name") : deletedPorts?.GetValueOrDefault(uuid);
            if (port is not null && _state.HasMember(DesiredRowKind.PortGroup, name, port))
            {
                touched.Add(port);
            }
        }

        var added = after.Except(before);
        for (var i = 0; i < added.Count; i++)
        {
            if (replica.TryGetRow(PortTable, added.Keys[i].AsUuid(), out var row) && row.GetString("name") is { } port
                && !_state.HasMember(DesiredRowKind.PortGroup, name, port))
            {
                touched.Add(port);
            }
        }

        if (shape || touched.Count > 0)
        {
            Queue(ref requeue, DesiredRowKind.PortGroup, name, shape, touched);
        }
    }

    private void WatchAddressSet(OvsdbRowChange change, ref List<DesiredRowChange>? requeue)
    {
        var (old, now) = (change.Old, change.New);
        var name = (now ?? old)!.GetString("name") ?? "";
        bool ownedOld = IsOwned(old), ownedNew = IsOwned(now);
        if (!ownedOld && !ownedNew)
        {
            if (_conflicts.ContainsKey((DesiredRowKind.AddressSet, name)))
            {
                Queue(ref requeue, DesiredRowKind.AddressSet, name, true, []);
            }

            return;
        }

        var wanted = _state.TryGetAddressSet(name, out var externalIds);
        if (now is null || !ownedNew || !wanted)
        {
            if (wanted || now is not null)
            {
                Queue(ref requeue, DesiredRowKind.AddressSet, name, true, []);
            }

            return;
        }

        var shape = AclColumns.ToMap(now["external_ids"]) != externalIds;
        var touched = new List<string>();
        var before = old?["addresses"] ?? OvsdbDatum.Empty;
        var after = now["addresses"];
        var removed = before.Except(after);
        for (var i = 0; i < removed.Count; i++)
        {
            var address = removed.Keys[i].AsString();
            if (_state.HasMember(DesiredRowKind.AddressSet, name, address))
            {
                touched.Add(address);
            }
        }

        var added = after.Except(before);
        for (var i = 0; i < added.Count; i++)
        {
            var address = added.Keys[i].AsString();
            if (!_state.HasMember(DesiredRowKind.AddressSet, name, address))
            {
                touched.Add(address);
            }
        }

        if (shape || touched.Count > 0)
        {
            Queue(ref requeue, DesiredRowKind.AddressSet, name, shape, touched);
        }
    }

    /// <summary>An owned ACL edited in place: repaired when its content is no longer one its port group wants.</summary>
    private void WatchAcl(OvsdbReplica replica, OvsdbRowChange change, ref List<DesiredRowChange>? requeue)
    {
        if (!IsOwned(change.Old) && !IsOwned(change.New))
        {
            return;
        }

        string? portGroup;
        lock (_watchLock)
        {
            portGroup = _aclOwners.GetValueOrDefault(change.Uuid);
        }

        if (portGroup is null || !_state.TryGetPortGroup(portGroup, out var desired))
        {
            return;
        }

        if (FindRow(replica, PortGroupTable, portGroup) is { } row && !AclsMatch(replica, row, desired))
        {
            Queue(ref requeue, DesiredRowKind.PortGroup, portGroup, true, []);
        }
    }

    /// <summary>Whether the owned ACLs a port group references are, as a multiset, exactly the desired ones.</summary>
    private bool AclsMatch(OvsdbReplica replica, OvsdbRow portGroup, DesiredPortGroup desired)
    {
        var counts = new Dictionary<AclRow, int>();
        foreach (var acl in desired.Acls)
        {
            var key = acl with { Uuid = Guid.Empty };
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var references = portGroup["acls"];
        for (var i = 0; i < references.Count; i++)
        {
            if (!replica.TryGetRow(AclTable, references.Keys[i].AsUuid(), out var row) || !IsOwned(row))
            {
                continue;
            }

            var key = AclColumns.FromRow(row);
            if (!counts.TryGetValue(key, out var count) || count == 0)
            {
                return false;
            }

            counts[key] = count - 1;
        }

        return counts.Values.All(c => c == 0);
    }

    private void TrackAclOwners(string portGroup, OvsdbRow? old, OvsdbRow? now)
    {
        lock (_watchLock)
        {
            if (old is not null)
            {
                var acls = old["acls"];
                for (var i = 0; i < acls.Count; i++)
                {
                    _aclOwners.Remove(acls.Keys[i].AsUuid());
                }
            }

            if (now is not null)
            {
                var acls = now["acls"];
                for (var i = 0; i < acls.Count; i++)
                {
                    _aclOwners[acls.Keys[i].AsUuid()] = portGroup;
                }
            }
        }
    }

    private void RebuildAclOwners(OvsdbReplica replica)
    {
        var rows = replica.GetRows(PortGroupTable);
        lock (_watchLock)
        {
            _aclOwners.Clear();
            foreach (var row in rows)
            {
                if (IsOwned(row) && row.GetString("name") is { } name)
                {
                    var acls = row["acls"];
                    for (var i = 0; i < acls.Count; i++)
                    {
                        _aclOwners[acls.Keys[i].AsUuid()] = name;
                    }
                }
            }
        }
    }

    /// <summary>Remembers that a port group wants a port the database does not have yet.</summary>
    private void WaitForPort(PlannedTransaction planned, OvsdbReplica replica, string port, string portGroup)
    {
        planned.MissingPorts.Add(port);
        if (planned.DryRun)
        {
            return;
        }

        lock (_watchLock)
        {
            if (!_waitingPorts.TryGetValue(port, out var groups))
            {
                _waitingPorts[port] = groups = new HashSet<string>(StringComparer.Ordinal);
            }

            if (!groups.Add(portGroup))
            {
                return;
            }
        }

        Log.PortWaiting(_logger, port, portGroup);

        // The port may have appeared between the lookup and now, with nobody left to notice: look once more.
        if (ResolvePort(replica, port) is not null)
        {
            List<DesiredRowChange>? requeue = null;
            PortAppeared(port, ref requeue);
            if (requeue is not null)
            {
                _state.Requeue(requeue);
            }
        }
    }

    private void PortAppeared(string port, ref List<DesiredRowChange>? requeue)
    {
        HashSet<string>? groups;
        lock (_watchLock)
        {
            if (!_waitingPorts.Remove(port, out groups))
            {
                return;
            }
        }

        foreach (var group in groups)
        {
            Queue(ref requeue, DesiredRowKind.PortGroup, group, false, [port]);
        }
    }

    private void Queue(ref List<DesiredRowChange>? requeue, DesiredRowKind kind, string name, bool shape, List<string> members)
    {
        Log.RepairQueued(_logger, TableOf(kind), name);
        (requeue ??= []).Add(new DesiredRowChange(kind, name, shape, [.. members]));
    }
}
