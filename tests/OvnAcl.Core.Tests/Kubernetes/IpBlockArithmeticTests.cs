using System.Net;
using OvnAcl.Addressing;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>CIDR minus excepts as disjoint prefixes, checked address by address against the plain set difference.</summary>
public sealed class IpBlockArithmeticTests
{
    private static IpPrefix Cidr(string text) => IpPrefix.TryParseCidr(text, out var p, out _) ? p : throw new FormatException(text);

    [Fact]
    public void Subtraction_equals_the_brute_force_difference_on_every_small_case()
    {
        // Every /24../28 cidr inside 10.0.0.0/24, with 0–3 excepts drawn from all prefixes inside it: each address checked.
        var random = new Random(20240607);
        var cases = 0;
        for (var length = 24; length <= 28; length++)
        {
            for (var start = 0; start < 256; start += 1 << (32 - length))
            {
                var cidr = Cidr($"10.0.0.{start}/{length}");
                var inside = Enumerable.Range(length + 1, 32 - length).SelectMany(l =>
                    Enumerable.Range(0, 1 << (l - length)).Select(i => new IpPrefix(false, cidr.Address + (UInt128)(i << (32 - l)), l))).ToList();
                for (var trial = 0; trial < 40; trial++)
                {
                    var excepts = Enumerable.Range(0, random.Next(0, 4)).Select(_ => inside[random.Next(inside.Count)]).ToList();
                    Check(cidr, excepts, 256);
                    cases++;
                }
            }
        }

        Assert.True(cases > 1000);
    }

    [Fact]
    public void Ipv6_subtraction_equals_the_brute_force_difference()
    {
        var random = new Random(7);
        var cidr = Cidr("2001:db8::/120");
        for (var trial = 0; trial < 200; trial++)
        {
            var excepts = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            {
                var length = random.Next(121, 129);
                var offset = (UInt128)random.Next(256) & IpPrefix.Mask(8, length - 120);
                return new IpPrefix(true, cidr.Address + offset, length);
            }).ToList();
            Check(cidr, excepts, 256);
        }
    }

    private static void Check(IpPrefix cidr, List<IpPrefix> excepts, int span)
    {
        var result = cidr.Subtract(excepts);
        for (var i = 0; i < result.Count; i++)
        {
            Assert.True(cidr.Contains(result[i]));
            for (var j = i + 1; j < result.Count; j++)
            {
                Assert.False(result[i].Overlaps(result[j]), $"{result[i]} overlaps {result[j]}");
            }
        }

        var size = (UInt128)1 << (cidr.Width - cidr.Length);
        for (UInt128 offset = 0; offset < size && offset < (UInt128)span; offset++)
        {
            var host = new IpPrefix(cidr.IsIPv6, cidr.Address + offset, cidr.Width);
            var expected = !excepts.Any(e => e.Contains(host));
            Assert.True(expected == result.Any(r => r.Contains(host)), $"{host} in {cidr} minus [{string.Join(", ", excepts)}]");
        }

        // Fewest prefixes: no two results are the halves of one prefix (else they would have been kept whole).
        foreach (var r in result.Where(r => r.Length > cidr.Length))
        {
            var sibling = r with { Address = r.Address ^ ((UInt128)1 << (r.Width - r.Length)) };
            Assert.DoesNotContain(sibling, result);
        }
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", false)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", false)]
    [InlineData("10.0.0.1/24", "10.0.0.0/24", true)]
    [InlineData("10.0.0.1/32", "10.0.0.1", false)]
    [InlineData("::/0", "::/0", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", false)]
    [InlineData("2001:db8::1/64", "2001:db8::/64", true)]
    public void Cidrs_parse_to_their_network(string text, string printed, bool hostBits)
    {
        Assert.True(IpPrefix.TryParseCidr(text, out var prefix, out var bits));
        Assert.Equal(printed, prefix.ToString());
        Assert.Equal(hostBits, bits);
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10/8")]
    [InlineData("10.0.0/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.256/24")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/ 8")]
    [InlineData("")]
    public void Malformed_cidrs_are_refused(string text) => Assert.False(IpPrefix.TryParseCidr(text, out _, out _));

    [Fact]
    public void Whole_space_minus_a_host_is_one_prefix_per_bit()
    {
        var result = Cidr("0.0.0.0/0").Subtract([IpPrefix.Host(IPAddress.Parse("10.0.0.1"))]);
        Assert.Equal(32, result.Count);
        var v6 = Cidr("::/0").Subtract([IpPrefix.Host(IPAddress.Parse("2001:db8::1"))]);
        Assert.Equal(128, v6.Count);
    }
}
