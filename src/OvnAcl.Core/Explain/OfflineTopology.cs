using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using OvnAcl.Acl;
using OvnAcl.Collections;
using OvnAcl.Kubernetes;
using OvnAcl.Match;
using OvnAcl.Kubernetes.Services;
using OvnAcl.Neutron;
using OvnAcl.Northbound;

namespace OvnAcl.Explain;

/// <summary>How <see cref="OfflineTopology"/> compiles its input and names its switches.</summary>
public sealed record OfflineTopologyOptions
{
    /// <summary>The compilers' defaults.</summary>
    public static OfflineTopologyOptions Default { get; } = new();

    /// <summary>How Kubernetes input is compiled for the topology; the same options as <c>ovnacl compile</c> must be used for the same answer.</summary>
    public KubernetesCompileOptions Kubernetes { get; init; } = KubernetesCompileOptions.Default;

    /// <summary>How Neutron input is translated for the topology.</summary>
    public NeutronTranslationOptions Neutron { get; init; } = NeutronTranslationOptions.Default;

    /// <summary>How Kubernetes files are read (<c>-n</c>, <c>-</c>), as for <see cref="PolicyCompileOptions.KubernetesLoad"/>.</summary>
    public KubernetesLoadOptions KubernetesLoad { get; init; } = KubernetesLoadOptions.Default;

    /// <summary>The one logical switch that holds every pod's port.</summary>
    public string KubernetesSwitch { get; init; } = "ovnacl-pods";
}

/// <summary>The inputs could not be compiled, so there is nothing to explain; <see cref="AclCompileException.Diagnostics"/> says why.</summary>
public sealed class OfflineTopologyException : AclCompileException
{
    /// <summary>The input could not be compiled into a topology; <paramref name="diagnostics"/> say why.</summary>
    public OfflineTopologyException(ImmutableArray<Diagnostic> diagnostics)
        : base(Describe(diagnostics), diagnostics)
    {
    }

    private static string Describe(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToList();
        return $"the input has {errors.Count} error(s); nothing to explain:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors);
    }
}

/// <summary>
/// Compiled policy rows placed on the logical switches the objects they name would be on, so
/// <see cref="AclDecisionEngine"/> can answer offline: Kubernetes pods on one switch (a port per pod with an IP,
/// addresses <c>"MAC IP..."</c>, the MAC derived from the port's name); Neutron ports on one switch per network,
/// <c>neutron-&lt;network_id&gt;</c> as ML2/OVN names it (the port's <c>mac_address</c> and fixed IPs). An address
/// outside the topology is a logical switch port of type <c>router</c> added next to the other end (docs/explain.md).
/// </summary>
public sealed partial class OfflineTopology
{
    /// <summary>The name of the router port that stands for an address outside the topology.</summary>
    public const string ExternalPortName = "external-router";

    private readonly Dictionary<string, string> _unplaced;

    /// <summary>
    /// The tiered rows (OVN 23.06+ form) of the same input, when the topology's rows are flattened and a cluster policy
    /// has a Pass rule: the flattened rows compile Pass away, so these name the Pass rules a packet went through.
    /// Compiled on the first explanation that needs them (a matrix never does).
    /// </summary>
    private readonly Lazy<NorthboundRows?> _tieredRows;

