using System.Globalization;

namespace OvnAcl.Benchmarking;

/// <summary>
/// How the bench's synthetic clusters name and address pod <c>j</c> (churn, soak and enforce alike): namespaces
/// <c>ns-i</c>, pods <c>pod-j</c>, ports <c>NS_pod-j</c> as the compiler names them by default, and one address and MAC
/// per pod inside 10.128.0.0/9.
/// </summary>
internal static class SyntheticPods
{
    public static string Namespace(int i) => "ns-" + i.ToString(CultureInfo.InvariantCulture);

    public static string PodName(int pod) => "pod-" + pod.ToString(CultureInfo.InvariantCulture);

    /// <summary>As <see cref="Kubernetes.KubernetesCompileOptions.LogicalSwitchPortName"/> names it by default.</summary>
    public static string PortName(string ns, int pod) => ns + "_" + PodName(pod);

    public static string Address(int pod) => $"10.{128 + (pod >> 16)}.{(pod >> 8) & 255}.{pod & 255}";

    public static string Mac(int pod) => $"0a:58:0a:{128 + (pod >> 16):x2}:{(pod >> 8) & 255:x2}:{pod & 255:x2}";
}
