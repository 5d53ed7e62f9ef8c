using System.Globalization;
using System.Net;
using OvnAcl.Neutron;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// samples/neutron/three-tier on real OVN: the translated rows written to a NB next to the tenants' networks (a switch
/// per network, an LSP per port named by its id, addresses and port_security as Neutron's OVN driver sets them),
/// ovn-northd's flows traced with ovn-trace for every ordered pair of each tenant's ports on the ports the groups talk
/// about. The expected verdicts are written from what the security groups say (the sample's README), not from the
/// translator.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class OvnSemanticsTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Web1 = "7e6b0e00-0000-4000-8000-000000000001";
    private const string Web2 = "7e6b0e00-0000-4000-8000-000000000002";
    private const string Ba = "ba000e00-0000-4000-8000-000000000001";
    private const string Db = "db000e00-0000-4000-8000-000000000001";
    private const string Router = "0e0e0e00-0000-4000-8000-000000000001";
    private const string Fe = "fe000e00-0000-4000-8000-000000000001";
    private const string Be = "be000e00-0000-4000-8000-000000000001";
    private const string Appliance = "a9900e00-0000-4000-8000-000000000001";

    private static readonly (string Proto, int Port)[] ShopProbes = [("tcp", 443), ("tcp", 8080), ("tcp", 5432), ("tcp", 22), ("udp", 123), ("icmp", 0)];
    private static readonly (string Proto, int Port)[] MediaProbes = [("tcp", 9000), ("tcp", 9100), ("tcp", 9101), ("tcp", 22), ("tcp", 443), ("icmp", 0)];

    private OvnSandbox Sandbox => fixture.Sandbox;

    public Task InitializeAsync() => Sandbox.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Shop: web admits HTTPS from anywhere and sends anything; BA admits 8080 from web and sends any IPv4; the DB admits
    /// 5432 and ping from BA and sends only NTP to 192.0.2.0/24; the router port is trusted (no ACL either way).
    /// </summary>
    private static bool ShopAllows(string src, string dst, string proto, int port)
    {
        var egress = src switch
        {
            Db => false, // only udp/123 to 192.0.2.0/24, never to a tenant port
            _ => true,
        };
        var ingress = dst switch
        {
            Web1 or Web2 => proto == "tcp" && port == 443,
            Ba => src is Web1 or Web2 && proto == "tcp" && port == 8080,
            Db => src == Ba && ((proto == "tcp" && port == 5432) || proto == "icmp"),
            _ => true,
        };
        return egress && ingress;
    }

    /// <summary>
    /// Media: frontend and backend talk TCP 9000–9100 over IPv6 both ways and send nothing else; frontend admits HTTPS
    /// from 203.0.113.0/24 and SSH from the office group; backend admits ping6 from 2001:db8:0:7::/64; the appliance
    /// has port security off (no ACL either way).
    /// </summary>
    private static bool MediaAllows(string src, string dst, string proto, int port, IPAddress srcIp)
    {
        var between = proto == "tcp" && port is >= 9000 and <= 9100 && srcIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var egress = src switch
        {
            Fe => dst == Be && between,
            Be => dst == Fe && between,
            _ => true,
        };
        var ingress = dst switch
        {
            Fe => (src == Be && between)
                  || (proto == "tcp" && port == 443 && InPrefix(srcIp, "203.0.113.0", 24))
                  || (proto == "tcp" && port == 22 && (InPrefix(srcIp, "198.51.100.0", 26) || srcIp.Equals(IPAddress.Parse("198.51.100.200")))),
            Be => (src == Fe && between) || (proto == "icmp" && InPrefix(srcIp, "2001:db8:0:7::", 64)),
            _ => true,
        };
        return egress && ingress;
    }

    [Fact]
    public async Task Three_tier_sample_behaves_as_its_security_groups_say()
    {
        var input = NeutronInput.Load(new[] { "security-groups.json", "ports.json", "address-groups.json" }.Select(f => Path.Combine(SampleDirectory(), f)));
        var result = NeutronTranslator.Translate(input);
        Assert.Empty(result.Diagnostics);
        var rows = result.GetRowsOrThrow();

        var ports = input.Ports.Items.ToDictionary(p => p.Id);
        var args = new List<string>();
        foreach (var network in input.Ports.Items.GroupBy(p => p.NetworkId!))
        {
            args.AddRange(["--", "ls-add", "neutron-" + network.Key]);
            foreach (var port in network)
            {
                var addresses = string.Join(' ', [port.MacAddress!, .. port.FixedIps.Items.Select(f => f.IpAddress)]);
                args.AddRange(["--", "lsp-add", "neutron-" + network.Key, port.Id, "--", "lsp-set-addresses", port.Id, addresses]);
                if (port.PortSecurityEnabled != false && port.DeviceOwner != "network:router_interface")
                {
                    // As Neutron's OVN driver: allowed address pairs with the port's MAC join its entry, others get their own.
                    var sameMac = port.AllowedAddressPairs.Items.Where(p => (p.MacAddress ?? port.MacAddress) == port.MacAddress).Select(p => p.IpAddress);
                    var otherMac = port.AllowedAddressPairs.Items.Where(p => (p.MacAddress ?? port.MacAddress) != port.MacAddress).Select(p => $"{p.MacAddress} {p.IpAddress}");
                    args.AddRange(["--", "lsp-set-port-security", port.Id, string.Join(' ', [addresses, .. sameMac]), .. otherMac]);
                }
                else if (port.PortSecurityEnabled == false)
                {
                    args.AddRange(["--", "lsp-set-addresses", port.Id, addresses, "unknown"]);
                }
            }
        }

        await Sandbox.RunNbctlAsync(args[1..]);
        using var scratch = SandboxDirectory.Create("neutron-ovn");
        var script = scratch.File("rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + Sandbox.NbRemote]);
        await Sandbox.WaitForNorthdSyncAsync();

        var cases = new List<(string Src, IPAddress SrcIp, string Dst, string Proto, int Port, bool Expected)>();
        string[] shop = [Web1, Web2, Ba, Db, Router];
        foreach (var src in shop)
        {
            foreach (var dst in shop.Where(d => d != src && d != Router))
            {
                foreach (var (proto, port) in ShopProbes)
                {
                    cases.Add((src, FirstIp(ports[src], ipv6: false), dst, proto, port, ShopAllows(src, dst, proto, port)));
                }
            }
        }

        // The router forwards traffic from anywhere: web's HTTPS rule admits it, the DB's BA-only rule does not.
        foreach (var dst in new[] { Web1, Ba, Db })
        {
            foreach (var (proto, port) in ShopProbes)
            {
                cases.Add((Router, IPAddress.Parse("198.51.100.7"), dst, proto, port, ShopAllows(Router, dst, proto, port)));
            }
        }

        string[] media = [Fe, Be, Appliance];
        foreach (var src in media)
        {
            foreach (var dst in media.Where(d => d != src))
            {
                foreach (var ipv6 in new[] { false, true })
                {
                    if (!HasFamily(ports[src], ipv6) || !HasFamily(ports[dst], ipv6))
                    {
                        continue;
                    }

                    foreach (var (proto, port) in MediaProbes)
                    {
                        var srcIp = FirstIp(ports[src], ipv6);
                        cases.Add((src, srcIp, dst, proto, port, MediaAllows(src, dst, proto, port, srcIp)));
                    }
                }
            }
        }

        // The appliance (no port security) stands in for the outside: office, HTTPS clients, the ping6 prefix, strangers.
        foreach (var srcIp in new[] { "198.51.100.5", "198.51.100.200", "198.51.100.64", "203.0.113.9", "2001:db8:0:7::5", "2001:db8:0:8::5" }.Select(IPAddress.Parse))
        {
            foreach (var dst in new[] { Fe, Be })
            {
                var ipv6 = srcIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (!HasFamily(ports[dst], ipv6))
                {
                    continue;
                }

                foreach (var (proto, port) in MediaProbes)
                {
                    cases.Add((Appliance, srcIp, dst, proto, port, MediaAllows(Appliance, dst, proto, port, srcIp)));
                }
            }
        }

        var failures = new List<string>();
        var allowed = 0;
        foreach (var (src, srcIp, dst, proto, port, expected) in cases)
        {
            var ipv6 = srcIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            var microflow = Microflow(ports[src], srcIp, ports[dst], FirstIp(ports[dst], ipv6), proto, port);
            var datapath = "neutron-" + ports[src].NetworkId;
            var (traced, _) = await Sandbox.TraceNewConnectionAsync(datapath, microflow, dst);
            allowed += traced ? 1 : 0;
            if (traced != expected)
            {
                var (_, detailed) = await Sandbox.TraceNewConnectionAsync(datapath, microflow, dst, detailed: true);
                failures.Add($"--- {Name(ports[src])} ({srcIp}) -> {Name(ports[dst])} {proto}/{port}: expected {(expected ? "allow" : "deny")}, ovn-trace {(traced ? "allow" : "deny")}\n{microflow}\n{detailed}");
            }
        }

        output.WriteLine($"{cases.Count} traces ({allowed} allowed), {failures.Count} disagreement(s)");
        Assert.True(failures.Count == 0, $"{failures.Count} trace(s) differ from the security groups:\n{string.Join("\n", failures.Take(3))}");
        Assert.InRange(allowed, 10, cases.Count - 10);
    }

    private static string Name(NeutronPort port) => port.Id switch
    {
        Web1 => "web-1",
        Web2 => "web-2",
        Ba => "ba-1",
        Db => "db-1",
        Router => "router",
        Fe => "fe-1",
        Be => "be-1",
        Appliance => "appliance",
        _ => port.Id,
    };

    private static bool HasFamily(NeutronPort port, bool ipv6) =>
        port.FixedIps.Items.Any(f => IPAddress.Parse(f.IpAddress).AddressFamily == (ipv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork));

    private static IPAddress FirstIp(NeutronPort port, bool ipv6) => port.FixedIps.Items.Select(f => IPAddress.Parse(f.IpAddress))
        .First(ip => ip.AddressFamily == (ipv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork));

    private static string Microflow(NeutronPort src, IPAddress srcIp, NeutronPort dst, IPAddress dstIp, string proto, int port)
    {
        var ipv6 = srcIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var family = ipv6 ? "ip6" : "ip4";
        var l4 = proto switch
        {
            "icmp" => ipv6 ? "icmp6 && icmp6.type == 128 && icmp6.code == 0" : "icmp4 && icmp4.type == 8 && icmp4.code == 0",
            _ => string.Create(CultureInfo.InvariantCulture, $"{proto} && {proto}.src == 40000 && {proto}.dst == {port}"),
        };
        return $"inport == \"{src.Id}\" && eth.src == {src.MacAddress} && eth.dst == {dst.MacAddress} && {family}.src == {srcIp} && {family}.dst == {dstIp} && ip.ttl == 64 && {l4}";
    }

    private static bool InPrefix(IPAddress ip, string network, int length)
    {
        var a = ip.GetAddressBytes();
        var b = IPAddress.Parse(network).GetAddressBytes();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var bit = 0; bit < length; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static string SampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "neutron", "three-tier");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/neutron/three-tier not found above " + AppContext.BaseDirectory);
    }
}
