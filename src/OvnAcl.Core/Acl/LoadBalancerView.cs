using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OvnAcl.Collections;

namespace OvnAcl.Acl;

/// <summary>An address (and port) of a load balancer: a VIP or one of its backends, as <c>vips</c> writes them.</summary>
public sealed record LoadBalancerAddress(IPAddress Address, ushort? Port)
{
    /// <summary><c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>, as in the <c>vips</c> column.</summary>
    public override string ToString() => Port is not { } port
        ? Address.ToString()
        : Address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{Address}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Address}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>; false for anything else.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LoadBalancerAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        text = text.Trim();
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':'))
                {
                    return false;
                }

                port = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        else
        {
            host = text;
        }

        if (!IPAddress.TryParse(host, out var ip))
        {
            return false;
        }

        if (port is null)
        {
            address = new LoadBalancerAddress(ip, null);
            return true;
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number == 0)
        {
            return false;
        }

        address = new LoadBalancerAddress(ip, number);
        return true;
    }
}

/// <summary>One entry of a load balancer's <c>vips</c>: the VIP (and port) and the backends a new connection is sent to.</summary>
public sealed record LoadBalancerVip
{
    /// <summary>The virtual address and, when the entry has one, the port.</summary>
    public required LoadBalancerAddress Vip { get; init; }

    /// <summary>The backends in column order; empty when the VIP has none (OVN then drops, or rejects with <c>options:reject=true</c>).</summary>
    public EquatableArray<LoadBalancerAddress> Backends { get; init; } = EquatableArray<LoadBalancerAddress>.Empty;
}

/// <summary>
/// A <c>Load_Balancer</c> row with its VIPs read, as a switch applies it: a new connection to a VIP (and port, and the
/// row's protocol) is DNATed to one backend, picked by a hash OVN does not expose (ovn-trace's <c>--lb-dst</c> chooses).
/// </summary>
public sealed record LoadBalancerView
{
    /// <summary>The row as read.</summary>
    public required LoadBalancerRow Row { get; init; }

    /// <summary>The VIPs, in the column's order; entries OVN could not read are left out and named in <see cref="Problems"/>.</summary>
    public EquatableArray<LoadBalancerVip> Vips { get; init; } = EquatableArray<LoadBalancerVip>.Empty;

    /// <summary>The row's <c>protocol</c>, parsed (<c>tcp</c> when unset).</summary>
    public AclProtocol Protocol { get; init; } = AclProtocol.Tcp;

    /// <summary>Entries of <c>vips</c> that are not <c>VIP[:PORT]</c> → backends, each with why.</summary>
    public EquatableArray<string> Problems { get; init; } = EquatableArray<string>.Empty;

    /// <summary><c>options:reject=true</c>: a VIP without backends answers with a TCP reset or ICMP port unreachable; otherwise OVN 23.03 drops silently.</summary>
    public bool RejectsWithoutBackends => string.Equals(Row.Options.Get("reject"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The Kubernetes Service the row stands for (<c>NAMESPACE/NAME</c>), from ovn-kubernetes'
    /// <c>k8s.ovn.org/kind=Service</c> and <c>k8s.ovn.org/owner</c> external_ids; null otherwise.
    /// </summary>
    public string? Service => Row.ExternalIds.Get("k8s.ovn.org/kind") == "Service" ? Row.ExternalIds.Get("k8s.ovn.org/owner") : null;

    /// <summary>The row's name, with the Service it stands for when known.</summary>
    public override string ToString() => $"load balancer {Row.Name}{(Service is { } service ? $" (Service {service})" : "")}";

    /// <summary>Reads the row's VIPs and protocol; what OVN could not read either is listed in <see cref="Problems"/>.</summary>
    public static LoadBalancerView Read(LoadBalancerRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var problems = new List<string>();
        var vips = new List<LoadBalancerVip>();
        foreach (var (key, value) in row.Vips)
        {
            if (!LoadBalancerAddress.TryParse(key, out var vip))
            {
                problems.Add($"load balancer {row.Name}: VIP '{key}' is not IP[:PORT]; ignored");
                continue;
            }

            var backends = new List<LoadBalancerAddress>();
            foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (LoadBalancerAddress.TryParse(entry, out var backend) && backend.Address.AddressFamily == vip.Address.AddressFamily
                    && (backend.Port is null) == (vip.Port is null))
                {
                    backends.Add(backend);
                }
                else
                {
                    problems.Add($"load balancer {row.Name}: backend '{entry}' of VIP '{key}' is not {(vip.Port is null ? "an IP" : "IP:PORT")} of the VIP's family; ignored");
                }
            }

            vips.Add(new LoadBalancerVip { Vip = vip, Backends = backends.ToEquatableArray() });
        }

        var protocol = row.Protocol.ToLowerInvariant() switch
        {
            "udp" => AclProtocol.Udp,
            "sctp" => AclProtocol.Sctp,
            _ => AclProtocol.Tcp,
        };
        return new LoadBalancerView { Row = row, Vips = vips.ToEquatableArray(), Protocol = protocol, Problems = problems.ToEquatableArray() };
    }

    /// <summary>
    /// The VIP entry a new connection to <paramref name="address"/> on <paramref name="protocol"/>/<paramref name="port"/>
    /// hits: a <c>VIP:PORT</c> entry of the row's protocol, else a port-less <c>VIP</c> entry (any protocol and port); null for none.
    /// </summary>
    public LoadBalancerVip? Find(IPAddress address, AclProtocol protocol, ushort? port)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Vips.FirstOrDefault(v => v.Vip.Address.Equals(address) && v.Vip.Port is { } p && p == port && protocol == Protocol)
            ?? Vips.FirstOrDefault(v => v.Vip.Address.Equals(address) && v.Vip.Port is null);
    }
}
