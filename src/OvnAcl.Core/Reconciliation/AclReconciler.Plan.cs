using OvnAcl.Collections;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

public sealed partial class AclReconciler
{
    /// <summary>
    /// Compares the rows of <paramref name="work"/> with the replica and writes the fewest operations that make the
    /// database equal the desired state: members and ACLs by <c>mutate</c>, changed ACLs by <c>update</c> of only
    /// their changed columns, rows inserted or deleted whole. Stops adding changes at <paramref name="budget"/>; what
    /// is left is returned as <see cref="PlannedTransaction.Leftovers"/>.
    /// </summary>
    /// <param name="dryRun">Only describe: register no waiting port and no conflict (for <see cref="PlanAsync"/>).</param>
    /// <param name="oneRowOnly">Stop after the first row that needs operations (to find the row a server keeps refusing).</param>
    private PlannedTransaction BuildPlan(OvsdbReplica replica, IReadOnlyList<DesiredRowChange> work, int budget, bool dryRun, bool oneRowOnly = false)
    {
        var planned = new PlannedTransaction(new OvsdbTransaction(replica.Schema), dryRun);
        foreach (var item in work)
        {
            var remaining = budget - planned.Changes;
            if (remaining <= 0)
            {
                planned.Leftovers.Add(item);
                continue;
            }

            if (oneRowOnly && planned.Transaction.Count > 0)
            {
                planned.Leftovers.Add(item);
                continue;
            }

            try
            {
                if (item.Kind == DesiredRowKind.PortGroup)
                {
                    PlanPortGroup(replica, item, planned, remaining);
                }
                else
                {
                    PlanAddressSet(replica, item, planned, remaining);
                }
            }
            catch (UnsupportedRowException ex)
            {
                NoteConflict(planned, new ReconcileConflict(TableOf(item.Kind), item.Name, ReconcileConflictKind.Unsupported, ex.Message));
            }

            planned.AttributeOperations(item.Kind, item.Name);
        }

        return planned;
    }

    private void PlanPortGroup(OvsdbReplica replica, DesiredRowChange item, PlannedTransaction planned, int remaining)
    {
        const DesiredRowKind Kind = DesiredRowKind.PortGroup;
        var name = item.Name;
        var txn = planned.Transaction;
        var row = FindRow(replica, PortGroupTable, name);
        var wanted = _state.TryGetPortGroup(name, out var desired);
        if (!CheckOwnership(planned, Kind, name, row, wanted))
        {
            return;
        }

        // Every desired ACL is checked against the schema before any operation of this row is written.
        var aclTable = replica.Schema.GetTable(AclTable);
        var desiredAcls = wanted && (item.Shape || row is null)
            ? desired.Acls.Select(a => (Content: a with { Uuid = Guid.Empty }, Columns: AclColumns.ToColumns(a, aclTable))).ToList()
            : [];

        if (row is null)
        {
            if (!wanted)
            {
                return;
            }

            var members = _state.GetMembers(Kind, name);
            var room = Math.Max(0, remaining - 1 - desiredAcls.Count);
            var taken = members.Take(room).ToList();
            if (taken.Count < members.Count)
            {
                planned.Leftovers.Add(new DesiredRowChange(Kind, name, false, members.Skip(room).ToEquatableArray()) { Since = item.Since });
            }

            var ports = new List<OvsdbAtom>(taken.Count);
            foreach (var member in taken)
            {
                if (ResolvePort(replica, member) is { } uuid)
                {
                    ports.Add(OvsdbAtom.Uuid(uuid));
                }
                else
                {
                    WaitForPort(planned, replica, member, name);
                }
            }

            var acls = desiredAcls.Select(a => OvsdbAtom.NamedUuid(txn.Insert(AclTable, a.Columns))).ToList();
            txn.Insert(PortGroupTable, new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(name),
                ["external_ids"] = OvsdbDatum.StringMap(desired.ExternalIds),
                ["ports"] = OvsdbDatum.Set(ports),
                ["acls"] = OvsdbDatum.Set(acls),
            });
            planned.Add(new ReconcileRowPlan(PortGroupTable, name, ReconcileRowAction.Insert) { MembersAdded = ports.Count, AclsInserted = acls.Count });
            planned.Included.Add(new DesiredRowChange(Kind, name, true, taken.ToEquatableArray()) { Since = item.Since });
            return;
        }

