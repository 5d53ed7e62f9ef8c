namespace OvnAcl.Sandbox;

/// <summary>
/// A standalone OVN Northbound ovsdb-server in its own temp dir, on a unix socket and optionally on loopback
/// TCP and TLS ports that stay the same across restarts (so a client can reconnect to the address it had).
/// </summary>
public sealed class StandaloneNb : IAsyncDisposable
{
    public const string DatabaseName = OvnSchemas.NorthboundDatabase;
    private const string Loopback = "127.0.0.1";

    private readonly SandboxDirectory _directory;

    private StandaloneNb(SandboxDirectory directory, ServerProcess process, string? tcpRemote, string? sslRemote, string schemaPath)
    {
        SchemaPath = schemaPath;
        _directory = directory;
        Process = process;
        TcpRemote = tcpRemote;
        SslRemote = sslRemote;
    }

    public string Dir => _directory.Path;

    public string DbPath => _directory.File("nb.db");

    public string SocketPath => _directory.File("nb.sock");

    /// <summary><c>unix:DIR/nb.sock</c>.</summary>
    public string UnixRemote => "unix:" + SocketPath;

    /// <summary><c>tcp:127.0.0.1:PORT</c>, or null when started without TCP.</summary>
    public string? TcpRemote { get; }

    /// <summary><c>ssl:127.0.0.1:PORT</c>, or null when started without a PKI.</summary>
    public string? SslRemote { get; }

    public ServerProcess Process { get; }

    /// <summary>The schema the database was created with (<see cref="StandaloneNbOptions.SchemaPath"/>).</summary>
    public string SchemaPath { get; }

    public static async Task<StandaloneNb> StartAsync(StandaloneNbOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= StandaloneNbOptions.Default;
        var directory = SandboxDirectory.Create("nb");
        ServerProcess? process = null;
        try
        {
            var dbPath = directory.File("nb.db");
            var socketPath = directory.File("nb.sock");
            await OvsdbServers.CreateDatabaseAsync(dbPath, options.SchemaPath, cancellationToken).ConfigureAwait(false);

            List<string> arguments = [dbPath, $"--remote=punix:{socketPath}"];
            if (options.Ssl is { } pki)
            {
                arguments.AddRange(pki.ServerOptions);
            }

            // Only one kernel-chosen port may be pending at a time: the log line does not say which remote it
            // belongs to, so TLS is added over the control socket once the TCP port is known.
            var pending = new List<string>();
            if (options.Tcp)
            {
                pending.Add($"ptcp:0:{Loopback}");
            }

            if (options.Ssl is not null)
            {
                pending.Add($"pssl:0:{Loopback}");
            }

            if (pending.Count > 0)
            {
                arguments.Add("--remote=" + pending[0]);
            }

            arguments.AddRange(options.ExtraArguments);
            var serverOptions = new ServerProcessOptions
            {
                Name = "nb",
                Executable = "ovsdb-server",
                Arguments = arguments,
                Directory = directory.Path,
                ReadinessProbe = OvsdbServers.ListDbsProbe(socketPath, DatabaseName),
            };
            if (options.LogLevels is { } levels)
            {
                serverOptions = serverOptions with { LogLevels = levels };
            }

            process = await ServerProcess.StartAsync(serverOptions, cancellationToken).ConfigureAwait(false);

            var pinned = new List<string>(arguments);
            string? tcpRemote = null, sslRemote = null;
            for (var i = 0; i < pending.Count; i++)
            {
                if (i > 0)
                {
                    await process.AppctlAsync(["ovsdb-server/add-remote", pending[i]], cancellationToken).ConfigureAwait(false);
                }

                var port = await OvsdbServers.WaitForListeningPortAsync(process, i, cancellationToken).ConfigureAwait(false);
                var isSsl = pending[i].StartsWith("pssl:", StringComparison.Ordinal);
                var bound = $"{(isSsl ? "pssl" : "ptcp")}:{port}:{Loopback}";
                pinned.Remove("--remote=" + pending[i]);
                pinned.Add("--remote=" + bound);
                if (isSsl)
                {
                    sslRemote = $"ssl:{Loopback}:{port}";
                }
                else
                {
                    tcpRemote = $"tcp:{Loopback}:{port}";
                }
            }

            process.PinArguments(pinned);
            return new StandaloneNb(directory, process, tcpRemote, sslRemote, options.SchemaPath);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Empties the database (one transaction deleting every row of every table), starting the server first if a
    /// test left it killed. Connected clients see the deletions as ordinary updates.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        if (!Process.IsRunning)
        {
            await Process.RestartAsync(cancellationToken).ConfigureAwait(false);
        }

        await OvsdbServers.DeleteAllRowsAsync(UnixRemote, SchemaPath, DatabaseName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SIGKILL (a crash: clients see the connection drop), then a start on the same db file and ports.</summary>
    public async Task KillAndRestartAsync(CancellationToken cancellationToken = default)
    {
        Process.Kill();
        await Process.RestartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        _directory.Dispose();
    }
}
