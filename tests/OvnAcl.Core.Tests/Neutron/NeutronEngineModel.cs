using FsCheck;
using FsCheck.Fluent;
using OvnAcl.Collections;
using OvnAcl.Neutron;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>One random step; <see cref="Seed"/> drives how it is read against the model's objects at that point.</summary>
public sealed record NeutronEngineStep(NeutronEventKind Kind, int Seed)
{
    public override string ToString() => $"{Kind}#{Seed}";
}

/// <summary>A random event script, with the translation options it runs under.</summary>
public sealed record NeutronEngineScript(bool IgnoreAddressGroups, bool StatelessSupported, NeutronEngineStep[] Steps)
{
    public NeutronTranslationOptions Options => NeutronTranslationOptions.Default with
    {
        RemoteAddressGroups = IgnoreAddressGroups ? NeutronRemoteAddressGroupHandling.Ignore : NeutronRemoteAddressGroupHandling.AddressSets,
        StatelessSupported = StatelessSupported,
    };

    public override string ToString() =>
        $"ignore-ag={IgnoreAddressGroups} stateless={StatelessSupported}: {string.Join(" ", Steps.Select(s => s.ToString()))}";
}

public enum NeutronEventKind
{
    UpsertGroup,
    DeleteGroup,
    UpsertRule,
    DeleteRule,
    UpsertPort,
    DeletePort,
    UpsertAddressGroup,
    DeleteAddressGroup,
    /// <summary><see cref="NeutronEngine.Load"/> of the current objects; later events run on the indexes it rebuilt.</summary>
    Reload,
}

public static class NeutronEngineScriptArbitrary
{
    public static Arbitrary<NeutronEngineScript> Script()
    {
        // Ports change most often, as in a cloud; groups and rules next; address groups least.
        var kind = Gen.Frequency(
            (4, Gen.Constant(NeutronEventKind.UpsertGroup)),
            (1, Gen.Constant(NeutronEventKind.DeleteGroup)),
            (4, Gen.Constant(NeutronEventKind.UpsertRule)),
            (2, Gen.Constant(NeutronEventKind.DeleteRule)),
            (6, Gen.Constant(NeutronEventKind.UpsertPort)),
            (2, Gen.Constant(NeutronEventKind.DeletePort)),
            (2, Gen.Constant(NeutronEventKind.UpsertAddressGroup)),
            (1, Gen.Constant(NeutronEventKind.DeleteAddressGroup)),
            (1, Gen.Constant(NeutronEventKind.Reload)));
        var step = from k in kind
                   from seed in Gen.Choose(0, int.MaxValue - 1)
                   select new NeutronEngineStep(k, seed);
        return (from ignore in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
                from stateless in Gen.Frequency((1, Gen.Constant(false)), (3, Gen.Constant(true)))
                from n in Gen.Choose(1, 60)
                from steps in step.ArrayOf(n)
                select new NeutronEngineScript(ignore, stateless, steps))
            .ToArbitrary();
    }
}

/// <summary>
/// The objects as a plain list model (what Neutron's database holds), and the reading of a random step as an event
/// against it: the event to give the engine and the model it should leave if Neutron accepts it.
/// </summary>
internal sealed class NeutronEngineModel
{
    public static readonly string[] GroupIds = ["sg-0", "sg-1", "sg-2", "sg-3", "sg-4"];
    public static readonly string[] PortIds = ["port-0", "port-1", "port-2", "port-3", "port-4", "port-5", "port-6"];
    public static readonly string[] AddressGroupIds = ["ag-0", "ag-1", "ag-2"];

    private static readonly string[] Addresses =
        ["10.0.0.0/24", "10.0.1.7/32", "192.168.0.0/16", "10.0.0.1/24", "2001:db8::/64", "2001:db8::5/128", "10.9.0.0/16"];

    private int _nextRuleId;

