using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>Asks the remotes, one after the other, for the database's schema: a benchmark needs one that answers.</summary>
internal static class ServerProbe
{
    public static async Task<DatabaseSchema> GetSchemaAsync(string remotes, string database, OvsdbConnectionOptions connection, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(remotes))
        {
            throw new ArgumentException("no database remote given");
        }

        IReadOnlyList<OvsdbRemote> parsed;
        try
        {
            parsed = OvsdbRemote.ParseList(remotes);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }

        var failures = new List<string>();
        foreach (var remote in parsed)
        {
            try
            {
                await using var session = await OvsdbConnection.ConnectAsync(remote, connection with { ConnectTimeout = TimeSpan.FromSeconds(5) }, cancellationToken).ConfigureAwait(false);
                return await session.GetSchemaAsync(database, cancellationToken).ConfigureAwait(false);
            }
            catch (OvsdbServerException ex)
            {
                failures.Add($"{remote.Text} does not serve {database}: {ex.Message}");
            }
            catch (OvsdbException ex)
            {
                failures.Add(ex.Message);
            }
        }

        throw new BenchmarkException($"no server answers: {string.Join("; ", failures)}");
    }
}
