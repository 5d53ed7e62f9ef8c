using System.Globalization;
using System.Net;
using OvnAcl.Collections;
using OvnAcl.Neutron;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>
/// Seeded random security groups for the differential test: every protocol name Neutron knows and numbers, port
/// ranges of every shape, ICMP type/code, IPv4/IPv6 prefixes with host bits, remote groups and address groups, both
/// directions and ethertypes, stateful and stateless; about one rule in six is something Neutron's API refuses.
/// </summary>
internal sealed class NeutronRuleGen(int seed)
{
    private static readonly string[] ProtocolNames =
    [
        "ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ip", "ipip", "ipv6-encap", "ipv6-frag", "ipv6-icmp",
        "icmpv6", "ipv6-nonxt", "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp",
    ];

    private readonly Random _random = new(seed);

    public List<string> GroupIds { get; } = [];

    public List<NeutronAddressGroup> AddressGroups { get; } = [];

    public List<NeutronSecurityGroup> Groups(int groupCount, int rulesPerGroup)
    {
        for (var i = 0; i < groupCount; i++)
        {
            GroupIds.Add(Uuid());
        }

        for (var i = 0; i < 6; i++)
        {
            AddressGroups.Add(new NeutronAddressGroup
            {
                Id = Uuid(),
                Addresses = EquatableArray.Create($"10.{i}.0.0/16", $"192.168.{i}.7/32", $"2001:db8:{i}::/48"),
            });
        }

        var groups = new List<NeutronSecurityGroup>();
        foreach (var id in GroupIds)
        {
            var rules = new List<NeutronSecurityGroupRule>();
            var count = _random.Next(1, (2 * rulesPerGroup) + 1);
            for (var r = 0; r < count; r++)
            {
                if (rules.Count > 0 && _random.Next(25) == 0)
                {
                    // Same rule again under a new id (Neutron: rule exists), or the same network written with
                    // other host bits (a different rule to the API, the same ACL to the driver).
                    var earlier = rules[_random.Next(rules.Count)];
                    rules.Add(earlier.RemoteIpPrefix is { } p && p.Contains('/', StringComparison.Ordinal) && _random.Next(2) == 0
                        ? earlier with { Id = Uuid(), RemoteIpPrefix = WithOtherHostBits(p) }
                        : earlier with { Id = Uuid() });
                    continue;
                }

                rules.Add(Rule());
            }

            groups.Add(new NeutronSecurityGroup { Id = id, Stateful = _random.Next(4) != 0, Rules = rules.ToEquatableArray() });
        }

        return groups;
    }

    private NeutronSecurityGroupRule Rule()
    {
        var ipv6 = _random.Next(2) == 0;
        var ethertype = (ipv6 ? "IPv6" : "IPv4", _random.Next(40)) switch
        {
            (_, 0) => "IPv5",
            (var e, 1) => e.ToLowerInvariant(),
            (var e, _) => e,
        };
        var direction = _random.Next(60) == 0 ? "up" : _random.Next(2) == 0 ? "ingress" : "egress";
        var protocol = Protocol();
        var (min, max) = Ports(protocol);
        string? prefix = null, remoteGroup = null, remoteAddressGroup = null;
        switch (_random.Next(10))
        {
            case 0 or 1 or 2:
                prefix = Prefix(_random.Next(12) == 0 ? !ipv6 : ipv6);
                break;
            case 3 or 4:
                remoteGroup = _random.Next(30) == 0 ? Uuid() : GroupIds[_random.Next(GroupIds.Count)];
                break;
            case 5:
                remoteAddressGroup = _random.Next(10) == 0 ? Uuid() : AddressGroups[_random.Next(AddressGroups.Count)].Id;
                break;
            case 6 when _random.Next(8) == 0:
                prefix = Prefix(ipv6);
                remoteGroup = GroupIds[_random.Next(GroupIds.Count)];
                break;
        }

        return new NeutronSecurityGroupRule
        {
            Id = Uuid(),
            Direction = direction,
            Ethertype = ethertype,
            Protocol = protocol,
            PortRangeMin = min,
            PortRangeMax = max,
            RemoteIpPrefix = prefix,
            RemoteGroupId = remoteGroup,
            RemoteAddressGroupId = remoteAddressGroup,
        };
    }

    private string? Protocol() => _random.Next(20) switch
    {
        0 or 1 => null,
        2 or 3 or 4 => Pick("tcp", "udp", "sctp", "6", "17", "132"),
        5 or 6 => Pick("icmp", "ipv6-icmp", "icmpv6", "1", "58"),
        7 => _random.Next(256).ToString(CultureInfo.InvariantCulture),
        8 => Pick("06", "+17", " 132 ", "0_1", "058", "TCP", "Icmp", "UDP", "IPv6-ICMP"),
        9 => Pick("300", "-1", "foo", "tcp6", ""),
        _ => ProtocolNames[_random.Next(ProtocolNames.Length)],
    };

