using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

using OvsdbClient = OvnAcl.Ovsdb.OvsdbClient;

/// <summary>One step of a random script: a change to an address set or a port group, by name.</summary>
public sealed record ScriptStep(string Kind, int Name, int[] Addresses, int[] Removed, int Priority)
{
    public override string ToString() => $"{Kind}({Name}, +[{string.Join(",", Addresses)}], -[{string.Join(",", Removed)}], {Priority})";
}

/// <summary>A random script: steps grouped into transactions.</summary>
public sealed record TransactionScript(ScriptStep[][] Transactions)
{
    public override string ToString() => string.Join(" | ", Transactions.Select(t => string.Join("; ", t.Select(s => s.ToString()))));
}

public static class TransactionScriptArbitrary
{
    private static readonly string[] Kinds = ["create-as", "mutate-as", "retag-as", "delete-as", "create-pg", "add-acl", "delete-pg"];

    public static Arbitrary<TransactionScript> Script()
    {
        var subset = Gen.Choose(0, 7).ArrayOf().Select(a => a.Distinct().Take(4).ToArray());
        var step =
            from kind in Gen.Elements(Kinds)
            from name in Gen.Choose(0, 3)
            from add in subset
            from remove in subset
            from priority in Gen.Choose(0, 32767)
            select new ScriptStep(kind, name, add, remove, priority);
        var transaction = Gen.Choose(1, 3).SelectMany(n => step.ArrayOf(n));
        return Gen.Choose(1, 8).SelectMany(n => transaction.ArrayOf(n))
            .Select(t => new TransactionScript(t))
            .ToArbitrary();
    }
}

[Collection(FixtureCollections.StandaloneNb)]
public sealed class ReplicaPropertyTests(StandaloneNbFixture fixture)
{
    private static readonly string[] Ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "fd00::1", "fd00::2", "192.168.1.0/24", "10.0.0.7", "10.0.0.8"];

    [Property(Arbitrary = [typeof(TransactionScriptArbitrary)], MaxTest = 25)]
    public async Task<bool> After_random_transactions_the_replica_equals_the_server_dump(TransactionScript script)
    {
        await fixture.Nb.ResetAsync();
        await using var client = new OvsdbClient(fixture.Nb.UnixRemote, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Address_Set"), new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("ACL")],
        });
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        foreach (var steps in script.Transactions)
        {
            var txn = client.CreateTransaction();
            foreach (var step in steps)
            {
                Add(txn, step);
            }

            var result = await client.TransactAsync(txn);
            Assert.NotEqual(OvsdbTransactionStatus.OutcomeUnknown, result.Status);

            // ovsdb-server sends a monitor's update before the reply to the transaction that caused it.
            await ReplicaComparison.AssertMatchesServerAsync(client.Replica, fixture.Nb.UnixRemote);
        }

        return true;
    }

    private static void Add(OvsdbTransaction txn, ScriptStep step)
    {
        var asName = $"as{step.Name}";
        var pgName = $"pg{step.Name}";
        switch (step.Kind)
        {
            case "create-as":
                txn.Insert("Address_Set", new Dictionary<string, OvsdbDatum>
                {
                    ["name"] = OvsdbDatum.FromString(asName),
                    ["addresses"] = OvsdbDatum.StringSet(step.Addresses.Select(i => Ips[i])),
                });
                break;
            case "mutate-as":
                txn.Mutate("Address_Set", [OvsdbCondition.Equal("name", asName)],
                [
                    new OvsdbMutation("addresses", OvsdbMutator.Insert, OvsdbDatum.StringSet(step.Addresses.Select(i => Ips[i]))),
                    new OvsdbMutation("addresses", OvsdbMutator.Delete, OvsdbDatum.StringSet(step.Removed.Select(i => Ips[i]))),
                ]);
                break;
            case "retag-as":
                txn.Update("Address_Set", [OvsdbCondition.Equal("name", asName)], new Dictionary<string, OvsdbDatum>
                {
                    ["external_ids"] = OvsdbDatum.StringMap(step.Addresses.Select(i => new KeyValuePair<string, string>($"k{i}", $"v{step.Priority}"))),
                });
                break;
            case "delete-as":
                txn.Delete("Address_Set", [OvsdbCondition.Equal("name", asName)]);
                break;
            case "create-pg":
                var acl = txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
                {
                    ["direction"] = OvsdbDatum.FromString("to-lport"),
                    ["priority"] = OvsdbDatum.FromInteger(step.Priority),
                    ["match"] = OvsdbDatum.FromString($"outport == @{pgName} && ip4.src == $as{step.Name}"),
                    ["action"] = OvsdbDatum.FromString("allow-related"),
                });
                txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum>
                {
                    ["name"] = OvsdbDatum.FromString(pgName),
                    ["acls"] = OvsdbDatum.Set(OvsdbAtom.NamedUuid(acl)),
                });
                break;
            case "add-acl":
                var added = txn.Insert("ACL", new Dictionary<string, OvsdbDatum>
                {
                    ["direction"] = OvsdbDatum.FromString("from-lport"),
                    ["priority"] = OvsdbDatum.FromInteger(step.Priority),
                    ["match"] = OvsdbDatum.FromString($"inport == @{pgName}"),
                    ["action"] = OvsdbDatum.FromString("drop"),
                    ["label"] = OvsdbDatum.FromInteger(step.Priority * 131071L),
                });
                txn.Mutate("Port_Group", [OvsdbCondition.Equal("name", pgName)],
                    [new OvsdbMutation("acls", OvsdbMutator.Insert, OvsdbDatum.Set(OvsdbAtom.NamedUuid(added)))]);
                break;
            case "delete-pg":
                txn.Delete("Port_Group", [OvsdbCondition.Equal("name", pgName)]);
                break;
        }
    }
}
