using System.Collections.Immutable;
using OvnAcl.Kubernetes.Incremental;
using OvnAcl.Kubernetes.Input;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes;

/// <summary>What a compilation produced: the rows (null when any error was found) and every diagnostic, warnings included.</summary>
public sealed class KubernetesCompileResult(NorthboundRows? rows, ImmutableArray<Diagnostic> diagnostics)
{
    /// <summary>The rows, or null when <see cref="Diagnostics"/> holds an error.</summary>
    public NorthboundRows? Rows { get; } = rows;

    /// <summary>Errors and warnings of the compilation.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; } = diagnostics;

    /// <summary>True when the rows were produced (no error).</summary>
    public bool Succeeded => Rows is not null;

    /// <summary>The rows, or an <see cref="AclCompileException"/> carrying every diagnostic.</summary>
    public NorthboundRows GetRowsOrThrow() => Rows ?? throw new AclCompileException(Diagnostics);
}

/// <summary>
/// Compiles networking.k8s.io/v1 NetworkPolicies, with the Pods and Namespaces they select, into OVN Northbound
/// port groups, address sets and ACLs. See docs/kubernetes.md for the rows and why they look as they do.
/// </summary>
public static class KubernetesCompiler
{
    /// <summary>
    /// Validates everything first; when any error is found (loading included) nothing is compiled and
    /// <see cref="KubernetesCompileResult.Rows"/> is null.
    /// </summary>
    public static KubernetesCompileResult Compile(KubernetesInput input, KubernetesCompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= KubernetesCompileOptions.Default;
        options.Validate();

        var (set, diagnostics) = PolicyReader.Read(input, options);
        if (diagnostics.Any(d => d.IsError))
        {
            return new(null, diagnostics);
        }

        // The compiler is the incremental engine fed everything at once: one way to build rows, whether from files or
        // from a stream of informer events.
        var desired = new DesiredState(options.ControllerName);
        var engine = new PolicyEngine(desired, options);
        engine.Load(set);
        return new(desired.Snapshot(), diagnostics.AddRange(engine.TakeWarnings()));
    }

    /// <summary><see cref="Compile"/>, throwing <see cref="AclCompileException"/> when the input has errors.</summary>
    public static NorthboundRows CompileOrThrow(KubernetesInput input, KubernetesCompileOptions? options = null) =>
        Compile(input, options).GetRowsOrThrow();
}
