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
}
