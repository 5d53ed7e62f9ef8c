using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

using OvsdbClient = OvnAcl.Ovsdb.OvsdbClient;

[Collection(FixtureCollections.TlsNb)]
public sealed class TlsClientTests(TlsNbFixture fixture)
{
    private OvsdbConnectionOptions Tls(string key, string cert, string ca) => OvsdbConnectionOptions.Default with
    {
        Tls = new OvsdbTlsOptions { PrivateKeyFile = key, CertificateFile = cert, CaCertificateFile = ca },
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Ssl_remote_with_the_right_certificates_works_end_to_end()
    {
        var pki = fixture.Pki;
        await using var client = new OvsdbClient(fixture.SslRemote, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group")],
            Connection = Tls(pki.ClientKey, pki.ClientCert, pki.CaCert),
        });
        await client.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var txn = client.CreateTransaction();
        txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString($"tls_{Guid.NewGuid():N}") });
        Assert.True((await client.TransactAsync(txn)).Succeeded);
        await ReplicaComparison.AssertMatchesServerAsync(client.Replica, fixture.Nb.UnixRemote);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused_with_a_clear_error()
    {
        var pki = fixture.Pki;
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() =>
            OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(fixture.SslRemote), Tls(pki.ClientKey, pki.ClientCert, pki.OtherCaCert)));
        Assert.Contains("server certificate refused", error.Message, StringComparison.Ordinal);
        Assert.Contains(pki.OtherCaCert, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_the_server_does_not_trust_fails_the_connection()
    {
        var pki = fixture.Pki;
        var remote = OvsdbRemote.Parse(fixture.SslRemote);
        // TLS 1.3 finishes the client's side of the handshake before the server checks our certificate,
        // so the refusal may arrive as a closed connection on the first request.
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(async () =>
        {
            await using var connection = await OvsdbConnection.ConnectAsync(remote, Tls(pki.OtherClientKey, pki.OtherClientCert, pki.CaCert));
            await connection.ListDatabasesAsync().WaitAsync(TimeSpan.FromSeconds(10));
        });
        Assert.Contains(fixture.SslRemote, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_key_file_is_named_in_the_error()
    {
        var pki = fixture.Pki;
        var missing = Path.Combine(pki.Dir, "no-such-key.pem");
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() =>
            OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(fixture.SslRemote), Tls(missing, pki.ClientCert, pki.CaCert)));
        Assert.Contains("private key file", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_client_certificate_is_refused_before_connecting_naming_the_file_and_date()
    {
        var pki = fixture.Pki;
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() =>
            OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(fixture.SslRemote), Tls(pki.ExpiredClientKey, pki.ExpiredClientCert, pki.CaCert)));
        Assert.Contains($"the client certificate '{pki.ExpiredClientCert}' expired on 2020-01-02", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The server presents a certificate from the right CA whose validity ended: refused as expired, not as an unknown CA.</summary>
    [Fact]
    public async Task An_expired_server_certificate_is_refused_as_expired()
    {
        var pki = fixture.Pki;
        await using var expired = await StandaloneNb.StartAsync(StandaloneNbOptions.Default with
        {
            Tcp = false,
            Ssl = pki,
            ExtraArguments = [$"--private-key={pki.ExpiredServerKey}", $"--certificate={pki.ExpiredServerCert}"],
        });
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() =>
            OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(expired.SslRemote!), Tls(pki.ClientKey, pki.ClientCert, pki.CaCert)));
        Assert.Contains("server certificate refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("expired on 2020-01-02", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_client_key_stops_the_client_with_the_file_named()
    {
        var pki = fixture.Pki;
        var missing = Path.Combine(pki.Dir, "gone", "client-privkey.pem");
        await using var client = new OvsdbClient(fixture.SslRemote, OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group")],
            Connection = Tls(missing, pki.ClientCert, pki.CaCert),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.StartAsync(TimeSpan.FromSeconds(3)));
        var text = error.ToString();
        Assert.Contains("private key file", text, StringComparison.Ordinal);
        Assert.Contains(missing, text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every log line, at Trace, of a session refused (wrong CA), a session whose client certificate is expired and a
    /// session that works: none holds the private key, a line of its PEM body, or a PEM header of a key.
    /// </summary>
    [Fact]
    public async Task Private_keys_are_never_logged_even_at_trace()
    {
        var pki = fixture.Pki;
        var logs = new CapturingLoggerFactory();
        OvsdbConnectionOptions Logged(string key, string cert, string ca) => Tls(key, cert, ca) with { LoggerFactory = logs };
        OvsdbClientOptions Options(OvsdbConnectionOptions connection) => OvsdbClientOptions.Default with
        {
            Tables = [new OvsdbTableMonitor("Port_Group")],
            Connection = connection,
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        };

        await using (var refused = new OvsdbClient(fixture.SslRemote, Options(Logged(pki.ClientKey, pki.ClientCert, pki.OtherCaCert))))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => refused.StartAsync(TimeSpan.FromSeconds(2)));
        }

        await using (var expired = new OvsdbClient(fixture.SslRemote, Options(Logged(pki.ExpiredClientKey, pki.ExpiredClientCert, pki.CaCert))))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => expired.StartAsync(TimeSpan.FromSeconds(2)));
        }

        await using (var working = new OvsdbClient(fixture.SslRemote, Options(Logged(pki.ClientKey, pki.ClientCert, pki.CaCert))))
        {
            await working.StartAsync(TimeSpan.FromSeconds(20));
            var txn = working.CreateTransaction();
            txn.Insert("Port_Group", new Dictionary<string, OvsdbDatum> { ["name"] = OvsdbDatum.FromString($"tls_log_{Guid.NewGuid():N}") });
            Assert.True((await working.TransactAsync(txn)).Succeeded);
        }

        var lines = logs.Lines.ToList();
        Assert.True(lines.Count > 10, $"the sessions logged something to check ({lines.Count} lines)");
        Assert.Contains(lines, l => l.Contains("server certificate refused", StringComparison.Ordinal));
        var secrets = new[] { pki.ClientKey, pki.ExpiredClientKey }
            .SelectMany(f => File.ReadAllLines(f))
            .Where(l => l.Length >= 16 && !l.StartsWith("-----", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(secrets);
        foreach (var line in lines)
        {
            Assert.DoesNotContain("PRIVATE KEY", line, StringComparison.Ordinal);
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"a log line holds a line of a private key: {line}");
            }
        }
    }

    /// <summary>Keeps every formatted message and exception of every category, at every level.</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel} {eventId} {formatter(state, exception)} {exception}");

        public void Dispose()
        {
        }
    }
}
