using System.Globalization;
using System.Text;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>One protocol and destination port traced between every ordered pair of pods.</summary>
internal sealed record Probe(string Protocol, int Port, bool Ipv6 = false)
{
    public override string ToString() => $"{Protocol}/{Port}{(Ipv6 ? " IPv6" : "")}";
}

/// <summary>
/// The pods of a <see cref="PodCluster"/> as ports of one logical switch in a real NB, compiled rows written with the
/// nbctl script the CLI prints, and ovn-trace (two <c>--ct=new</c>, one per conntrack pass) deciding each pair.
/// </summary>
internal sealed class OvnPodNetwork(OvnSandbox sandbox, string scratchDirectory)
{
    private const int TraceParallelism = 3;
    private NorthboundRows? _applied;
    private int _scripts;

    public int Traces { get; private set; }

    /// <summary>Creates the switch and one LSP per pod (MAC + IPs as addresses and port security), as ovn-kubernetes does.</summary>
    public async Task CreatePortsAsync(PodCluster cluster)
    {
        await sandbox.ResetAsync();
        _applied = null;
        var args = new List<string> { "ls-add", PodCluster.Switch };
        foreach (var pod in cluster.Pods)
        {
            var lsp = PodCluster.Lsp(pod);
            var addresses = PodCluster.Addresses(pod);
            args.AddRange(["--", "lsp-add", PodCluster.Switch, lsp, "--", "lsp-set-addresses", lsp, addresses, "--", "lsp-set-port-security", lsp, addresses]);
        }

        await sandbox.RunNbctlAsync(args);
    }

    /// <summary>Deletes the rows applied before (port groups, their ACLs with them, address sets), writes these, waits for northd.</summary>
    public async Task ApplyAsync(NorthboundRows rows)
    {
        if (_applied is { } old && (old.PortGroups.Count > 0 || old.AddressSets.Count > 0))
        {
            var args = new List<string>();
            foreach (var group in old.PortGroups)
            {
                args.AddRange(["--", "pg-del", group.Name]);
            }

            foreach (var set in old.AddressSets)
            {
                args.AddRange(["--", "destroy", "Address_Set", set.Name]);
            }

            await sandbox.RunNbctlAsync(args[1..]);
        }

        if (rows.PortGroups.Count > 0 || rows.AddressSets.Count > 0)
        {
            var script = Path.Combine(scratchDirectory, $"rows-{_scripts++}.sh");
            await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
            await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.NbRemote]);
        }

        _applied = rows;
        await sandbox.WaitForNorthdSyncAsync();
    }

    public Task SyncAsync() => sandbox.WaitForNorthdSyncAsync();

    public static string Microflow(V1Pod src, V1Pod dst, Probe probe)
    {
        var family = probe.Ipv6 ? "ip6" : "ip4";
        var proto = probe.Protocol.ToLowerInvariant();
        var flow = new StringBuilder();
        flow.Append(CultureInfo.InvariantCulture, $"inport == \"{PodCluster.Lsp(src)}\" && eth.src == {PodCluster.Mac(PodCluster.IndexOf(src))} && eth.dst == {PodCluster.Mac(PodCluster.IndexOf(dst))}");
        flow.Append(CultureInfo.InvariantCulture, $" && {family}.src == {PolicyReferenceModel.PodIp(src, probe.Ipv6)} && {family}.dst == {PolicyReferenceModel.PodIp(dst, probe.Ipv6)} && ip.ttl == 64");
        flow.Append(CultureInfo.InvariantCulture, $" && {proto} && {proto}.src == 40000 && {proto}.dst == {probe.Port}");
        return flow.ToString();
    }

    public Task<(bool Delivered, string Trace)> TraceAsync(V1Pod src, V1Pod dst, Probe probe, bool detailed = false) =>
        sandbox.TraceNewConnectionAsync(PodCluster.Switch, Microflow(src, dst, probe), PodCluster.Lsp(dst), detailed);

    /// <summary>ovn-trace's verdict for each pair, a few traces at a time.</summary>
    public async Task<Dictionary<(string Src, string Dst), bool>> TraceAllAsync(IEnumerable<(V1Pod Src, V1Pod Dst)> pairs, Probe probe)
    {
        using var gate = new SemaphoreSlim(TraceParallelism);
        var tasks = pairs.Select(async pair =>
        {
            await gate.WaitAsync();
            try
            {
                var (allowed, _) = await TraceAsync(pair.Src, pair.Dst, probe);
                return (Key: (PodCluster.Key(pair.Src), PodCluster.Key(pair.Dst)), allowed);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(tasks);
        Traces += results.Length;
        return results.ToDictionary(r => r.Key, r => r.allowed);
    }

    /// <summary>The cluster's switch as the decision engine reads it: one LSP per pod, addresses and port security as created here.</summary>
    public static LogicalSwitchRow SwitchRow(PodCluster cluster) => new(PodCluster.Switch)
    {
        Ports = cluster.Pods.Select(p => new LogicalSwitchPortRow(PodCluster.Lsp(p)) { Addresses = [PodCluster.Addresses(p)], PortSecurity = [PodCluster.Addresses(p)] }).ToArray(),
    };

    /// <summary>Who reaches whom: rows send, columns receive, ✓ delivered, X dropped.</summary>
    public static string Matrix(PodCluster cluster, Dictionary<(string, string), bool> verdicts)
    {
        var keys = cluster.Pods.Select(PodCluster.Key).ToList();
        var text = new StringBuilder("      " + string.Join(' ', keys.Select(k => k.Replace("/", "", StringComparison.Ordinal))) + "\n");
        foreach (var src in keys)
        {
            text.Append(CultureInfo.InvariantCulture, $"{src,-5} ");
            text.AppendLine(string.Join("  ", keys.Select(dst => src == dst ? " ." : verdicts[(src, dst)] ? " ✓" : " X")));
        }

        return text.ToString();
    }

    public static IEnumerable<(V1Pod Src, V1Pod Dst)> AllPairs(PodCluster cluster) =>
        from src in cluster.Pods from dst in cluster.Pods where !ReferenceEquals(src, dst) select (src, dst);
}
