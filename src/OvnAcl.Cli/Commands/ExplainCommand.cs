using System.CommandLine;
using OvnAcl.Acl;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl explain --from A --to B --protocol P [--port N] (INPUT... | --db REMOTE)</c>: would this traffic pass the
/// ACLs of compiled input (offline) or of a live NB (<see cref="NorthboundExplainer"/>), which ACL decides and which
/// policy rule it comes from; <c>ovnacl explain --matrix INPUT...</c>: every ordered pair. The forms are chosen by
/// <see cref="ExplainArguments"/>.
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
        }.NoOptionLikePaths();
        var from = new Option<string?>("--from") { Description = "Where the packet comes from: a logical switch port or node/NAME (--db); NAMESPACE/POD, node/NAME, a Neutron port id or name, or an IP, possibly outside (INPUT)" };
        var to = new Option<string?>("--to") { Description = "Where the packet goes: as --from, or a Service's VIP or service/NAMESPACE/NAME (decided for each backend after load balancing)" };
        var protocol = new Option<AclProtocol>("--protocol", "-p")
        {
            Description = "tcp, udp, sctp or icmp",
            HelpName = "tcp|udp|sctp|icmp",
            Required = true,
            CustomParser = OptionParsers.Using(AclPacketFactory.ParseProtocol),
        };
        var port = new Option<ushort?>("--port")
        {
            Description = "Destination port (tcp, udp, sctp)",
            HelpName = "0-65535",
            CustomParser = OptionParsers.Using<ushort?>(text => int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n is >= 0 and <= ushort.MaxValue ? (ushort)n : throw new FormatException($"must be 0 to 65535, not {n}")
                : throw new FormatException($"takes a port number from 0 to 65535, not '{text}'")),
        };
        var ipv6 = new Option<bool>("--ipv6") { Description = "Use the ports' first IPv6 addresses instead of IPv4" };
        var reply = new Option<bool>("--reply") { Description = "Explain the reply (from --to back to --from) of the connection instead of its first packet" };
        var matrix = new Option<bool>("--matrix") { Description = "With INPUT only: whether each pod/port reaches each other one (rows = from, columns = to)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (schema in docs/explain.md)" };
        var ns = CompileCommand.NamespaceOption();
        var target = CompileCommand.TargetOption();
        var command = new Command("explain", "Say whether a packet from one logical port reaches another through the ACLs, which ACL decides and which policy rule it comes from");
        common.AddTo(command);
        command.Add(inputs);
        foreach (var option in new Option[] { from, to, protocol, port, ipv6, reply, matrix, json, ns, target })
        {
            command.Add(option);
        }

        command.Validators.Add(result =>
        {
            // Only once --protocol and --port parsed: their own errors say enough.
            if (result.GetResult(protocol) is not { Tokens.Count: > 0 } given || result.GetResult(port) is { } portGiven && portGiven.Errors.Any())
            {
                return;
            }

            AclProtocol proto;
            try
            {
                proto = AclPacketFactory.ParseProtocol(given.Tokens[^1].Value);
            }
            catch (ArgumentException)
            {
                return;
            }

            var hasPort = result.GetResult(port) is { Tokens.Count: > 0 };
            if (proto != AclProtocol.Icmp && !hasPort)
            {
                result.AddError($"--protocol {proto.ToString().ToLowerInvariant()} needs --port N");
            }
            else if (proto == AclProtocol.Icmp && hasPort)
            {
                result.AddError("--port makes no sense with --protocol icmp");
            }
        });

        command.SetAction((result, ct) => CommandRunner.RunAsync(result, async () =>
        {
            var paths = result.GetValue(inputs) ?? [];
            var form = ExplainArguments.Choose(result.GetValue(common.Db) is not null, Environment.GetEnvironmentVariable("OVN_NB_DB") is not null,
                paths.Length, result.GetValue(matrix), result.GetValue(from) is not null, result.GetValue(to) is not null);
            var proto = result.GetValue(protocol);
            var destinationPort = result.GetValue(port);
            var traffic = result.GetValue(reply) ? AclTraffic.Reply : AclTraffic.NewConnection;
            var asJson = result.GetValue(json);
            var output = CommandRunner.Output(result);
            if (form == ExplainForm.Live)
            {
                await using var client = common.CreateClient(result, "OVN_Northbound", NorthboundExplainer.MonitoredTables);
                await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
                var live = NorthboundExplainer.Explain(client.Replica, result.GetValue(from)!, result.GetValue(to)!, proto, destinationPort, result.GetValue(ipv6), traffic);
                await output.WriteAsync(asJson ? live.ToJson() + Environment.NewLine : live.ToText()).ConfigureAwait(false);
                return 0;
            }

            var topology = await LoadAsync(result, paths, result.GetValue(ns), CompileCommand.HasAclTiers(result.GetValue(target)!), ct).ConfigureAwait(false);
            if (form == ExplainForm.Matrix)
            {
                var grid = ReachabilityMatrix.Compute(topology, proto, destinationPort, result.GetValue(ipv6), traffic);
                await output.WriteAsync(asJson ? grid.ToJson() + Environment.NewLine : grid.ToText()).ConfigureAwait(false);
                return 0;
            }

            var explanation = topology.Explain(result.GetValue(from)!, result.GetValue(to)!, proto, destinationPort, result.GetValue(ipv6), traffic);
            await output.WriteAsync(asJson ? ExplainReport.ToJson(explanation, topology.Kind) + Environment.NewLine : ExplainReport.ToText(explanation)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static async Task<OfflineTopology> LoadAsync(ParseResult result, string[] paths, string? ns, bool aclTiers, CancellationToken cancellationToken)
    {
        var error = CommandRunner.Error(result);
        try
        {
            var options = OfflineTopologyOptions.Default with
            {
                Kubernetes = KubernetesCompileOptions.Default with { AclTiers = aclTiers },
                KubernetesLoad = KubernetesLoadOptions.Default with { Namespace = ns },
            };
            var topology = await OfflineTopology.LoadAsync(paths, options, cancellationToken).ConfigureAwait(false);
            foreach (var warning in topology.Diagnostics)
            {
                await error.WriteLineAsync(warning.ToString()).ConfigureAwait(false);
            }

            return topology;
        }
        catch (OfflineTopologyException ex)
        {
            var errors = ex.Errors.ToList();
            foreach (var diagnostic in errors)
            {
                await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            throw new CliException($"the input has {errors.Count} error(s); nothing to explain");
        }
    }
}
