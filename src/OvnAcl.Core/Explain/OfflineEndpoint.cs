using System.Net;
using OvnAcl.Collections;

namespace OvnAcl.Explain;

/// <summary>What an endpoint of the offline topology stands for.</summary>
public enum OfflineEndpointKind
{
    /// <summary>A Kubernetes pod: its logical switch port is named by <c>KubernetesCompileOptions.LogicalSwitchPortName</c>.</summary>
    Pod,

    /// <summary>A Neutron port: its logical switch port is named after the port id.</summary>
    NeutronPort,

    /// <summary>An address outside the topology, reached through a logical switch port of type <c>router</c>.</summary>
    External,

    /// <summary>A load balancer VIP without backends (<see cref="OfflineEndpoint.Port"/> names the load balancer): nothing behind it to reach.</summary>
    ServiceVip,
}

/// <summary>
/// One logical switch port of the offline topology and what it stands for. <see cref="Addresses"/> and
/// <see cref="PortSecurity"/> are the <c>Logical_Switch_Port</c> columns the topology gives it, so a real NB can be
/// given the same ports (<c>make demo</c> does).
/// </summary>
public sealed record OfflineEndpoint
{
    /// <summary>Short label: the pod's name (or <c>namespace/pod</c> when two namespaces share it), the Neutron port's name (or id prefix), the external IP.</summary>
    public required string Label { get; init; }

    /// <summary>The object's full id: <c>namespace/pod</c>, the Neutron port id, or the external IP.</summary>
    public required string Id { get; init; }

    /// <summary>A Kubernetes pod, a Neutron port, or an address outside the topology behind a router port.</summary>
    public required OfflineEndpointKind Kind { get; init; }

    /// <summary>The logical switch port's name.</summary>
    public required string Port { get; init; }

    /// <summary>The logical switch the endpoint's port is placed on in the offline topology.</summary>
    public required string Switch { get; init; }

    /// <summary><c>Logical_Switch_Port.type</c>: empty, or <c>router</c> for <see cref="OfflineEndpointKind.External"/>.</summary>
    public string Type { get; init; } = "";

    /// <summary><c>addresses</c> entries: <c>"MAC IP..."</c>, plus <c>unknown</c> for a Neutron port without port security.</summary>
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;

    /// <summary><c>port_security</c> entries; empty when the port has none.</summary>
    public EquatableArray<string> PortSecurity { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The MAC address given to the port in the offline topology (the input has none).</summary>
    public required string Mac { get; init; }

    /// <summary>For an <see cref="OfflineEndpointKind.External"/> end whose address is a Node's source address: the node's name.</summary>
    public string? Node { get; init; }

    /// <summary>The endpoint's IP addresses, from the pod's status or the port's fixed IPs.</summary>
    public EquatableArray<IPAddress> Ips { get; init; } = EquatableArray<IPAddress>.Empty;

    /// <summary>The first address of the family, or null.</summary>
    public IPAddress? FirstIp(bool ipv6) =>
        Ips.FirstOrDefault(ip => ip.AddressFamily == (ipv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork));

    /// <summary>The label, with the id in parentheses when they differ.</summary>
    public override string ToString() => Label == Id ? Label : $"{Label} ({Id})";
}
