using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Collections;

namespace OvnAcl.Kubernetes.Services;

/// <summary>
/// The <c>Load_Balancer</c> rows ovn-kubernetes writes for the input's Services, so that explain decides a connection to
/// a ClusterIP for the backends, as OVN does: one row per Service and protocol, named <c>Service_NS/NAME_PROTO_cluster</c>,
/// <c>vips</c> "CLUSTERIP:PORT" → "BACKEND:TARGETPORT,…" for each ClusterIP (each family), <c>options:reject=true</c>
/// and the <c>k8s.ovn.org/kind</c>/<c>owner</c> external_ids. Backends come from the Service's EndpointSlices
/// (<c>kubernetes.io/service-name</c>; endpoints with <c>conditions.ready: false</c> are not backends) when the input has
/// any for it; otherwise from its selector over the input's pods (running, with an IP, named <c>targetPort</c>s
/// resolved on each pod), as the EndpointSlice controller would make them.
/// </summary>
internal static class ServiceLoadBalancers
{
    /// <summary>The external_ids key ovn-kubernetes names the owner's kind with.</summary>
    public const string KindKey = "k8s.ovn.org/kind";

    /// <summary>The external_ids key ovn-kubernetes names the owning Service (<c>NAMESPACE/NAME</c>) with.</summary>
    public const string OwnerKey = "k8s.ovn.org/owner";

    public static (ImmutableArray<LoadBalancerRow> Rows, ImmutableArray<Diagnostic> Diagnostics) Build(KubernetesInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = ImmutableArray.CreateBuilder<LoadBalancerRow>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var pods = input.Pods.Select(p => p.Object).Where(p => p.Metadata?.Name is not null).ToList();
        foreach (var (service, source) in input.Services)
        {
            var ns = service.Metadata?.NamespaceProperty ?? "default";
            var name = service.Metadata?.Name ?? "";
            var key = ns + "/" + name;
            var where = "Service " + key;
            var spec = service.Spec ?? new V1ServiceSpec();
            if (spec.Type == "ExternalName")
            {
                diagnostics.Add(Diagnostic.Note(CompileDiagnosticCodes.ServiceWithoutVip,
                    "type ExternalName is a DNS alias, not a load balancer: ignored", new DiagnosticLocation(source, where, "spec.type")));
                continue;
            }

            var clusterIps = (spec.ClusterIPs is { Count: > 0 } ips ? ips : spec.ClusterIP is { } one ? [one] : []).ToList();
            if (clusterIps.Count == 0 || clusterIps.Any(ip => ip == "None"))
            {
                diagnostics.Add(Diagnostic.Note(CompileDiagnosticCodes.ServiceWithoutVip,
                    clusterIps.Count == 0 ? "no ClusterIP given: no VIP to explain through" : "headless (clusterIP: None): clients reach the pods directly, there is no VIP",
                    new DiagnosticLocation(source, where, "spec.clusterIP")));
                continue;
            }

            var vipAddresses = new List<IPAddress>();
            for (var i = 0; i < clusterIps.Count; i++)
            {
                if (IPAddress.TryParse(clusterIps[i], out var vip) && !clusterIps[i].Contains('/', StringComparison.Ordinal))
                {
                    vipAddresses.Add(vip);
                }
                else
                {
                    diagnostics.Add(Diagnostic.Error(CompileDiagnosticCodes.InvalidServiceAddress, $"'{clusterIps[i]}' is not an IP address",
                        new DiagnosticLocation(source, where, spec.ClusterIPs is { Count: > 0 } ? $"spec.clusterIPs[{i}]" : "spec.clusterIP")));
                }
            }

            var slices = input.EndpointSlices.Where(s => s.Object.Metadata?.NamespaceProperty == ns
                && s.Object.Metadata?.Labels?.TryGetValue("kubernetes.io/service-name", out var owner) == true && owner == name).ToList();
            var selected = slices.Count > 0 || spec.Selector is not { Count: > 0 } selector
                ? []
                : pods.Where(p => (p.Metadata.NamespaceProperty ?? "default") == ns && IsServing(p)
                    && selector.All(l => p.Metadata.Labels?.TryGetValue(l.Key, out var v) == true && v == l.Value)).ToList();
            var ports = spec.Ports ?? [];
            foreach (var protocol in ports.Select(p => Protocol(p.Protocol)).Distinct(StringComparer.Ordinal))
            {
                var vips = new List<KeyValuePair<string, string>>();
                for (var i = 0; i < ports.Count; i++)
                {
                    var port = ports[i];
                    if (Protocol(port.Protocol) != protocol)
                    {
                        continue;
                    }

                    var backends = slices.Count > 0
                        ? FromSlices(slices, port, protocol, diagnostics)
                        : FromPods(selected, port, protocol, $"spec.ports[{i}].targetPort", source, where, diagnostics);
                    foreach (var vip in vipAddresses)
                    {
                        var family = backends.Where(b => b.Address.AddressFamily == vip.AddressFamily).Distinct().Select(b => b.ToString());
                        vips.Add(new(new LoadBalancerAddress(vip, checked((ushort)port.Port)).ToString(), string.Join(',', family)));
                    }
                }

                rows.Add(new LoadBalancerRow($"Service_{key}_{protocol.ToUpperInvariant()}_cluster")
                {
                    Protocol = protocol,
                    Vips = new EquatableMap(vips.DistinctBy(v => v.Key)),
                    Options = new EquatableMap([new("reject", "true"), new("event", "false")]),
                    ExternalIds = new EquatableMap([new(KindKey, "Service"), new(OwnerKey, key)]),
                });
            }
        }

        return (rows.ToImmutable(), diagnostics.ToImmutable());
    }