    private OfflineTopology(PolicyInputKind kind, NorthboundRows rows, ImmutableArray<OfflineEndpoint> endpoints,
        Dictionary<string, string> unplaced, ImmutableArray<Diagnostic> diagnostics, IReadOnlyDictionary<string, string> securityGroupNames,
        ImmutableArray<LoadBalancerRow> loadBalancers = default, IReadOnlyDictionary<string, string>? servicesWithoutVip = null, Func<NorthboundRows?>? tieredRows = null)
    {
        _tieredRows = new(tieredRows ?? (() => null));
        LoadBalancers = loadBalancers.IsDefault ? [] : loadBalancers;
        ServicesWithoutVip = servicesWithoutVip ?? new Dictionary<string, string>(StringComparer.Ordinal);
        Kind = kind;
        Rows = rows;
        Endpoints = endpoints;
        _unplaced = unplaced;
        Diagnostics = diagnostics;
        SecurityGroupNames = securityGroupNames;
        Switches = [.. endpoints.Select(e => e.Switch).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        View = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, SwitchRows(endpoints)));
    }

    /// <summary>
    /// The load balancers standing for the input's Services, as ovn-kubernetes writes them (one per Service and protocol,
    /// docs/explain.md), applied by the pods' switch.
    /// </summary>
    public ImmutableArray<LoadBalancerRow> LoadBalancers { get; }

    /// <summary>Services of the input without a load balancer (headless, ExternalName, no ClusterIP), by <c>namespace/name</c>, with why.</summary>
    public IReadOnlyDictionary<string, string> ServicesWithoutVip { get; }

    /// <summary>Which kind of input the topology was built from.</summary>
    public PolicyInputKind Kind { get; }

    /// <summary>The compiler's rows.</summary>
    public NorthboundRows Rows { get; }

    /// <summary>Every pod or Neutron port that has a logical switch port, in input order.</summary>
    public ImmutableArray<OfflineEndpoint> Endpoints { get; }

    /// <summary>Logical switch names, sorted.</summary>
    public ImmutableArray<string> Switches { get; }

    /// <summary>Objects without a logical switch port (pods without an IP, host-network or finished pods): id and why.</summary>
    public IReadOnlyDictionary<string, string> Unplaced => _unplaced;

    /// <summary>The compiler's warnings.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>Neutron security group names by id (empty for Kubernetes).</summary>
    public IReadOnlyDictionary<string, string> SecurityGroupNames { get; }

    /// <summary>The rows on the topology's switches, without external endpoints.</summary>
    public AclPolicyView View { get; }

    /// <summary>Loads and compiles <paramref name="paths"/> with <see cref="PolicyCompiler.CompileAsync"/> and places the objects.</summary>
    /// <exception cref="OfflineTopologyException">The input has errors.</exception>
    public static async Task<OfflineTopology> LoadAsync(IReadOnlyList<string> paths, OfflineTopologyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= OfflineTopologyOptions.Default;
        var compilation = await PolicyCompiler.CompileAsync(paths, new PolicyCompileOptions { Kubernetes = options.Kubernetes, Neutron = options.Neutron, KubernetesLoad = options.KubernetesLoad },
            cancellationToken).ConfigureAwait(false);
        return FromCompilation(compilation, options);
    }

    /// <exception cref="OfflineTopologyException">The input has errors.</exception>
    public static OfflineTopology FromKubernetes(KubernetesInput input, OfflineTopologyOptions? options = null)
    {
        options ??= OfflineTopologyOptions.Default;
        return FromCompilation(PolicyCompiler.Compile(input, options.Kubernetes), options);
    }

    /// <exception cref="OfflineTopologyException">The input has errors.</exception>
    public static OfflineTopology FromNeutron(NeutronInput input, OfflineTopologyOptions? options = null)
    {
        options ??= OfflineTopologyOptions.Default;
        return FromCompilation(PolicyCompiler.Compile(input, options.Neutron), options);
    }

    /// <summary>The objects of a compilation placed on their switches.</summary>
    /// <exception cref="OfflineTopologyException">The compilation has errors.</exception>
    public static OfflineTopology FromCompilation(PolicyCompilation compilation, OfflineTopologyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(compilation);
        options ??= OfflineTopologyOptions.Default;
        if (compilation.Rows is not { } rows)
        {
            throw new OfflineTopologyException(compilation.Diagnostics);
        }

        return compilation.Kind == PolicyInputKind.Kubernetes
            ? PlaceKubernetes(compilation.KubernetesInput!, rows, compilation.Diagnostics, options)
            : PlaceNeutron(compilation.NeutronInput!, rows, compilation.Diagnostics, options);
    }

    private static OfflineTopology PlaceKubernetes(KubernetesInput input, NorthboundRows rows, ImmutableArray<Diagnostic> diagnostics, OfflineTopologyOptions options)
    {

        var endpoints = new List<OfflineEndpoint>();
        var unplaced = new Dictionary<string, string>(StringComparer.Ordinal);
        var pods = input.Pods.Select(p => p.Object).Where(p => p.Metadata?.Name is not null).ToList();
        var ambiguousNames = pods.GroupBy(p => p.Metadata.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var ns = pod.Metadata.NamespaceProperty ?? "default";
            var id = ns + "/" + pod.Metadata.Name;
            if (pod.Spec?.HostNetwork == true)
            {
                unplaced[id] = "it uses the host's network (spec.hostNetwork), so it has no logical switch port";
                continue;
            }

            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                unplaced[id] = $"it has finished (status.phase {pod.Status.Phase}) and holds no IP";
                continue;
            }

            var texts = pod.Status?.PodIPs is { Count: > 0 } podIps ? podIps.Select(p => p.Ip) : pod.Status?.PodIP is { } single ? [single] : [];
            var ips = texts.Select(t => IPAddress.TryParse(t, out var ip) ? ip : null).OfType<IPAddress>().Distinct().ToList();
            if (ips.Count == 0)
            {
                unplaced[id] = "it has no IP (status.podIPs and status.podIP are empty), so no logical switch port address";
                continue;
            }

            var port = options.Kubernetes.LogicalSwitchPortName(ns, pod.Metadata.Name);
            var mac = MacFor(port);
            var addresses = string.Join(' ', [mac, .. ips.Select(ip => ip.ToString())]);
            endpoints.Add(new OfflineEndpoint
            {
                Label = ambiguousNames.Contains(pod.Metadata.Name) ? id : pod.Metadata.Name,
                Id = id,
                Kind = OfflineEndpointKind.Pod,
                Port = port,
                Switch = options.KubernetesSwitch,
                Addresses = [addresses],
                PortSecurity = [addresses],
                Mac = mac,
                Ips = ips.ToEquatableArray(),
            });
        }

        var (loadBalancers, serviceDiagnostics) = ServiceLoadBalancers.Build(input);
        diagnostics = diagnostics.AddRange(serviceDiagnostics);
        if (serviceDiagnostics.Any(d => d.IsError))
        {
            throw new OfflineTopologyException(diagnostics);
        }

        var withoutVip = serviceDiagnostics.Where(d => d.Code == CompileDiagnosticCodes.ServiceWithoutVip && d.Location.Object is not null)
            .GroupBy(d => d.Location.Object!["Service ".Length..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Message, StringComparer.Ordinal);
        return new(PolicyInputKind.Kubernetes, rows, [.. endpoints], unplaced, diagnostics, new Dictionary<string, string>(StringComparer.Ordinal),
            loadBalancers, withoutVip, () => TieredRowsForPasses(input, options.Kubernetes));
    }

    private static OfflineTopology PlaceNeutron(NeutronInput input, NorthboundRows rows, ImmutableArray<Diagnostic> diagnostics, OfflineTopologyOptions options)
    {

        var endpoints = new List<OfflineEndpoint>();
        var unplaced = new Dictionary<string, string>(StringComparer.Ordinal);
        static string? NameOf(NeutronPort port) => string.IsNullOrEmpty(port.Name) ? null : port.Name;
        var named = input.Ports.Select(NameOf).OfType<string>().GroupBy(n => n, StringComparer.Ordinal)
            .Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var port in input.Ports)
        {
            var ips = port.FixedIps.Select(f => IPAddress.TryParse(f.IpAddress, out var ip) ? ip : null).OfType<IPAddress>().ToList();
            if (port.MacAddress is not { } mac || ips.Count == 0)
            {
                unplaced[port.Id] = port.MacAddress is null ? "it has no mac_address" : "it has no fixed IP";
                continue;
            }

            var addresses = string.Join(' ', [mac, .. ips.Select(ip => ip.ToString())]);
            var trusted = port.DeviceOwner?.StartsWith("network:", StringComparison.Ordinal) == true;
            var security = port.PortSecurityEnabled != false && !trusted;
            endpoints.Add(new OfflineEndpoint
            {
                Label = NameOf(port) is { } name && named.Contains(name) ? name : port.Id.Length > 8 ? port.Id[..8] : port.Id,
                Id = port.Id,
                Kind = OfflineEndpointKind.NeutronPort,
                Port = port.Id,
                Switch = "neutron-" + (port.NetworkId ?? "unknown"),

                // ML2/OVN: a port without port security also gets "unknown" (it may send from any address).
                Addresses = security ? [addresses] : [addresses, "unknown"],
                PortSecurity = security ? PortSecurityOf(port, addresses) : EquatableArray<string>.Empty,
                Mac = mac,
                Ips = ips.ToEquatableArray(),
            });
        }

        var names = input.SecurityGroups.Where(g => g.Name is not null).GroupBy(g => g.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name!, StringComparer.Ordinal);
        return new(PolicyInputKind.Neutron, rows, [.. endpoints], unplaced, diagnostics, names);
    }

    /// <summary>
    /// The endpoint <paramref name="text"/> names: <c>namespace/pod</c>, a Neutron port id or (unique) name, a
    /// logical switch port name, or one of their IPs. Null for an IP that is no endpoint's: the caller places it
    /// outside (<see cref="External"/>).
    /// </summary>
    /// <exception cref="OvnAclException">Nothing of that name, or an object without a logical switch port.</exception>
    public OfflineEndpoint? Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out var ip) && text.Contains(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? '.' : ':', StringComparison.Ordinal))
        {
            return Endpoints.FirstOrDefault(e => e.Ips.Contains(ip));
        }

        var found = Endpoints.FirstOrDefault(e => e.Id == text || e.Port == text)
            ?? Endpoints.SingleOrDefault(e => e.Label == text && e.Kind == OfflineEndpointKind.NeutronPort);
        if (found is not null)
        {
            return found;
        }

        if (_unplaced.TryGetValue(text, out var why))
        {
            throw new OvnAclException($"{What} '{text}' has no logical switch port: {why}");
        }

        if (Kind == PolicyInputKind.Kubernetes && !text.Contains('/', StringComparison.Ordinal))
        {
            var same = Endpoints.Where(e => e.Kind == OfflineEndpointKind.Pod && e.Id.EndsWith("/" + text, StringComparison.Ordinal)).Select(e => e.Id).ToList();
            if (same.Count > 1)
            {
                throw new OvnAclException(
                    $"pod name '{text}' is ambiguous: namespaces {string.Join(", ", same.Select(id => id[..id.IndexOf('/', StringComparison.Ordinal)]))} have it; use one of {string.Join(", ", same)}");
            }
        }

        var known = string.Join(", ", Endpoints.Take(12).Select(e => e.Kind == OfflineEndpointKind.NeutronPort ? e.ToString() : e.Id));
        throw new OvnAclException(Kind == PolicyInputKind.Kubernetes
            ? $"no pod '{text}' in the input: use NAMESPACE/POD or an IP (pods: {known})"
            : $"no Neutron port '{text}' in the input: use a port id, a port name or an IP (ports: {known})");
    }

    /// <summary>The router port standing for <paramref name="address"/> outside the topology, on <paramref name="switchName"/>.</summary>
    public static OfflineEndpoint External(IPAddress address, string switchName)
    {
        ArgumentNullException.ThrowIfNull(address);
        var mac = MacFor(ExternalPortName);
        return new OfflineEndpoint
        {
            Label = address.ToString(),
            Id = address.ToString(),
            Kind = OfflineEndpointKind.External,
            Port = ExternalPortName,
            Switch = switchName,
            Type = "router",
            Addresses = [$"{mac} {address}"],
            Mac = mac,
            Ips = [address],
        };
    }

    /// <summary>The rows of <paramref name="input"/> in ACL tiers, when they differ from the flattened ones by a <c>pass</c> ACL.</summary>
    private static NorthboundRows? TieredRowsForPasses(KubernetesInput input, KubernetesCompileOptions options) =>
        options.AclTiers || input.ClusterPolicies.IsEmpty
            ? null
            : PolicyCompiler.Compile(input, options with { AclTiers = true }).Rows is { } tiered && tiered.PortGroups.Any(g => g.Acls.Any(a => a.Action == "pass"))
                ? tiered
                : null;

    /// <summary>
    /// The Pass rules <paramref name="decision"/>'s packet went through: the decision's own <c>pass</c> ACLs, or, for
    /// flattened rows, those of the same packet decided on the tiered rows. Were the two verdicts to differ (a compiler
    /// defect the property tests look for), no pass is named and the decision carries a warning saying so.
    /// </summary>
    private (AclDecision Decision, EquatableArray<PassedRule> Passes) WithPasses(AclDecision decision, IReadOnlyCollection<OfflineEndpoint> externals,
        string from, string to, Packet request, AclTraffic traffic) =>
        WithPasses(decision, externals, engine => Decide(engine, from, to, request, traffic));

    /// <summary>
    /// As <see cref="WithPasses(AclDecision, IReadOnlyCollection{OfflineEndpoint}, string, string, Packet, AclTraffic)"/>,
    /// <paramref name="decide"/> deciding the same packet (directly, or for one backend through a load balancer) on an
    /// engine over the tiered rows; null from it: no such decision there, no pass named.
    /// </summary>
    private (AclDecision Decision, EquatableArray<PassedRule> Passes) WithPasses(AclDecision decision, IReadOnlyCollection<OfflineEndpoint> externals,
        Func<AclDecisionEngine, AclDecision?> decide)
    {
        if (_tieredRows.Value is not { } tieredRows)
        {
            return (decision, ExplainReport.PassedRules(decision, RuleOf));
        }

        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(tieredRows, SwitchRows([.. Endpoints, .. externals])));
        if (decide(new AclDecisionEngine(view)) is not { } tiered)
        {
            return (decision, []);
        }

        return tiered.Verdict == decision.Verdict
            ? (decision, ExplainReport.PassedRules(tiered, RuleOf))
            : (decision with { Warnings = [.. decision.Warnings, $"the tiered rows of this input (OVN 23.06+) decide {AclText.Format(tiered.Verdict)}, these rows {AclText.Format(decision.Verdict)}: please report this compiler defect"] }, []);
    }

    /// <summary>The view of the rows with <paramref name="extra"/> ports (external endpoints) added to their switches.</summary>
    public AclPolicyView ViewWith(IReadOnlyCollection<OfflineEndpoint> extra)
    {
        ArgumentNullException.ThrowIfNull(extra);
        return extra.Count == 0 ? View : AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(Rows, SwitchRows([.. Endpoints, .. extra])));
    }

    /// <summary>The port group rows' external_ids by name (to read a Neutron ACL's security group).</summary>
    internal EquatableMap? PortGroupExternalIds(AclView acl) =>
        acl.Owner.Kind == AclOwnerKind.PortGroup ? Rows.PortGroups.FirstOrDefault(g => g.Name == acl.Owner.Name)?.ExternalIds : null;

    /// <summary>The policy and rule of <paramref name="acl"/>.</summary>
    public AclRuleSource RuleOf(AclView acl) => AclRuleSource.Of(acl, PortGroupExternalIds(acl), SecurityGroupNames);

    /// <summary>
    /// ML2/OVN's port_security: the port's entry with the allowed address pairs of its own MAC added, then one entry per
    /// other MAC. Two entries with the same MAC would make OVN drop the port's traffic (its port-security flows clash).
    /// </summary>
    private static EquatableArray<string> PortSecurityOf(NeutronPort port, string addresses)
    {
        var mac = port.MacAddress!;
        var pairs = port.AllowedAddressPairs.GroupBy(p => p.MacAddress ?? mac, StringComparer.OrdinalIgnoreCase).ToList();
        var own = pairs.Where(g => string.Equals(g.Key, mac, StringComparison.OrdinalIgnoreCase)).SelectMany(g => g.Select(p => p.IpAddress));
        return [string.Join(' ', [addresses, .. own]),
            .. pairs.Where(g => !string.Equals(g.Key, mac, StringComparison.OrdinalIgnoreCase)).Select(g => string.Join(' ', [g.Key, .. g.Select(p => p.IpAddress)]))];
    }

    /// <summary>
    /// A locally administered unicast MAC from the first bytes of the SHA-256 of <paramref name="portName"/>:
    /// <c>0a:xx:xx:xx:xx:xx</c>, the same on every run, so a real NB can be given the same ports.
    /// </summary>
    public static string MacFor(string portName)
    {
        ArgumentNullException.ThrowIfNull(portName);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(portName));
        return string.Create(CultureInfo.InvariantCulture, $"0a:{hash[0]:x2}:{hash[1]:x2}:{hash[2]:x2}:{hash[3]:x2}:{hash[4]:x2}");
    }

    private string What => Kind == PolicyInputKind.Kubernetes ? "pod" : "Neutron port";

    private IEnumerable<LogicalSwitchRow> SwitchRows(IEnumerable<OfflineEndpoint> endpoints) =>
        endpoints.GroupBy(e => e.Switch, StringComparer.Ordinal).Select(g => new LogicalSwitchRow(g.Key)
        {
            Ports = g.Select(e => new LogicalSwitchPortRow(e.Port) { Type = e.Type, Addresses = e.Addresses, PortSecurity = e.PortSecurity }).ToEquatableArray(),
            LoadBalancers = Kind == PolicyInputKind.Kubernetes ? LoadBalancers : EquatableArray<LoadBalancerRow>.Empty,
        });
}
