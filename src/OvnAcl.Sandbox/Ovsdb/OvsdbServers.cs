using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OvnAcl.Sandbox;

/// <summary>What every ovsdb-server launch shares: db creation, readiness probe, port discovery, emptying a db.</summary>
internal static partial class OvsdbServers
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> TableNames = new(StringComparer.Ordinal);

    public static async Task CreateDatabaseAsync(string dbPath, string schemaPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(schemaPath))
        {
            throw new SandboxException($"schema {schemaPath} does not exist; install Debian's ovn-common package (`make deps`).");
        }

        await OvsdbTool.RunAsync("ovsdb-tool", ["create", dbPath, schemaPath], cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ready when the unix socket exists and <c>ovsdb-client list-dbs</c> over it lists <paramref name="database"/>.</summary>
    public static Func<ServerProcess, CancellationToken, Task<string?>> ListDbsProbe(string socketPath, string database) =>
        async (_, cancellationToken) =>
        {
            if (!File.Exists(socketPath))
            {
                return $"socket {socketPath} does not exist yet";
            }

            var result = await OvsdbTool.TryRunAsync("ovsdb-client", ["list-dbs", "unix:" + socketPath], TimeSpan.FromSeconds(5), cancellationToken)
                .ConfigureAwait(false);
            return !result.Succeeded ? result.Describe()
                : result.Stdout.Split('\n').Any(l => l.Trim() == database) ? null
                : $"list-dbs does not list {database} yet: {result.Stdout.Trim()}";
        };

    /// <summary>
    /// The ports bound so far for <c>ptcp:0</c>/<c>pssl:0</c> remotes, in the order they were bound. ovsdb-server
    /// only reports a kernel-chosen port in its log (socket_util: "0:127.0.0.1: listening on port N"), which is
    /// also how OVS's own testsuite finds it; explicitly numbered remotes log nothing.
    /// </summary>
    public static IReadOnlyList<int> ListeningPorts(ServerProcess server) =>
        ListeningPortLine().Matches(server.ReadLog()).Select(m => int.Parse(m.Groups[1].ValueSpan, provider: null)).ToList();

    public static async Task<int> WaitForListeningPortAsync(ServerProcess server, int ordinal, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var ports = ListeningPorts(server);
            if (ports.Count > ordinal)
            {
                return ports[ordinal];
            }

            if (DateTime.UtcNow > deadline || !server.IsRunning)
            {
                throw new SandboxException(
                    $"{server.Name} did not log listening port #{ordinal + 1} (\"listening on port N\"); is the file log level below info?{server.Diagnostics()}");
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One transaction deleting every row of every table: the state <c>ovsdb-tool create</c> leaves, without a
    /// restart. Deleting all tables at once keeps referential integrity (RFC 7047 §5.2.4 checks it at commit).
    /// </summary>
    public static async Task DeleteAllRowsAsync(string remote, string schemaPath, string database, CancellationToken cancellationToken)
    {
        var json = new StringBuilder();
        json.Append('[').Append(JsonSerializer.Serialize(database));
        foreach (var table in TableNames.GetOrAdd(schemaPath, ReadTableNames))
        {
            json.Append(",{\"op\":\"delete\",\"table\":").Append(JsonSerializer.Serialize(table)).Append(",\"where\":[]}");
        }

        json.Append(']');
        await OvsdbTool.TransactAsync(remote, json.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private static IReadOnlyList<string> ReadTableNames(string schemaPath)
    {
        using var schema = JsonDocument.Parse(File.ReadAllBytes(schemaPath));
        return schema.RootElement.GetProperty("tables").EnumerateObject().Select(t => t.Name).ToList();
    }

    [GeneratedRegex(@"listening on port (\d+)")]
    private static partial Regex ListeningPortLine();
}
