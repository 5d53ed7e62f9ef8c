using System.CommandLine;
using OvnAcl.Acl;

namespace OvnAcl.Cli.Commands;

/// <summary><c>ovnacl explain --db REMOTE --from LSP --to LSP --protocol P [--port N]</c>: would this traffic pass the live NB's ACLs, and why.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var from = new Option<string>("--from") { Description = "Logical switch port the packet comes from", Required = true };
        var to = new Option<string>("--to") { Description = "Logical switch port the packet goes to", Required = true };
        var protocol = new Option<string>("--protocol", "-p") { Description = "tcp, udp, sctp or icmp", Required = true };
        var port = new Option<int?>("--port") { Description = "Destination port (tcp, udp, sctp)" };
        var ipv6 = new Option<bool>("--ipv6") { Description = "Use the ports' first IPv6 addresses instead of IPv4" };
        var reply = new Option<bool>("--reply") { Description = "Explain the reply (from --to back to --from) of the connection instead of its first packet" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (schema in docs/explain.md)" };
        var command = new Command("explain", "Say whether a packet from one logical port reaches another through the NB's ACLs, and which ACL decides");
        common.AddTo(command);
        foreach (var option in new Option[] { from, to, protocol, port, ipv6, reply, json })
        {
            command.Add(option);
        }

        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            var proto = AclPacketFactory.ParseProtocol(result.GetValue(protocol)!);
            var destinationPort = result.GetValue(port) switch
            {
                null when proto != AclProtocol.Icmp => throw new CliException($"--protocol {result.GetValue(protocol)} needs --port N"),
                not null when proto == AclProtocol.Icmp => throw new CliException("--port makes no sense with --protocol icmp"),
                null => (ushort?)null,
                var n and (< 0 or > 65535) => throw new CliException($"--port must be 0 to 65535, not {n}"),
                var n => (ushort)n.Value,
            };

            await using var client = common.CreateClient(result, "OVN_Northbound", AclPolicyView.MonitoredTables);
            await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var view = AclPolicyView.FromReplica(client.Replica);
            AclDecision decision;
            try
            {
                var (source, destination) = (result.GetValue(from)!, result.GetValue(to)!);
                var isReply = result.GetValue(reply);
                var request = AclPacketFactory.Create(view, source, destination, proto, destinationPort, result.GetValue(ipv6));
                decision = isReply
                    ? new AclDecisionEngine(view).Decide(destination, source, AclPacketFactory.Reverse(request), AclTraffic.Reply)
                    : new AclDecisionEngine(view).Decide(source, destination, request);
            }
            catch (AclPolicyException ex)
            {
                throw new CliException(ex.Message);
            }

            Console.Write(result.GetValue(json) ? AclDecisionReport.ToJson(decision, view.Diagnostics) + Environment.NewLine : AclDecisionReport.ToText(decision));
            return 0;
        }));
        return command;
    }
}
