using System.CommandLine;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Northbound.Formatting;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl compile [--format json|nbctl|table] [--controller NAME] INPUT...</c>: Kubernetes manifests or Neutron API
/// JSON in (told apart by <see cref="PolicyInput.Detect"/>), Northbound rows out, the same model and formats for both.
/// Diagnostics go to stderr (<c>file: object: field: CODE: message</c>); any error means exit 1 and no rows.
/// </summary>
internal static class CompileCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("INPUT")
        {
            Description = "Files or directories (recursive): Kubernetes NetworkPolicies, Pods and Namespaces (YAML/JSON; other kinds skipped; - reads standard input), or Neutron API JSON (security_groups, ports, address_groups)",
            Arity = ArgumentArity.OneOrMore,
        }.NoOptionLikePaths();
        var format = new Option<NorthboundFormat>("--format", "-f")
        {
            Description = "json, nbctl (an ovn-nbctl script) or table",
            HelpName = "json|nbctl|table",
            DefaultValueFactory = _ => NorthboundFormat.Json,
            CustomParser = OptionParsers.Using(text => NorthboundFormatter.TryParseFormat(text, out var parsed)
                ? parsed
                : throw new FormatException($"unknown format '{text}': use json, nbctl or table")),
        };
        var controller = ControllerOption("Kubernetes: owner written to external_ids and prefix of port-group and address-set names (Neutron's names are fixed)");
        var ns = NamespaceOption();
        var command = new Command("compile", "Compile Kubernetes NetworkPolicies or Neutron security groups into OVN port groups, address sets and ACLs");
        command.Add(inputs);
        command.Add(format);
        command.Add(controller);
        command.Add(ns);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(result, async () =>
        {
            var rows = (await CompileAndReportAsync(result, result.GetValue(inputs)!, result.GetValue(controller)!, result.GetValue(ns), cancellationToken)
                .ConfigureAwait(false)).Rows;
            if (rows is null)
            {
                return 1;
            }

            await CommandRunner.Output(result).WriteAsync(NorthboundFormatter.Format(rows, result.GetValue(format))).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary><c>--controller NAME</c>, defaulting to <see cref="KubernetesCompileOptions.ControllerName"/>'s default.</summary>
    public static Option<string> ControllerOption(string description) => new Option<string>("--controller")
    {
        Description = description,
        DefaultValueFactory = _ => KubernetesCompileOptions.Default.ControllerName,
    }.NotBlank();

    /// <summary><c>-n/--namespace NS</c>, as for <c>kubectl apply -n</c>.</summary>
    public static Option<string?> NamespaceOption() => new Option<string>("--namespace", "-n")
    {
        Description = "Kubernetes: the namespace of policies and pods that name none (default: 'default', with a warning); an object naming another is an error",
    }.NotBlank()!;

    /// <summary>
    /// Compiles Kubernetes or Neutron input (<see cref="PolicyCompiler"/>, told apart by content) and prints every
    /// diagnostic to the error writer; <see cref="PolicyCompilation.Rows"/> is null on any error.
    /// </summary>
    public static async Task<PolicyCompilation> CompileAndReportAsync(ParseResult result, string[] inputs, string controller, string? ns, CancellationToken cancellationToken)
    {
        var compilation = await PolicyCompiler.CompileAsync(inputs,
            PolicyCompileOptions.Default with
            {
                Kubernetes = KubernetesCompileOptions.Default with { ControllerName = controller },
                KubernetesLoad = KubernetesLoadOptions.Default with { Namespace = ns },
            },
            cancellationToken).ConfigureAwait(false);
        var error = CommandRunner.Error(result);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }

        return compilation;
    }
}
