using OvnAcl.Addressing;

namespace OvnAcl.Core.Tests.Addressing;

/// <summary>One prefix type, two dialects: what each accepts and how each writes it stays as each front end had it.</summary>
public sealed class IpPrefixDialectTests
{
    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.0/24", true)]
    [InlineData("10.0.0.0/24", "10.0.0.0/24", false)]
    [InlineData("10.0.0.7/32", "10.0.0.7", false)]
    [InlineData("2001:db8::1/64", "2001:db8::/64", true)]
    public void Kubernetes_reads_strictly_clears_host_bits_and_writes_the_ovn_form(string text, string written, bool hostBits)
    {
        Assert.True(IpPrefix.TryParseCidr(text, out var prefix, out var hadHostBits));
        Assert.Equal((written, hostBits), (prefix.ToString(), hadHostBits));
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.0/255.255.255.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.1/8")]
    public void Kubernetes_refuses_what_it_refused(string text) =>
        Assert.False(IpPrefix.TryParseCidr(text, out _, out _));

    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.1/24", "10.0.0.0/24")]
    [InlineData("10.0.0.1", "10.0.0.1/32", "10.0.0.1/32")]
    [InlineData("10.0.0.0/255.255.255.0", "10.0.0.0/24", "10.0.0.0/24")]
    [InlineData("2001:DB8::1/64", "2001:db8::1/64", "2001:db8::/64")]
    public void Neutron_reads_as_netaddr_keeps_host_bits_and_writes_netaddrs_text(string text, string written, string network)
    {
        Assert.True(IpPrefix.TryParseNetaddr(text, out var prefix));
        Assert.Equal((written, network, written != network), (prefix.ToNetaddrString(), prefix.Network().ToNetaddrString(), prefix.HasHostBits));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.1/8")]
    [InlineData("fe80::1%eth0/64")]
    public void Neutron_refuses_what_it_refused(string text) =>
        Assert.False(IpPrefix.TryParseNetaddr(text, out _));

    [Fact]
    public void Both_dialects_give_the_same_value_for_a_network()
    {
        Assert.True(IpPrefix.TryParseCidr("192.168.0.0/16", out var kubernetes, out _));
        Assert.True(IpPrefix.TryParseNetaddr("192.168.0.0/16", out var neutron));
        Assert.Equal(kubernetes, neutron);
        Assert.True(kubernetes.Contains(neutron));
    }
}