    public List<NeutronSecurityGroup> Groups { get; init; } = [];
    public List<NeutronPort> Ports { get; init; } = [];
    public List<NeutronAddressGroup> AddressGroups { get; init; } = [];

    public NeutronInput Input => new()
    {
        SecurityGroups = Groups.ToEquatableArray(),
        Ports = Ports.ToEquatableArray(),
        AddressGroups = AddressGroups.ToEquatableArray(),
    };

    /// <summary>
    /// The event a step stands for, or null when it names nothing that exists (a delete with nothing to delete).
    /// <see cref="NeutronEvent.After"/> is the model if the event is applied; <see cref="NeutronEvent.RefusedByHistory"/>
    /// marks what Neutron refuses that a translation from scratch cannot see (stateful changed under bound ports).
    /// </summary>
    public NeutronEvent? Read(NeutronEngineStep step)
    {
        var random = new Random(step.Seed);
        var after = Clone();
        switch (step.Kind)
        {
            case NeutronEventKind.UpsertGroup:
            {
                var id = Pick(random, GroupIds);
                var old = Groups.Find(g => g.Id == id);
                var rules = Enumerable.Range(0, random.Next(5)).Select(_ => RandomRule(random, id)).ToList();
                if (rules.Count > 0 && random.Next(3) == 0)
                {
                    rules.Add(Twin(Pick(random, rules)));
                }

                var group = new NeutronSecurityGroup { Id = id, Stateful = random.Next(4) != 0, Rules = rules.ToEquatableArray() };
                after.Put(after.Groups, group, g => g.Id);
                var refused = old is not null && old.Stateful != group.Stateful && Ports.Any(p => p.SecurityGroups.Contains(id));
                return new NeutronEvent($"upsert group {id} stateful={group.Stateful} rules=[{string.Join("; ", rules.Select(Describe))}]",
                    e => e.UpsertSecurityGroup(group), after, refused, id);
            }

            case NeutronEventKind.DeleteGroup when Groups.Count > 0:
            {
                var id = Pick(random, Groups).Id;
                after.Groups.RemoveAll(g => g.Id == id);
                return new NeutronEvent($"delete group {id}", e => e.DeleteSecurityGroup(id), after, false, id);
            }

            case NeutronEventKind.UpsertRule when Groups.Count > 0:
            {
                var group = Pick(random, Groups);
                var rule = group.Rules.Count > 0 && random.Next(4) == 0 ? Twin(Pick(random, group.Rules)) : RandomRule(random, group.Id);
                var existing = Groups.SelectMany(g => g.Rules).ToList();
                if (existing.Count > 0 && random.Next(3) == 0)
                {
                    // Replace a rule: mostly one of this group, now and then one of another group (an id taken elsewhere).
                    var own = group.Rules.Count > 0 && random.Next(5) != 0;
                    rule = rule with { Id = own ? Pick(random, group.Rules).Id : Pick(random, existing).Id };
                }

                var rules = group.Rules.Any(r => r.Id == rule.Id)
                    ? group.Rules.Select(r => r.Id == rule.Id ? rule : r)
                    : group.Rules.Append(rule);
                after.Put(after.Groups, group with { Rules = rules.ToEquatableArray() }, g => g.Id);
                return new NeutronEvent($"upsert rule into {group.Id}: {Describe(rule)}", e => e.UpsertSecurityGroupRule(group.Id, rule), after, false, group.Id);
            }

            case NeutronEventKind.DeleteRule when Groups.Any(g => g.Rules.Count > 0):
            {
                var group = Pick(random, Groups.Where(g => g.Rules.Count > 0).ToList());
                var ruleId = Pick(random, group.Rules).Id;
                after.Put(after.Groups, group with { Rules = group.Rules.Where(r => r.Id != ruleId).ToEquatableArray() }, g => g.Id);
                return new NeutronEvent($"delete rule {ruleId} of {group.Id}", e => e.DeleteSecurityGroupRule(ruleId), after, false, group.Id);
            }

            case NeutronEventKind.UpsertPort:
            {
                var id = Pick(random, PortIds);
                // Mostly groups that exist; now and then one that does not (refused).
                var known = Groups.Select(g => g.Id).ToList();
                var groups = Enumerable.Range(0, random.Next(3))
                    .Select(_ => known.Count > 0 && random.Next(8) != 0 ? Pick(random, known) : Pick(random, GroupIds))
                    .ToEquatableArray();
                var port = new NeutronPort
                {
                    Id = id,
                    SecurityGroups = groups,
                    PortSecurityEnabled = random.Next(8) switch { 0 => null, 1 => false, _ => true },
                    DeviceOwner = random.Next(6) == 0 ? "network:dhcp" : "compute:nova",
                };
                if (port.PortSecurityEnabled == false && random.Next(3) != 0)
                {
                    port = port with { SecurityGroups = [] };
                }

                after.Put(after.Ports, port, p => p.Id);
                return new NeutronEvent(
                    $"upsert port {id} groups=[{string.Join(",", port.SecurityGroups)}] security={port.PortSecurityEnabled} owner={port.DeviceOwner}",
                    e => e.UpsertPort(port), after, false, null);
            }

            case NeutronEventKind.DeletePort when Ports.Count > 0:
            {
                var id = Pick(random, Ports).Id;
                after.Ports.RemoveAll(p => p.Id == id);
                return new NeutronEvent($"delete port {id}", e => e.DeletePort(id), after, false, null);
            }

            case NeutronEventKind.UpsertAddressGroup:
            {
                var id = Pick(random, AddressGroupIds);
                var addresses = Enumerable.Range(0, random.Next(5)).Select(_ => Pick(random, Addresses)).ToList();
                if (random.Next(15) == 0)
                {
                    addresses.Add("10.0.0.1");
                }

                var addressGroup = new NeutronAddressGroup { Id = id, Addresses = addresses.ToEquatableArray() };
                after.Put(after.AddressGroups, addressGroup, a => a.Id);
                return new NeutronEvent($"upsert address group {id} [{string.Join(",", addresses)}]", e => e.UpsertAddressGroup(addressGroup), after, false, null);
            }

            case NeutronEventKind.DeleteAddressGroup when AddressGroups.Count > 0:
            {
                var id = Pick(random, AddressGroups).Id;
                after.AddressGroups.RemoveAll(a => a.Id == id);
                return new NeutronEvent($"delete address group {id}", e => e.DeleteAddressGroup(id), after, false, null);
            }

            case NeutronEventKind.Reload:
            {
                var input = Input;
                return new NeutronEvent("reload", e => e.Load(input), after, false, null);
            }

            default:
                return null;
        }
    }

