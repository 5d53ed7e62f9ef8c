using System.CommandLine;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl compile [--format json|nbctl|table] [--controller NAME] INPUT...</c>: Kubernetes manifests in, Northbound
/// rows out. Diagnostics go to stderr (<c>file: object: field: OVNKxxxx: message</c>); any error means exit 1 and no rows.
/// </summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "YAML/JSON files or directories (recursive) of NetworkPolicies, Pods and Namespaces",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string>("--format", "-f") { Description = "json, nbctl (an ovn-nbctl script) or table", DefaultValueFactory = _ => "json" };
        var controller = new Option<string>("--controller")
        {
            Description = "Owner written to external_ids and prefix of port-group and address-set names",
            DefaultValueFactory = _ => KubernetesCompileOptions.Default.ControllerName,
        };
        var command = new Command("compile", "Compile Kubernetes NetworkPolicies into OVN port groups, address sets and ACLs");
        command.Add(inputs);
        command.Add(format);
        command.Add(controller);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(
            () => RunAsync(result.GetValue(inputs)!, result.GetValue(format)!, result.GetValue(controller)!, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string[] inputs, string formatText, string controller, CancellationToken cancellationToken)
    {
        if (!NorthboundFormatter.TryParseFormat(formatText, out var format))
        {
            throw new CliException($"unknown format '{formatText}': use json, nbctl or table");
        }

        if (string.IsNullOrWhiteSpace(controller))
        {
            throw new CliException("--controller needs a name");
        }

        var input = await KubernetesInputLoader.LoadAsync(inputs, cancellationToken).ConfigureAwait(false);
        var result = KubernetesCompiler.Compile(input, KubernetesCompileOptions.Default with { ControllerName = controller });
        foreach (var diagnostic in result.Diagnostics)
        {
            await Console.Error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }

        if (result.Rows is null)
        {
            return 1;
        }

        Console.Out.Write(NorthboundFormatter.Format(result.Rows, format));
        return 0;
    }
}
