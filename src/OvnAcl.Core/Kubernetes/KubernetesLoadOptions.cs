namespace OvnAcl.Kubernetes;

/// <summary>How <see cref="KubernetesInputLoader"/> reads files, as kubectl would take them.</summary>
public sealed record KubernetesLoadOptions
{
    /// <summary>No namespace given; <c>-</c> reads the process's standard input.</summary>
    public static KubernetesLoadOptions Default { get; } = new();

    /// <summary>
    /// The namespace of NetworkPolicies and Pods that name none (<c>kubectl apply -n NS</c>); an object naming another
    /// is an error (OVNK0012). Null: such objects are in <c>default</c>, with a warning (OVNK0005).
    /// </summary>
    public string? Namespace { get; init; }

    /// <summary>What the path <c>-</c> reads (reported as <c>stdin</c>); null: the process's standard input.</summary>
    public TextReader? StandardInput { get; init; }

    /// <summary>
    /// Keep every field of each Pod in <see cref="KubernetesInput.Pods"/>. False (the default): only what OvnAcl reads of
    /// a pod (metadata name, namespace and labels; spec hostNetwork, nodeName and the containers' names and ports;
    /// status phase, podIP and podIPs), which is a few percent of a live pod's objects. Every check and diagnostic is
    /// made on the whole object either way.
    /// </summary>
    public bool WholePods { get; init; }

    /// <summary>
    /// JSON objects read straight by System.Text.Json where that gives what the careful way gives (the default); false:
    /// every JSON object the careful way, for the tests and benchmarks that compare the two.
    /// </summary>
    internal bool JsonFastPath { get; init; } = true;
}