    /// <summary>Mostly rules Neutron accepts; collisions (same rule twice, same ACL) and bad remotes come from the small value space.</summary>
    private NeutronSecurityGroupRule RandomRule(Random random, string groupId)
    {
        var ipv6 = random.Next(3) == 0;
        var (protocol, min, max) = random.Next(9) switch
        {
            0 => ("tcp", 80, 80),
            1 => ("tcp", 1000, 2000),
            2 => ("udp", 1, 65535),
            3 => ("icmp", 8, (int?)0),
            4 => ("6", (int?)null, (int?)null),
            5 => ("gre", null, null),
            6 => ("tcp", 90, 80),
            _ => ((string?)null, (int?)null, (int?)null),
        };
        string? prefix = null, remoteGroup = null, remoteAddressGroup = null;
        switch (random.Next(6))
        {
            case 0:
                prefix = ipv6 ? Pick(random, ["2001:db8::/64", "2001:db8::1/64"]) : Pick(random, ["10.0.0.0/24", "10.0.0.9/24", "0.0.0.0/0"]);
                break;
            case 1:
                remoteGroup = random.Next(3) == 0 ? groupId : Pick(random, GroupIds);
                break;
            case 2:
                remoteAddressGroup = Pick(random, AddressGroupIds);
                break;
        }

        return new NeutronSecurityGroupRule
        {
            Id = $"rule-{_nextRuleId++}",
            Direction = random.Next(2) == 0 ? "ingress" : "egress",
            Ethertype = ipv6 ? "IPv6" : "IPv4",
            Protocol = protocol,
            PortRangeMin = min,
            PortRangeMax = max,
            RemoteIpPrefix = prefix,
            RemoteGroupId = remoteGroup,
            RemoteAddressGroupId = remoteAddressGroup,
        };
    }

