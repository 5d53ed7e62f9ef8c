using System.CommandLine;
using OvnAcl.Acl;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl explain --from A --to B --protocol P [--port N] (INPUT... | --db REMOTE)</c>: would this traffic pass the
/// ACLs of compiled input (offline) or of a live NB, which ACL decides and which policy rule it comes from;
/// <c>ovnacl explain --matrix INPUT...</c>: every ordered pair. The forms are chosen by <see cref="ExplainArguments"/>.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Kubernetes manifests or Neutron API JSON to compile and explain offline (instead of --db)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var from = new Option<string?>("--from") { Description = "Where the packet comes from: a logical switch port (--db); NAMESPACE/POD, node/NAME, a Neutron port id or name, or an IP, possibly outside (INPUT)" };
        var to = new Option<string?>("--to") { Description = "Where the packet goes: as --from, or a Service's VIP or service/NAMESPACE/NAME (decided for each backend after load balancing)" };
        var protocol = new Option<string>("--protocol", "-p") { Description = "tcp, udp, sctp or icmp", Required = true };
        var port = new Option<int?>("--port") { Description = "Destination port (tcp, udp, sctp)" };
        var ipv6 = new Option<bool>("--ipv6") { Description = "Use the ports' first IPv6 addresses instead of IPv4" };
        var reply = new Option<bool>("--reply") { Description = "Explain the reply (from --to back to --from) of the connection instead of its first packet" };
        var matrix = new Option<bool>("--matrix") { Description = "With INPUT only: whether each pod/port reaches each other one (rows = from, columns = to)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (schema in docs/explain.md)" };
        var ns = CompileCommand.NamespaceOption();
        var command = new Command("explain", "Say whether a packet from one logical port reaches another through the ACLs, which ACL decides and which policy rule it comes from");
        common.AddTo(command);
        command.Add(inputs);
        foreach (var option in new Option[] { from, to, protocol, port, ipv6, reply, matrix, json, ns })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var paths = result.GetValue(inputs) ?? [];
            var form = ExplainArguments.Choose(result.GetValue(common.Db) is not null, Environment.GetEnvironmentVariable("OVN_NB_DB") is not null,
                paths.Length, result.GetValue(matrix), result.GetValue(from) is not null, result.GetValue(to) is not null);
            var proto = AclPacketFactory.ParseProtocol(result.GetValue(protocol)!);
            var destinationPort = result.GetValue(port) switch
            {
                null when proto != AclProtocol.Icmp => throw new CliException($"--protocol {result.GetValue(protocol)} needs --port N"),
                not null when proto == AclProtocol.Icmp => throw new CliException("--port makes no sense with --protocol icmp"),
                null => (ushort?)null,
                var n and (< 0 or > 65535) => throw new CliException($"--port must be 0 to 65535, not {n}"),
                var n => (ushort)n.Value,
            };
            var traffic = result.GetValue(reply) ? AclTraffic.Reply : AclTraffic.NewConnection;
            var asJson = result.GetValue(json);
            if (form == ExplainForm.Live)
            {
                await ExplainLiveAsync(result, common, result.GetValue(from)!, result.GetValue(to)!, proto, destinationPort, result.GetValue(ipv6), traffic, asJson, ct).ConfigureAwait(false);
                return 0;
            }

            var topology = await LoadAsync(paths, result.GetValue(ns), ct).ConfigureAwait(false);
            if (form == ExplainForm.Matrix)
            {
                var grid = ReachabilityMatrix.Compute(topology, proto, destinationPort, result.GetValue(ipv6), traffic);
                Console.Write(asJson ? grid.ToJson() + Environment.NewLine : grid.ToText());
                return 0;
            }

            var explanation = topology.Explain(result.GetValue(from)!, result.GetValue(to)!, proto, destinationPort, result.GetValue(ipv6), traffic);
            Console.Write(asJson ? ExplainReport.ToJson(explanation, topology.Kind) + Environment.NewLine : ExplainReport.ToText(explanation));
            return 0;
        }));
        return command;
    }

    private static async Task<OfflineTopology> LoadAsync(string[] paths, string? ns, CancellationToken cancellationToken)
    {
        try
        {
            var options = OfflineTopologyOptions.Default with { KubernetesLoad = KubernetesLoadOptions.Default with { Namespace = ns } };
            var topology = await OfflineTopology.LoadAsync(paths, options, cancellationToken).ConfigureAwait(false);
            foreach (var warning in topology.Diagnostics)
            {
                await Console.Error.WriteLineAsync(warning.ToString()).ConfigureAwait(false);
            }

            return topology;
        }
        catch (OfflineTopologyException ex)
        {
            var errors = ex.Errors.ToList();
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
            }

            throw new CliException($"the input has {errors.Count} error(s); nothing to explain");
        }
    }

    private static async Task ExplainLiveAsync(ParseResult result, CommonOptions common, string source, string destination, AclProtocol proto,
        ushort? destinationPort, bool ipv6, AclTraffic traffic, bool json, CancellationToken cancellationToken)
    {
        await using var client = common.CreateClient(result, "OVN_Northbound", AclPolicyView.MonitoredTables);
        await client.StartAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var view = AclPolicyView.FromReplica(client.Replica);
        AclDecision decision;
        try
        {
            // A VIP (or service/NS/NAME) of a load balancer on the source's switch: every backend decided.
            if (traffic == AclTraffic.NewConnection && new AclDecisionEngine(view).TryDecideThroughLoadBalancer(source, destination, proto, destinationPort, ipv6) is { } balanced)
            {
                var lbRules = ExplainReport.RulesOf(view);
                Console.Write(json ? ExplainReport.ToJson(balanced, view.Diagnostics, lbRules) + Environment.NewLine : ExplainReport.ToText(balanced, lbRules));
                return;
            }

            var request = AclPacketFactory.Create(view, source, destination, proto, destinationPort, ipv6);
            decision = traffic == AclTraffic.Reply
                ? new AclDecisionEngine(view).Decide(destination, source, AclPacketFactory.Reverse(request), AclTraffic.Reply)
                : new AclDecisionEngine(view).Decide(source, destination, request);
        }
        catch (AclPolicyException ex)
        {
            throw new CliException(ex.Message);
        }

        var rules = ExplainReport.RulesOf(view);
        Console.Write(json ? ExplainReport.ToJson(decision, view.Diagnostics, rules) + Environment.NewLine : ExplainReport.ToText(decision, rules));
    }
}