        var where = new[] { OvsdbCondition.UuidEquals(row.Uuid) };
        if (!wanted)
        {
            txn.Delete(PortGroupTable, where);
            planned.Add(new ReconcileRowPlan(PortGroupTable, name, ReconcileRowAction.Delete)
            {
                MembersRemoved = row["ports"].Count,
                AclsDeleted = row["acls"].Count,
            });
            planned.Included.Add(item);
            return;
        }

        var plan = new ReconcileRowPlan(PortGroupTable, name, ReconcileRowAction.Update);
        var mutations = new List<OvsdbMutation>(4);
        if (item.Shape)
        {
            if (AclColumns.ToMap(row["external_ids"]) != desired.ExternalIds)
            {
                txn.Update(PortGroupTable, where, new Dictionary<string, OvsdbDatum> { ["external_ids"] = OvsdbDatum.StringMap(desired.ExternalIds) });
                plan = plan with { ExternalIdsChanged = true };
            }

            var (inserted, updated, deleted) = PlanAcls(replica, row, desiredAcls, txn);
            if (inserted.Count > 0)
            {
                mutations.Add(OvsdbMutation.Insert("acls", OvsdbDatum.Set(inserted)));
            }

            if (deleted.Count > 0)
            {
                mutations.Add(OvsdbMutation.Delete("acls", OvsdbDatum.Set(deleted)));
            }

            plan = plan with { AclsInserted = inserted.Count, AclsUpdated = updated, AclsDeleted = deleted.Count };
        }

        var current = row["ports"];
        var add = new List<OvsdbAtom>();
        var remove = new List<OvsdbAtom>();
        var processed = ProcessMembers(item, planned, remaining - plan.Changes, member =>
        {
            var isWanted = _state.HasMember(Kind, name, member);
            if (ResolvePort(replica, member) is not { } uuid)
            {
                if (isWanted)
                {
                    WaitForPort(planned, replica, member, name);
                }

                return false;
            }

            var atom = OvsdbAtom.Uuid(uuid);
            var present = current.Contains(atom);
            if (isWanted && !present)
            {
                add.Add(atom);
                return true;
            }

            if (!isWanted && present)
            {
                remove.Add(atom);
                return true;
            }

            return false;
        });

        if (add.Count > 0)
        {
            mutations.Add(OvsdbMutation.Insert("ports", OvsdbDatum.Set(add)));
        }

        if (remove.Count > 0)
        {
            mutations.Add(OvsdbMutation.Delete("ports", OvsdbDatum.Set(remove)));
        }

        // One mutate per row carries every member and ACL reference change: the fewest operations.
        if (mutations.Count > 0)
        {
            txn.Mutate(PortGroupTable, where, mutations);
        }

