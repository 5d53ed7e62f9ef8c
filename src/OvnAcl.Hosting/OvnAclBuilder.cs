using Microsoft.Extensions.DependencyInjection;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;
using OvnAcl.Reconciliation;

namespace OvnAcl.Hosting;

/// <summary>
/// Returned by <c>AddOvnAcl</c>: adds the engine that feeds the <see cref="DesiredState"/> singleton. The engine is
/// created before the reconciler runs, so that the inputs it declares (<see cref="DesiredState.ExpectInput"/>) keep the
/// reconciler from writing until the app has listed them.
/// </summary>
public sealed class OvnAclBuilder
{
    internal OvnAclBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the registration went to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a <see cref="KubernetesEngine"/> singleton over the desired state: the app's informers feed it
    /// (<see cref="KubernetesEngine.UpsertPod"/>, ...) and mark each kind listed (<see cref="KubernetesEngine.MarkListed"/>).
    /// The options' <see cref="KubernetesCompileOptions.ControllerName"/> is the configured one
    /// (<see cref="OvnAclOptions.ControllerName"/>), whatever <paramref name="options"/> says.
    /// </summary>
    public OvnAclBuilder AddKubernetesEngine(KubernetesCompileOptions? options = null)
    {
        Services.AddSingleton(sp =>
        {
            var desired = sp.GetRequiredService<DesiredState>();
            return new KubernetesEngine(desired, (options ?? KubernetesCompileOptions.Default) with { ControllerName = desired.ControllerName });
        });
        Services.AddSingleton(new EngineActivation(typeof(KubernetesEngine)));
        return this;
    }

    /// <summary>Registers a <see cref="NeutronEngine"/> singleton over the desired state, for a Neutron-style app to feed.</summary>
    public OvnAclBuilder AddNeutronEngine(NeutronTranslationOptions? options = null)
    {
        Services.AddSingleton(sp => new NeutronEngine(sp.GetRequiredService<DesiredState>(), options));
        Services.AddSingleton(new EngineActivation(typeof(NeutronEngine)));
        return this;
    }
}

/// <summary>An engine the hosted service creates before reconciling (see <see cref="OvnAclBuilder"/>).</summary>
internal sealed record EngineActivation(Type EngineType);
