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
        var target = TargetOption();
        var command = new Command("compile", "Compile Kubernetes NetworkPolicies or Neutron security groups into OVN port groups, address sets and ACLs");
        command.Add(inputs);
        command.Add(format);
        command.Add(controller);
        command.Add(ns);
        command.Add(target);
        command.SetAction((result, cancellationToken) => CommandRunner.RunAsync(result, async () =>
        {
            var rows = (await CompileAndReportAsync(result, result.GetValue(inputs)!, result.GetValue(controller)!, result.GetValue(ns), cancellationToken,
                    aclTiers: HasAclTiers(result.GetValue(target)!))
                .ConfigureAwait(false)).Rows;
            if (rows is null)
            {
                return 1;
            }

            await CommandRunner.WriteLargeAsync(result, output => NorthboundFormatter.Write(rows, result.GetValue(format), output)).ConfigureAwait(false);
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

    /// <summary>
    /// <c>--target VERSION</c>: the OVN release (<c>23.03</c>, <c>23.06</c>, <c>24.03</c>, …) or NB schema version
    /// (<c>7.0.0</c>, <c>7.0.4</c>, …) the rows are for; true when it has ACL tiers and <c>pass</c> (23.06 / 7.0.3 on).
    /// </summary>
    public static Option<string> TargetOption(bool auto = false)
    {
        var option = new Option<string>("--target")
        {
            Description = "Kubernetes cluster policies: the OVN release (23.03, 23.06, ...) or NB schema version (7.0.0, 7.0.4, ...) the rows are for; " +
                "from 23.06 / 7.0.3 on ACL tiers and pass are written, before that the tiers are flattened (docs/admin-policy.md)" +
                (auto ? "; auto: whatever the database's schema has" : ""),
            HelpName = auto ? "auto|VERSION" : "VERSION",
            DefaultValueFactory = _ => auto ? AutoTarget : "23.03",
        };
        option.Validators.Add(result =>
        {
            try
            {
                var text = result.GetValueOrDefault<string>() ?? "";
                if (!(auto && text == AutoTarget))
                {
                    HasAclTiers(text);
                }
            }
            catch (FormatException ex)
            {
                result.AddError("--target: " + ex.Message);
            }
        });
        return option;
    }

    /// <summary>The <c>--target</c> of <c>apply</c> that takes the form from the database's schema.</summary>
    public const string AutoTarget = "auto";

    /// <summary>Whether the OVN release or NB schema version <paramref name="text"/> has ACL tiers and <c>pass</c>.</summary>
    public static bool HasAclTiers(string text)
    {
        var parts = text.Split('.');
        if (parts.Length is < 2 or > 3 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
        {
            throw new FormatException($"'{text}' is neither an OVN release (23.03, 23.06) nor an NB schema version (7.0.0, 7.0.4)");
        }

        var numbers = parts.Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return parts.Length == 3
            ? (numbers[0], numbers[1], numbers[2]).CompareTo((7, 0, 3)) >= 0    // NB schema: tier and pass came in 7.0.3
            : (numbers[0], numbers[1]).CompareTo((23, 6)) >= 0;                 // OVN release: 23.06
    }

    /// <summary><c>-n/--namespace NS</c>, as for <c>kubectl apply -n</c>.</summary>
    public static Option<string?> NamespaceOption() => new Option<string>("--namespace", "-n")
    {
        Description = "Kubernetes: the namespace of policies and pods that name none (default: 'default', with a warning); an object naming another is an error",
    }.NotBlank()!;

    /// <summary>The compile options of the commands: the controller, <c>-n</c>, and the ACL tiers of <c>--target</c>.</summary>
    public static PolicyCompileOptions Options(string controller, string? ns, bool aclTiers) => PolicyCompileOptions.Default with
    {
        Kubernetes = KubernetesCompileOptions.Default with { ControllerName = controller, AclTiers = aclTiers },
        KubernetesLoad = KubernetesLoadOptions.Default with { Namespace = ns },
    };

    /// <summary>
    /// Compiles Kubernetes or Neutron input (<see cref="PolicyCompiler"/>, told apart by content) and prints every
    /// diagnostic to the error writer; <see cref="PolicyCompilation.Rows"/> is null on any error.
    /// </summary>
    public static async Task<PolicyCompilation> CompileAndReportAsync(ParseResult result, string[] inputs, string controller, string? ns, CancellationToken cancellationToken,
        bool aclTiers = false)
    {
        var compilation = await PolicyCompiler.CompileAsync(inputs, Options(controller, ns, aclTiers), cancellationToken).ConfigureAwait(false);
        await ReportAsync(result, compilation).ConfigureAwait(false);
        return compilation;
    }

    /// <summary>Prints every diagnostic of <paramref name="compilation"/> to the error writer.</summary>
    public static async Task ReportAsync(ParseResult result, PolicyCompilation compilation)
    {
        var error = CommandRunner.Error(result);
        foreach (var diagnostic in compilation.Diagnostics)
        {
            await error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }
    }
}
