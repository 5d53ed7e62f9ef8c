using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

[Collection(FixtureCollections.TlsNb)]
public sealed class TlsNbSmokeTests(TlsNbFixture fixture)
{
    [Fact]
    public async Task Client_certificate_from_the_servers_ca_is_accepted()
    {
        var dbs = await OvsdbTool.ListDbsAsync(fixture.SslRemote, fixture.Pki.ClientOptions);

        Assert.Contains(StandaloneNb.DatabaseName, dbs);
    }

    [Fact]
    public async Task Client_certificate_from_another_ca_is_refused()
    {
        var result = await OvsdbTool.TryRunAsync("ovsdb-client", [.. fixture.Pki.OtherClientOptions, "list-dbs", fixture.SslRemote]);

        Assert.False(result.Succeeded, result.Describe());
    }

    [Fact]
    public async Task Client_that_trusts_only_another_ca_refuses_the_server()
    {
        var result = await OvsdbTool.TryRunAsync("ovsdb-client", [.. fixture.Pki.ClientTrustingOtherCaOptions, "list-dbs", fixture.SslRemote]);

        Assert.False(result.Succeeded, result.Describe());
    }

    [Fact]
    public async Task Expired_client_certificate_is_refused()
    {
        var result = await OvsdbTool.TryRunAsync("ovsdb-client", [.. fixture.Pki.ExpiredClientOptions, "list-dbs", fixture.SslRemote]);

        Assert.False(result.Succeeded, result.Describe());
    }

    [Fact]
    public async Task Certificates_chain_to_their_own_ca_only_and_the_expired_ones_have_expired()
    {
        var pki = fixture.Pki;
        await OvsdbTool.RunAsync("openssl", ["verify", "-CAfile", pki.CaCert, pki.ServerCert, pki.ClientCert]);
        await OvsdbTool.RunAsync("openssl", ["verify", "-CAfile", pki.OtherCaCert, pki.OtherServerCert, pki.OtherClientCert]);

        var wrongCa = await OvsdbTool.TryRunAsync("openssl", ["verify", "-CAfile", pki.CaCert, pki.OtherClientCert]);
        Assert.False(wrongCa.Succeeded, wrongCa.Describe());
        foreach (var expired in new[] { pki.ExpiredClientCert, pki.ExpiredServerCert })
        {
            var result = await OvsdbTool.TryRunAsync("openssl", ["verify", "-CAfile", pki.CaCert, expired]);
            Assert.Contains("certificate has expired", result.Stdout + result.Stderr, StringComparison.Ordinal);
        }
    }
}
