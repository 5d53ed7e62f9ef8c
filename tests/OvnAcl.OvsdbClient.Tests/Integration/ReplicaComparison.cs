using System.Text;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

/// <summary>Compares the client's replica with what <c>ovsdb-client dump</c> prints for the same server.</summary>
internal static class ReplicaComparison
{
    /// <summary>Every difference between the replica and the dump, one line each; empty when they agree.</summary>
    public static IReadOnlyList<string> Differences(OvsdbReplica replica, OvsdbDump dump, IEnumerable<string>? tables = null)
    {
        var problems = new List<string>();
        foreach (var table in tables ?? replica.Tables)
        {
            var schema = replica.Schema.GetTable(table);
            var expected = dump[table].ToDictionary(
                r => OvsdbJson.ReadDatum(r["_uuid"], schema.GetColumn("_uuid").Type).Keys[0].AsUuid());
            var actual = replica.GetRows(table).ToDictionary(r => r.Uuid);
            foreach (var uuid in expected.Keys.Except(actual.Keys))
            {
                problems.Add($"{table} {uuid}: in the server, missing from the replica");
            }

            foreach (var uuid in actual.Keys.Except(expected.Keys))
            {
                problems.Add($"{table} {uuid}: in the replica, not in the server");
            }

            foreach (var (uuid, row) in actual)
            {
                if (!expected.TryGetValue(uuid, out var dumped))
                {
                    continue;
                }

                foreach (var (column, value) in row.Columns)
                {
                    var server = OvsdbJson.ReadDatum(dumped[column], schema.GetColumn(column).Type);
                    if (!server.Equals(value))
                    {
                        problems.Add($"{table} {uuid} {column}: replica {value}, server {server}");
                    }
                }
            }
        }

        return problems;
    }

    public static async Task AssertMatchesServerAsync(OvsdbReplica replica, string remote, IEnumerable<string>? tables = null)
    {
        var dump = await OvsdbTool.DumpJsonAsync(remote, replica.Schema.Name);
        var problems = Differences(replica, dump, tables);
        Assert.True(problems.Count == 0, new StringBuilder("replica differs from ovsdb-client dump:\n").AppendJoin('\n', problems.Take(20)).ToString());
    }

    /// <summary>Waits until the replica agrees with the server (updates arrive asynchronously), then asserts.</summary>
    public static async Task EventuallyMatchesServerAsync(OvsdbReplica replica, string remote, TimeSpan timeout, IEnumerable<string>? tables = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var dump = await OvsdbTool.DumpJsonAsync(remote, replica.Schema.Name);
            var problems = Differences(replica, dump, tables);
            if (problems.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(new StringBuilder($"replica still differs from ovsdb-client dump after {timeout.TotalSeconds} s:\n").AppendJoin('\n', problems.Take(20)).ToString());
            }

            await Task.Delay(100);
        }
    }
}