    private (int? Min, int? Max) Ports(string? protocol)
    {
        var kind = protocol is null ? "none" : protocol.Trim().ToLowerInvariant() switch
        {
            "tcp" or "udp" or "sctp" or "6" or "17" or "132" or "06" or "+17" or "dccp" or "udplite" or "33" or "136" => "ports",
            "icmp" or "ipv6-icmp" or "icmpv6" or "1" or "58" or "0_1" or "058" => "icmp",
            _ => "other",
        };
        var port = () => _random.Next(5) == 0 ? _random.Next(1, 1024) : _random.Next(1, 65536);
        switch (kind)
        {
            case "ports":
                switch (_random.Next(9))
                {
                    case 0: return (null, null);
                    case 1: return (port(), null);
                    case 2: return (null, port());
                    case 3: { var p = port(); return (p, p); }
                    case 4: return (1, 65535);
                    case 5: return (0, _random.Next(1, 100));
                    case 6: { var a = port(); var b = port(); return (Math.Max(a, b), Math.Min(a, b)); }
                    default: { var a = port(); var b = port(); return (Math.Min(a, b), Math.Max(a, b)); }
                }

            case "icmp":
                return _random.Next(8) switch
                {
                    0 => (null, null),
                    1 => (_random.Next(256), null),
                    2 => (null, _random.Next(256)),
                    3 => (_random.Next(256, 70000), _random.Next(256)),
                    4 => (1, 65535),
                    _ => (_random.Next(256), _random.Next(256)),
                };
            case "other":
                return _random.Next(10) == 0 ? (_random.Next(1, 100), _random.Next(100, 200)) : (null, null);
            default:
                return _random.Next(25) == 0 ? (22, 22) : (null, null);
        }
    }

    private string Prefix(bool ipv6)
    {
        if (_random.Next(40) == 0)
        {
            return Pick("10.0.0.300/8", "fe80::1%eth0/64", "10.0.0.1/33", "not-a-cidr", "::/129");
        }

        if (_random.Next(20) == 0)
        {
            return ipv6 ? "::/0" : "0.0.0.0/0";
        }

        if (!ipv6)
        {
            var octets = Enumerable.Range(0, 4).Select(_ => _random.Next(256)).ToArray();
            var text = string.Join('.', octets.Select(o => _random.Next(15) == 0 ? o.ToString("000", CultureInfo.InvariantCulture) : o.ToString(CultureInfo.InvariantCulture)));
            return _random.Next(8) switch
            {
                0 => text,
                1 => $"{text}/255.255.{Pick("0", "128", "255")}.0",
                _ => $"{text}/{_random.Next(33)}",
            };
        }

        var bytes = new byte[16];
        switch (_random.Next(8))
        {
            case 0:
                bytes[10] = bytes[11] = 0xff;
                _random.NextBytes(bytes.AsSpan(12));
                break;
            case 1:
                _random.NextBytes(bytes.AsSpan(12));
                break;
            default:
                for (var w = 0; w < 8; w++)
                {
                    if (_random.Next(5) >= 2)
                    {
                        bytes[2 * w] = (byte)(_random.Next(3) == 0 ? _random.Next(256) : 0);
                        bytes[(2 * w) + 1] = (byte)_random.Next(256);
                    }
                }

                break;
        }

        var address = new IPAddress(bytes);
        var written = _random.Next(4) == 0
            ? string.Join(':', Enumerable.Range(0, 8).Select(w => ((bytes[2 * w] << 8) | bytes[(2 * w) + 1]).ToString("X", CultureInfo.InvariantCulture)))
            : address.ToString();
        return _random.Next(8) == 0 ? written : $"{written}/{_random.Next(129)}";
    }

    /// <summary>The same network with other host bits: a different rule to Neutron's duplicate check, the same ACL.</summary>
    private string WithOtherHostBits(string prefix)
    {
        var slash = prefix.IndexOf('/', StringComparison.Ordinal);
        var length = prefix[(slash + 1)..];
        if (!IPAddress.TryParse(prefix[..slash], out var address) || !int.TryParse(length, CultureInfo.InvariantCulture, out var bits))
        {
            return prefix;
        }

        var bytes = address.GetAddressBytes();
        var hostBit = (bytes.Length * 8) - 1;
        if (bits > hostBit)
        {
            return prefix;
        }

        bytes[hostBit / 8] ^= (byte)(1 << (7 - (hostBit % 8)));
        return $"{new IPAddress(bytes)}/{bits}";
    }

    private string Pick(params string[] values) => values[_random.Next(values.Length)];

    public string Uuid()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