        planned.Add(plan with { MembersAdded = add.Count, MembersRemoved = remove.Count });
        planned.Included.Add(new DesiredRowChange(Kind, name, item.Shape, processed) { Since = item.Since });
    }

    private void PlanAddressSet(OvsdbReplica replica, DesiredRowChange item, PlannedTransaction planned, int remaining)
    {
        const DesiredRowKind Kind = DesiredRowKind.AddressSet;
        var name = item.Name;
        var txn = planned.Transaction;
        var row = FindRow(replica, AddressSetTable, name);
        var wanted = _state.TryGetAddressSet(name, out var externalIds);
        if (!CheckOwnership(planned, Kind, name, row, wanted))
        {
            return;
        }

        if (row is null)
        {
            if (!wanted)
            {
                return;
            }

            var members = _state.GetMembers(Kind, name);
            var room = Math.Max(0, remaining - 1);
            var taken = members.Take(room).ToList();
            if (taken.Count < members.Count)
            {
                planned.Leftovers.Add(new DesiredRowChange(Kind, name, false, members.Skip(room).ToEquatableArray()) { Since = item.Since });
            }

            txn.Insert(AddressSetTable, new Dictionary<string, OvsdbDatum>
            {
                ["name"] = OvsdbDatum.FromString(name),
                ["external_ids"] = OvsdbDatum.StringMap(externalIds),
                ["addresses"] = OvsdbDatum.StringSet(taken),
            });
            planned.Add(new ReconcileRowPlan(AddressSetTable, name, ReconcileRowAction.Insert) { MembersAdded = taken.Count });
            planned.Included.Add(new DesiredRowChange(Kind, name, true, taken.ToEquatableArray()) { Since = item.Since });
            return;
        }

        var where = new[] { OvsdbCondition.UuidEquals(row.Uuid) };
        if (!wanted)
        {
            txn.Delete(AddressSetTable, where);
            planned.Add(new ReconcileRowPlan(AddressSetTable, name, ReconcileRowAction.Delete) { MembersRemoved = row["addresses"].Count });
            planned.Included.Add(item);
            return;
        }

        var plan = new ReconcileRowPlan(AddressSetTable, name, ReconcileRowAction.Update);
        if (item.Shape && AclColumns.ToMap(row["external_ids"]) != externalIds)
        {
            txn.Update(AddressSetTable, where, new Dictionary<string, OvsdbDatum> { ["external_ids"] = OvsdbDatum.StringMap(externalIds) });
            plan = plan with { ExternalIdsChanged = true };
        }

        var current = row["addresses"];
        var add = new List<OvsdbAtom>();
        var remove = new List<OvsdbAtom>();
        var processed = ProcessMembers(item, planned, remaining - plan.Changes, member =>
        {
            var isWanted = _state.HasMember(Kind, name, member);
            var atom = OvsdbAtom.String(member);
            var present = current.Contains(atom);
            if (isWanted == present)
            {
                return false;
            }

            (isWanted ? add : remove).Add(atom);
            return true;
        });

        var mutations = new List<OvsdbMutation>(2);
        if (add.Count > 0)
        {
            mutations.Add(OvsdbMutation.Insert("addresses", OvsdbDatum.Set(add)));
        }

        if (remove.Count > 0)
        {
            mutations.Add(OvsdbMutation.Delete("addresses", OvsdbDatum.Set(remove)));
        }

        if (mutations.Count > 0)
        {
            txn.Mutate(AddressSetTable, where, mutations);
        }

        planned.Add(plan with { MembersAdded = add.Count, MembersRemoved = remove.Count });
        planned.Included.Add(new DesiredRowChange(Kind, name, item.Shape, processed) { Since = item.Since });
    }

    /// <summary>
    /// Runs <paramref name="compare"/> (true when the member needs a change) over the touched members until
    /// <paramref name="room"/> changes are planned; the members not looked at go back as a leftover. Returns those looked at.
    /// </summary>
    private static EquatableArray<string> ProcessMembers(DesiredRowChange item, PlannedTransaction planned, int room, Func<string, bool> compare)
    {
        var members = item.TouchedMembers;
        var changes = 0;
        for (var i = 0; i < members.Count; i++)
        {
            if (changes >= room)
            {
                planned.Leftovers.Add(new DesiredRowChange(item.Kind, item.Name, false, members.Items[i..]) { Since = item.Since });
                return members.Items[..i];
            }

            if (compare(members[i]))
            {
                changes++;
            }
        }

        return members;
    }

    /// <summary>
    /// Pairs the desired ACLs of a port group with the owned ACL rows it references: equal content first (nothing to
    /// do), then equal <c>external_ids</c> (an update of the columns that differ); the rest are inserted or dropped
    /// from the group (the database then collects the ACL, a non-root row).
    /// </summary>
    private (List<OvsdbAtom> Inserted, int Updated, List<OvsdbAtom> Deleted) PlanAcls(
        OvsdbReplica replica, OvsdbRow portGroup, List<(AclRow Content, Dictionary<string, OvsdbDatum> Columns)> desired, OvsdbTransaction txn)
    {
        var current = new List<(Guid Uuid, AclRow Content, OvsdbRow Row)>();
        var references = portGroup["acls"];
        for (var i = 0; i < references.Count; i++)
        {
            var uuid = references.Keys[i].AsUuid();
            if (replica.TryGetRow(AclTable, uuid, out var acl) && IsOwned(acl))
            {
                current.Add((uuid, AclColumns.FromRow(acl), acl));
            }
        }

        var used = new bool[current.Count];
        var byContent = new Dictionary<AclRow, Queue<int>>();
        for (var i = 0; i < current.Count; i++)
        {
            if (!byContent.TryGetValue(current[i].Content, out var queue))
            {
                byContent[current[i].Content] = queue = new Queue<int>();
            }

            queue.Enqueue(i);
        }

        var unmatched = new List<int>();
        for (var j = 0; j < desired.Count; j++)
        {
            if (byContent.TryGetValue(desired[j].Content, out var queue) && queue.TryDequeue(out var i))
            {
                used[i] = true;
            }
            else
            {
                unmatched.Add(j);
            }
        }

        var byIds = new Dictionary<EquatableMap, Queue<int>>();
        for (var i = 0; i < current.Count; i++)
        {
            if (!used[i])
            {
                if (!byIds.TryGetValue(current[i].Content.ExternalIds, out var queue))
                {
                    byIds[current[i].Content.ExternalIds] = queue = new Queue<int>();
                }

                queue.Enqueue(i);
            }
        }

        var inserted = new List<OvsdbAtom>();
        var updated = 0;
        foreach (var j in unmatched)
        {
            var (content, columns) = desired[j];
            if (byIds.TryGetValue(content.ExternalIds, out var queue) && queue.TryDequeue(out var i))
            {
                used[i] = true;
                var changed = new Dictionary<string, OvsdbDatum>(StringComparer.Ordinal);
                foreach (var (column, value) in columns)
                {
                    if (!current[i].Row.TryGet(column, out var present) || !present.Equals(value))
                    {
                        changed[column] = value;
                    }
                }

                if (changed.Count > 0)
                {
                    txn.Update(AclTable, [OvsdbCondition.UuidEquals(current[i].Uuid)], changed);
                    updated++;
                }
            }
            else
            {
                inserted.Add(OvsdbAtom.NamedUuid(txn.Insert(AclTable, columns)));
            }
        }

        var deleted = new List<OvsdbAtom>();
        for (var i = 0; i < current.Count; i++)
        {
            if (!used[i])
            {
                deleted.Add(OvsdbAtom.Uuid(current[i].Uuid));
            }
        }

        return (inserted, updated, deleted);
    }

    /// <summary>False (and a conflict noted when wanted) when a row of that name exists and is not ours.</summary>
    private bool CheckOwnership(PlannedTransaction planned, DesiredRowKind kind, string name, OvsdbRow? row, bool wanted)
    {
        if (row is not null && !IsOwned(row))
        {
            if (wanted)
            {
                var owner = row.GetMapValue("external_ids", DesiredState.OwnerControllerKey) ?? "";
                NoteConflict(planned, new ReconcileConflict(TableOf(kind), name, ReconcileConflictKind.NotOwned,
                    $"a row of that name exists with owner-controller '{owner}', not '{_state.ControllerName}'"));
            }
            else if (!planned.DryRun)
            {
                ClearConflict(kind, name);
            }

            return false;
        }

        if (!planned.DryRun)
        {
            ClearConflict(kind, name);
        }

        return true;
    }

    private static OvsdbRow? FindRow(OvsdbReplica replica, string table, string name)
    {
        var rows = replica.Lookup(table, "name", name);
        return rows.Count == 0 ? null : rows[0];
    }

    private static Guid? ResolvePort(OvsdbReplica replica, string name)
    {
        var rows = replica.Lookup(PortTable, "name", name);
        return rows.Count == 0 ? null : rows[0].Uuid;
    }

    private bool IsOwned(OvsdbRow? row) =>
        row is not null && row.GetMapValue("external_ids", DesiredState.OwnerControllerKey) == _state.ControllerName;

    private static string TableOf(DesiredRowKind kind) => kind == DesiredRowKind.PortGroup ? PortGroupTable : AddressSetTable;

    /// <summary>One transaction being built, with what it carries and what did not fit.</summary>
    private sealed class PlannedTransaction(OvsdbTransaction transaction, bool dryRun)
    {
        public OvsdbTransaction Transaction { get; } = transaction;
        public bool DryRun { get; } = dryRun;
        public List<ReconcileRowPlan> Rows { get; } = [];
        public List<DesiredRowChange> Included { get; } = [];
        public List<DesiredRowChange> Leftovers { get; } = [];
        public List<ReconcileConflict> Conflicts { get; } = [];
        public HashSet<string> MissingPorts { get; } = new(StringComparer.Ordinal);
        public int Changes { get; private set; }

        /// <summary>How many refused transactions had been counted before this one's changes were drained (see <see cref="AclReconciler.CapByRefusals"/>).</summary>
        public long RefusalsSeen { get; set; }

        /// <summary>The row each operation was written for, by operation index.</summary>
        public List<(DesiredRowKind Kind, string Name)> OperationRows { get; } = [];

        public void AttributeOperations(DesiredRowKind kind, string name)
        {
            while (OperationRows.Count < Transaction.Count)
            {
                OperationRows.Add((kind, name));
            }
        }

        public void Add(ReconcileRowPlan row)
        {
            if (row.Changes > 0)
            {
                Rows.Add(row);
                Changes += row.Changes;
            }
        }

        public ReconcilePlan ToPlan() => new(Rows, Transaction.Count, Transaction.Count == 0 ? 0 : Transaction.ToUtf8Json().Length)
        {
            Conflicts = Conflicts,
            MissingPorts = MissingPorts.Count,
        };
    }
}
