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
        };
        var format = new Option<string>("--format", "-f") { Description = "json, nbctl (an ovn-nbctl script) or table", DefaultValueFactory = _ => "json" };
        var controller = new Option<string>("--controller")
        {
            Description = "Kubernetes: owner written to external_ids and prefix of port-group and address-set names (Neutron's names are fixed)",
            DefaultValueFactory = _ => KubernetesCompileOptions.Default.ControllerName,
        };
        var ns = NamespaceOption();
        var command = new Command("compile", "Compile Kubernetes NetworkPolicies or Neutron security groups into OVN port groups, address sets and ACLs");
        command.Add(inputs);
        command.Add(format);
        command.Add(controller);
        command.Add(ns);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(
            () => RunAsync(result.GetValue(inputs)!, result.GetValue(format)!, result.GetValue(controller)!, result.GetValue(ns), cancellationToken)));
        return command;
    }

    /// <summary><c>-n/--namespace NS</c>, as for <c>kubectl apply -n</c>.</summary>
    public static Option<string?> NamespaceOption() => new("--namespace", "-n")
    {
        Description = "Kubernetes: the namespace of policies and pods that name none (default: 'default', with a warning); an object naming another is an error",
    };

    private static async Task<int> RunAsync(string[] inputs, string formatText, string controller, string? ns, CancellationToken cancellationToken)
    {
        if (!NorthboundFormatter.TryParseFormat(formatText, out var format))
        {
            throw new CliException($"unknown format '{formatText}': use json, nbctl or table");
        }

        if (string.IsNullOrWhiteSpace(controller))
        {
            throw new CliException("--controller needs a name");
        }

        var rows = (await CompileAndReportAsync(inputs, controller, ns, cancellationToken).ConfigureAwait(false)).Rows;
        if (rows is null)
        {
            return 1;
        }

        Console.Out.Write(NorthboundFormatter.Format(rows, format));
        return 0;
    }

    /// <summary>
    /// Compiles Kubernetes or Neutron input (<see cref="PolicyCompiler"/>, told apart by content) and prints every
    /// diagnostic to stderr; <see cref="PolicyCompilation.Rows"/> is null on any error.
    /// </summary>
    public static async Task<PolicyCompilation> CompileAndReportAsync(string[] inputs, string controller, string? ns, CancellationToken cancellationToken)
    {
        if (ns is not null && string.IsNullOrWhiteSpace(ns))
        {
            throw new CliException("--namespace needs a name");
        }

        var compilation = await PolicyCompiler.CompileAsync(inputs,
            PolicyCompileOptions.Default with
            {
                Kubernetes = KubernetesCompileOptions.Default with { ControllerName = controller },
                KubernetesLoad = KubernetesLoadOptions.Default with { Namespace = ns },
            },
            cancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            await Console.Error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }

        return compilation;
    }
}
