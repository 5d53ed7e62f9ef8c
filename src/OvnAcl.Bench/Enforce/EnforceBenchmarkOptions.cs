namespace OvnAcl.Benchmarking;

/// <summary>How OvnAcl's rows and the ovn-kubernetes peer's are written for a shape.</summary>
internal enum EnforceFormulation
{
    /// <summary>OvnAcl's compiler (<see cref="Kubernetes.KubernetesCompiler"/>).</summary>
    OvnAcl,

    /// <summary><see cref="OvnKubernetesFormulation"/>: the rows ovn-kubernetes writes for the same policies.</summary>
    OvnKubernetes,
}

/// <summary>What <c>ovnacl bench enforce</c> measures: shapes × formulations on a sandbox of simulated hypervisors.</summary>
internal sealed record EnforceBenchmarkOptions
{
    public static EnforceBenchmarkOptions Default { get; } = new();

    /// <summary>Simulated hypervisors (<see cref="Sandbox.OvnChassisSandbox"/>), 1 to 250.</summary>
    public int Chassis { get; init; } = 5;

    /// <summary>Pods, one logical switch port each on one shared switch, spread round-robin over the chassis.</summary>
    public int Pods { get; init; } = 100;

    /// <summary>Change events measured per shape and formulation (a pod deleted, then created again; or a policy added, updated, deleted).</summary>
    public int Events { get; init; } = 20;

    /// <summary>
    /// Rounds over every shape, the formulations' order alternating; a sample pools its rounds' events. One sequential
    /// run on a noisy machine favours whichever formulation ran on the quieter moment.
    /// </summary>
    public int Rounds { get; init; } = 3;

    public IReadOnlyList<EnforceShape> Shapes { get; init; } = Enum.GetValues<EnforceShape>();

    public IReadOnlyList<EnforceFormulation> Formulations { get; init; } = [EnforceFormulation.OvnAcl, EnforceFormulation.OvnKubernetes];

    /// <summary>How long one <c>--wait=hv</c> may take.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Where progress lines go (null: nowhere).</summary>
    public TextWriter? Progress { get; init; }

    public static string Name(EnforceShape shape) => shape switch
    {
        EnforceShape.PodChurn => "pod-churn",
        EnforceShape.IpBlockExcept => "ipblock-except",
        EnforceShape.NamedPort => "named-port",
        EnforceShape.NamespaceSelector => "namespace-selector",
        EnforceShape.ClusterPolicy => "cluster-policy",
        _ => "policy-churn",
    };

    /// <summary>Whether <paramref name="formulation"/> can write <paramref name="shape"/> for OVN 23.03 (ovn-kubernetes' cluster policies need ACL tiers).</summary>
    public static bool Writes(EnforceFormulation formulation, EnforceShape shape) =>
        !(formulation == EnforceFormulation.OvnKubernetes && shape == EnforceShape.ClusterPolicy);

    public static string Name(EnforceFormulation formulation) => formulation switch
    {
        EnforceFormulation.OvnAcl => "ovnacl",
        _ => "ovn-kubernetes",
    };

    public static IReadOnlyList<EnforceShape> ParseShapes(string text) =>
        Parse(text, Enum.GetValues<EnforceShape>(), Name, string.Join(", ", Enum.GetValues<EnforceShape>().Select(Name)));

    public static IReadOnlyList<EnforceFormulation> ParseFormulations(string text) => Parse(text, Enum.GetValues<EnforceFormulation>(), Name, "ovnacl, ovn-kubernetes");

    private static List<T> Parse<T>(string text, T[] values, Func<T, string> name, string known)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            throw new FormatException($"takes {known}, comma-separated");
        }

        return [.. items.Select(item =>
        {
            var matching = values.Where(v => string.Equals(name(v), item, StringComparison.OrdinalIgnoreCase)).ToList();
            return matching.Count == 1 ? matching[0] : throw new FormatException($"takes {known}, not '{item}'");
        }).Distinct()];
    }
}
