using k8s.Models;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// The part of a Pod the loader keeps (unless <see cref="KubernetesLoadOptions.WholePods"/>): what the compiler,
/// explain and the Service translation read, and nothing else. A live pod is 3-12 KB of objects (containers with
/// their probes, env and resources, volumes, tolerations) of which these are some hundred bytes; kept whole, a
/// 100 MB dump held 243 MB of pods, and the garbage collector's promotion of them was most of the load's time.
/// </summary>
internal static class KeptPod
{
    /// <summary>
    /// A new Pod with <c>apiVersion</c>, <c>kind</c>, <c>metadata.name</c>, <c>.namespace</c> and <c>.labels</c>;
    /// <c>spec.hostNetwork</c>, <c>.nodeName</c> and each container's name and <c>ports</c> (name, protocol,
    /// containerPort); <c>status.phase</c>, <c>.podIP</c> and <c>.podIPs</c>. The same object graph reads the same
    /// through every reader of a pod (<see cref="PolicyReader"/>, explain's topology, Services).
    /// </summary>
    public static V1Pod Of(V1Pod pod)
    {
        var spec = pod.Spec;
        var status = pod.Status;
        return new V1Pod
        {
            ApiVersion = pod.ApiVersion,
            Kind = pod.Kind,
            Metadata = pod.Metadata is { } metadata
                ? new V1ObjectMeta { Name = metadata.Name, NamespaceProperty = metadata.NamespaceProperty, Labels = metadata.Labels }
                : null,
            Spec = spec is null
                ? null
                : new V1PodSpec
                {
                    HostNetwork = spec.HostNetwork,
                    NodeName = spec.NodeName,
                    Containers = spec.Containers is { } containers ? [.. containers.Select(Container)] : null,
                },
            Status = status is null
                ? null
                : new V1PodStatus
                {
                    Phase = status.Phase,
                    PodIP = status.PodIP,
                    PodIPs = status.PodIPs is { } ips ? [.. ips.Select(ip => ip is null ? null! : new V1PodIP { Ip = ip.Ip })] : null,
                },
        };
    }

    private static V1Container Container(V1Container container) => container is null
        ? null!
        : new V1Container
        {
            Name = container.Name,
            Ports = container.Ports is { } ports
                ? [.. ports.Select(p => p is null ? null! : new V1ContainerPort { Name = p.Name, Protocol = p.Protocol, ContainerPort = p.ContainerPort })]
                : null,
        };
}