    /// <summary>
    /// The rule again under a new id, as IPv4 from <c>10.0.0.0/24</c> or <c>10.0.0.9/24</c>: when its twin has the other
    /// one, Neutron's API sees two rules and its driver one ACL (warning NEUT0401, the later rule skipped).
    /// </summary>
    private NeutronSecurityGroupRule Twin(NeutronSecurityGroupRule rule) => rule with
    {
        Id = $"rule-{_nextRuleId++}",
        Ethertype = "IPv4",
        Protocol = rule.Protocol is "icmp" or "tcp" or "udp" or "6" ? rule.Protocol : null,
        PortRangeMin = rule.Protocol is "icmp" or "tcp" or "udp" or "6" ? rule.PortRangeMin : null,
        PortRangeMax = rule.Protocol is "icmp" or "tcp" or "udp" or "6" ? rule.PortRangeMax : null,
        RemoteIpPrefix = rule.RemoteIpPrefix == "10.0.0.0/24" ? "10.0.0.9/24" : "10.0.0.0/24",
        RemoteGroupId = null,
        RemoteAddressGroupId = null,
    };

    public NeutronEngineModel Clone() => new()
    {
        _nextRuleId = _nextRuleId,
        Groups = [.. Groups],
        Ports = [.. Ports],
        AddressGroups = [.. AddressGroups],
    };

    /// <summary>Takes over another model's objects (the event was accepted); the rule id counter stays this one's.</summary>
    public void Become(NeutronEngineModel other)
    {
        Groups.Clear();
        Groups.AddRange(other.Groups);
        Ports.Clear();
        Ports.AddRange(other.Ports);
        AddressGroups.Clear();
        AddressGroups.AddRange(other.AddressGroups);
    }

    private void Put<T>(List<T> list, T item, Func<T, string> id)
    {
        var index = list.FindIndex(x => id(x) == id(item));
        if (index >= 0)
        {
            list[index] = item;
        }
        else
        {
            list.Add(item);
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Describe(NeutronSecurityGroupRule r) =>
        $"{r.Id} {r.Direction} {r.Ethertype} {r.Protocol ?? "any"} {r.PortRangeMin}-{r.PortRangeMax} {r.RemoteIpPrefix}{r.RemoteGroupId}{r.RemoteAddressGroupId}";

    /// <summary>Translator rows as a <see cref="DesiredState"/> holds them: <c>owner-controller</c> added where missing.</summary>
    public static NorthboundRows Stamp(NorthboundRows rows, string controllerName)
    {
        EquatableMap StampMap(EquatableMap ids) =>
            ids.Get(DesiredState.OwnerControllerKey) is null ? ids.With(DesiredState.OwnerControllerKey, controllerName) : ids;
        return NorthboundRows.Create(
            rows.PortGroups.Select(p => p with
            {
                ExternalIds = StampMap(p.ExternalIds),
                Acls = p.Acls.Select(a => a with { ExternalIds = StampMap(a.ExternalIds) }).ToEquatableArray(),
            }),
            rows.AddressSets.Select(a => a with { ExternalIds = StampMap(a.ExternalIds) }));
    }
}

/// <summary>An event for the engine and the model it leaves when accepted; <see cref="Group"/> is the security group it is about.</summary>
internal sealed record NeutronEvent(string Description, Action<NeutronEngine> Apply, NeutronEngineModel After, bool RefusedByHistory, string? Group)
{
    public override string ToString() => Description;
}
