using System.CommandLine;
using Microsoft.Extensions.Logging;
using OvnAcl.Ovsdb;

namespace OvnAcl.Cli.Commands;

/// <summary>Options every command that talks to a database shares, spelled as OVN's own tools spell them.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Db { get; } = new("--db")
    {
        Description = "OVSDB remote(s): tcp:HOST:PORT, ssl:HOST:PORT, unix:PATH, comma-separated for a cluster (default: $OVN_NB_DB)",
    };

    public Option<string?> PrivateKey { get; } = new("--private-key") { Description = "PEM private key for ssl: remotes" };
    public Option<string?> Certificate { get; } = new("--certificate") { Description = "PEM certificate for ssl: remotes" };
    public Option<string?> CaCert { get; } = new("--ca-cert") { Description = "PEM CA certificate that signed the server's certificate" };
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log connection events to stderr" };

    public void AddTo(Command command)
    {
        command.Add(Db);
        command.Add(PrivateKey);
        command.Add(Certificate);
        command.Add(CaCert);
        command.Add(Verbose);
    }

    public string GetRemotes(ParseResult result) =>
        result.GetValue(Db) ?? Environment.GetEnvironmentVariable("OVN_NB_DB")
        ?? throw new CliException("no database given: pass --db REMOTE or set OVN_NB_DB");

    public OvsdbConnectionOptions GetConnectionOptions(ParseResult result)
    {
        var key = result.GetValue(PrivateKey);
        var cert = result.GetValue(Certificate);
        var ca = result.GetValue(CaCert);
        OvsdbTlsOptions? tls = null;
        if (key is not null || cert is not null || ca is not null)
        {
            if (key is null || cert is null || ca is null)
            {
                throw new CliException("ssl: remotes need all of --private-key, --certificate and --ca-cert");
            }

            tls = new OvsdbTlsOptions { PrivateKeyFile = key, CertificateFile = cert, CaCertificateFile = ca };
        }

        var loggerFactory = result.GetValue(Verbose)
            ? LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information))
            : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        return OvsdbConnectionOptions.Default with { Tls = tls, LoggerFactory = loggerFactory };
    }

    public OvsdbClient CreateClient(ParseResult result, string database, IReadOnlyList<OvsdbTableMonitor>? tables = null)
    {
        IReadOnlyList<OvsdbRemote> remotes;
        try
        {
            remotes = OvsdbRemote.ParseList(GetRemotes(result));
        }
        catch (FormatException ex)
        {
            throw new CliException(ex.Message);
        }

        return new OvsdbClient(remotes, OvsdbClientOptions.Default with
        {
            Database = database,
            Tables = tables,
            Connection = GetConnectionOptions(result),
        });
    }
}

/// <summary>A user-facing error: printed as one line, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