    /// <summary>A pod that would be a ready endpoint: not finished or pending, with an IP, not on the host's network.</summary>
    private static bool IsServing(V1Pod pod) =>
        pod.Spec?.HostNetwork != true && pod.Status?.Phase is null or "Running"
        && (pod.Status?.PodIPs is { Count: > 0 } || pod.Status?.PodIP is not null);

    private static string Protocol(string? protocol) => (protocol ?? "TCP").ToLowerInvariant();

    private static List<LoadBalancerAddress> FromSlices(List<SourcedObject<V1EndpointSlice>> slices, V1ServicePort port, string protocol, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var backends = new List<LoadBalancerAddress>();
        foreach (var (slice, source) in slices)
        {
            // A slice's port carries the Service port's name and the number its targetPort resolved to.
            var match = (slice.Ports ?? []).FirstOrDefault(p => (p.Name ?? "") == (port.Name ?? "") && Protocol(p.Protocol) == protocol);
            if (match?.Port is not { } number || number is < 1 or > 65535)
            {
                continue;
            }

            var endpoints = slice.Endpoints ?? [];
            for (var e = 0; e < endpoints.Count; e++)
            {
                // ready: null means unknown, which consumers are to read as ready (discovery.k8s.io/v1 EndpointConditions).
                if (endpoints[e].Conditions?.Ready == false)
                {
                    continue;
                }

                var addresses = endpoints[e].Addresses ?? [];
                for (var a = 0; a < addresses.Count; a++)
                {
                    if (IPAddress.TryParse(addresses[a], out var ip) && !addresses[a].Contains('/', StringComparison.Ordinal))
                    {
                        backends.Add(new LoadBalancerAddress(ip, (ushort)number));
                    }
                    else if (slice.AddressType is "IPv4" or "IPv6")
                    {
                        diagnostics.Add(Diagnostic.Error(CompileDiagnosticCodes.InvalidServiceAddress, $"'{addresses[a]}' is not an {slice.AddressType} address",
                            new DiagnosticLocation(source, $"EndpointSlice {slice.Metadata?.NamespaceProperty}/{slice.Metadata?.Name}", $"endpoints[{e}].addresses[{a}]")));
                    }
                }
            }
        }

        return backends;
    }

    private static List<LoadBalancerAddress> FromPods(List<V1Pod> pods, V1ServicePort port, string protocol, string field, ObjectSource? source, string where,
        ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var backends = new List<LoadBalancerAddress>();
        foreach (var pod in pods)
        {
            int? number = port.TargetPort?.Value switch
            {
                null or "" => port.Port,
                var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                var portName => (pod.Spec?.Containers ?? []).SelectMany(c => c.Ports ?? [])
                    .FirstOrDefault(p => p.Name == portName && Protocol(p.Protocol) == protocol)?.ContainerPort,
            };
            if (number is not { } resolved || resolved is < 1 or > 65535)
            {
                diagnostics.Add(Diagnostic.Warning(CompileDiagnosticCodes.UnresolvedTargetPort,
                    $"pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has no {protocol.ToUpperInvariant()} container port named '{port.TargetPort?.Value}': it is no backend of port {port.Port}",
                    new DiagnosticLocation(source, where, field)));
                continue;
            }

            var ips = pod.Status?.PodIPs is { Count: > 0 } podIps ? podIps.Select(p => p.Ip) : [pod.Status!.PodIP];
            foreach (var text in ips)
            {
                if (IPAddress.TryParse(text, out var ip) && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                {
                    backends.Add(new LoadBalancerAddress(ip, (ushort)resolved));
                }
            }
        }

        return backends;
    }
}
