using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OvnAcl.Kubernetes;
using OvnAcl.Testing;

namespace OvnAcl.Hosting.Tests;

/// <summary>The OvnAcl:Tls keys reach the client: an ssl: NB is written with the configured certificates, and a CA that did not sign the server's keeps the host Unhealthy.</summary>
public sealed class TlsHostingTests(TlsNbFixture fixture) : IClassFixture<TlsNbFixture>
{
    [Fact]
    public async Task An_ssl_remote_with_the_configured_certificates_converges()
    {
        await fixture.Nb.ResetAsync();
        var input = await HostedNb.ThreeTierAsync();
        var expected = HostedNb.Compile(input);
        await HostedNb.AddPortsAsync(fixture.Nb.UnixRemote, expected);
        using var host = HostedNb.Build(Settings(fixture.Pki.CaCert));
        host.Services.GetRequiredService<KubernetesEngine>().Load(input);
        await host.StartAsync();

        var entry = await HostedNb.EventuallyAsync(host, HealthStatus.Healthy);
        Assert.Equal(fixture.SslRemote, entry.Data["remote"]);
        await HostedNb.AssertHoldsAsync(fixture.Nb.UnixRemote, expected);
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_ca_that_did_not_sign_the_server_keeps_it_unhealthy()
    {
        using var host = HostedNb.Build(Settings(fixture.Pki.OtherCaCert));
        host.Services.GetRequiredService<KubernetesEngine>().MarkAllListed();
        await host.StartAsync();

        // Refused handshakes are retried every MaxBackoff (0.5 s): over 3 s, never a session.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until)
        {
            var entry = await HostedNb.HealthAsync(host);
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.Equal(0L, entry.Data["sessions"]);
            await Task.Delay(200);
        }

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private Dictionary<string, string?> Settings(string caCertificate)
    {
        var settings = HostedNb.Settings(fixture.SslRemote);
        settings["OvnAcl:Tls:PrivateKeyFile"] = fixture.Pki.ClientKey;
        settings["OvnAcl:Tls:CertificateFile"] = fixture.Pki.ClientCert;
        settings["OvnAcl:Tls:CaCertificateFile"] = caCertificate;
        return settings;
    }
}
