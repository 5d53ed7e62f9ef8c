using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OvnAcl.Hosting.Tests;

/// <summary>Bad configuration fails the host's start, not the first transaction, with a message naming the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData(null, null, "OvnAcl:Northbound is missing")]
    [InlineData("Northbound", "http://10.0.0.1:6641", "OvnAcl:Northbound: 'http://10.0.0.1:6641': unknown connection method 'http'")]
    [InlineData("Northbound", "tcp:127.0.0.1:6641,ptcp:6641", "OvnAcl:Northbound: 'ptcp:6641' is a passive (listening) remote")]
    [InlineData("Northbound", "ssl:127.0.0.1:6641", "OvnAcl:Tls:PrivateKeyFile is missing: ssl:127.0.0.1:6641 is an ssl: remote")]
    [InlineData("ControllerName", "", "OvnAcl:ControllerName is empty")]
    [InlineData("LockName", "ovnacl-leader", "OvnAcl:LockName 'ovnacl-leader' is not an OVSDB lock name")]
    [InlineData("MaxChangesPerTransaction", "0", "OvnAcl:MaxChangesPerTransaction is 0; it must be at least 1")]
    [InlineData("MaxBackoff", "00:00:00.01", "OvnAcl:MaxBackoff (00:00:00.0100000) is less than OvnAcl:MinBackoff")]
    public async Task A_bad_value_fails_the_start_naming_its_key(string? key, string? value, string message)
    {
        var settings = new Dictionary<string, string?> { ["OvnAcl:Northbound"] = "unix:/nonexistent/nb.sock" };
        if (key is null)
        {
            settings.Remove("OvnAcl:Northbound");
        }
        else
        {
            settings["OvnAcl:" + key] = value;
        }

        using var host = HostedNb.Build(settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A hosted controller gets what the library's benchmarks and fault suite run with, not an older default.</summary>
    [Fact]
    public void The_reconciler_settings_default_to_the_library_s()
    {
        var hosted = new OvnAclOptions();
        var library = Reconciliation.AclReconcilerOptions.Default;
        Assert.Equal(library.MaxTransactionsInFlight, hosted.MaxTransactionsInFlight);
        Assert.Equal(library.MaxChangesPerTransaction, hosted.MaxChangesPerTransaction);
        Assert.Equal(library.RetryBackoff, hosted.RetryBackoff);
        Assert.Equal(library.MaxRetryBackoff, hosted.MaxRetryBackoff);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        using var host = HostedNb.Build(new Dictionary<string, string?>
        {
            ["OvnAcl:Northbound"] = "ssl:127.0.0.1:6641",
            ["OvnAcl:Tls:PrivateKeyFile"] = "/nonexistent/key.pem",
            ["OvnAcl:MaxTransactionsInFlight"] = "0",
        });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("OvnAcl:Tls:PrivateKeyFile: '/nonexistent/key.pem' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("OvnAcl:Tls:CertificateFile is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("OvnAcl:MaxTransactionsInFlight is 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxChangesPerTransaction", "many", "OvnAcl:MaxChangesPerTransaction")]
    [InlineData("Nothbound", "tcp:127.0.0.1:6641", "Nothbound")]
    public async Task A_value_that_does_not_bind_or_an_unknown_key_fails_the_start(string key, string value, string named)
    {
        using var host = HostedNb.Build(new Dictionary<string, string?>
        {
            ["OvnAcl:Northbound"] = "tcp:127.0.0.1:6641",
            ["OvnAcl:" + key] = value,
        });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_set_in_code_are_validated_too()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOvnAcl(o => o.Northbound = "tcp:localhost");
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("OvnAcl:Northbound: 'tcp:localhost': expected tcp:HOST:PORT", error.Message, StringComparison.Ordinal);
    }
}
