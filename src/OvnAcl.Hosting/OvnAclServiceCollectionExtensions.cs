using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OvnAcl.Hosting;
using OvnAcl.Hosting.Configuration;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddOvnAcl(configuration.GetSection("OvnAcl"))</c>: the Northbound <see cref="OvsdbClient"/>, a
/// <see cref="DesiredState"/> for the app to feed (directly, or through an engine added with the returned
/// <see cref="OvnAclBuilder"/>), the <see cref="AclReconciler"/> and the <see cref="OvnAclReconcilerService"/> that
/// runs them, all singletons, logging through the container's <see cref="ILoggerFactory"/>.
/// </summary>
public static class OvnAclServiceCollectionExtensions
{
    /// <summary>
    /// Registers OvnAcl with <see cref="OvnAclOptions"/> bound from <paramref name="configuration"/> (a section such as
    /// <c>OvnAcl</c>; a key it does not know is an error, so that a misspelled key is not silently ignored) and
    /// validated when the host starts, each problem named by its key (<c>OvnAcl:Northbound</c>).
    /// </summary>
    public static OvnAclBuilder AddOvnAcl(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration is IConfigurationSection section ? section.Path : "";
        services.AddOptions<OvnAclOptions>().Bind(configuration, binder => binder.ErrorOnUnknownConfiguration = true);
        return AddCore(services, path);
    }

    /// <summary>Registers OvnAcl with <see cref="OvnAclOptions"/> set in code, validated when the host starts (keys named <c>OvnAcl:...</c>).</summary>
    public static OvnAclBuilder AddOvnAcl(this IServiceCollection services, Action<OvnAclOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OvnAclOptions>().Configure(configure);
        return AddCore(services, "OvnAcl");
    }

    private static OvnAclBuilder AddCore(IServiceCollection services, string sectionPath)
    {
        services.AddOptions<OvnAclOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OvnAclOptions>>(new OvnAclOptionsValidator(sectionPath)));
        services.TryAddSingleton(sp => new DesiredState(sp.GetRequiredService<IOptions<OvnAclOptions>>().Value.ControllerName));
        services.TryAddSingleton(sp => CreateClient(sp.GetRequiredService<IOptions<OvnAclOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(CreateReconciler);
        services.TryAddSingleton<OvnAclReconcilerService>();
        services.AddHostedService(sp => sp.GetRequiredService<OvnAclReconcilerService>());
        return new OvnAclBuilder(services);
    }

    private static OvsdbClient CreateClient(OvnAclOptions options, ILoggerFactory loggerFactory)
    {
        var tls = options.Tls is { PrivateKeyFile: { } key, CertificateFile: { } certificate, CaCertificateFile: { } ca }
            ? new OvsdbTlsOptions { PrivateKeyFile = key, CertificateFile = certificate, CaCertificateFile = ca }
            : null;
        return new OvsdbClient(options.Northbound ?? "", OvsdbClientOptions.Default with
        {
            Tables = AclReconciler.MonitoredTables(),
            LockName = options.LockName,
            LeaderOnly = options.LeaderOnly,
            MinBackoff = options.MinBackoff,
            MaxBackoff = options.MaxBackoff,
            Connection = OvsdbConnectionOptions.Default with
            {
                Tls = tls,
                ConnectTimeout = options.ConnectTimeout,
                ProbeInterval = options.ProbeInterval,
                LoggerFactory = loggerFactory,
            },
        });
    }

    private static AclReconciler CreateReconciler(IServiceProvider services)
    {
        // The engines first: each declares the inputs it expects, and until those are listed the reconciler writes
        // nothing (an engine created later would find a reconciler that took the empty state as complete).
        foreach (var activation in services.GetServices<EngineActivation>())
        {
            services.GetRequiredService(activation.EngineType);
        }

        var options = services.GetRequiredService<IOptions<OvnAclOptions>>().Value;
        return new AclReconciler(services.GetRequiredService<OvsdbClient>(), services.GetRequiredService<DesiredState>(), AclReconcilerOptions.Default with
        {
            MaxChangesPerTransaction = options.MaxChangesPerTransaction,
            MaxTransactionsInFlight = options.MaxTransactionsInFlight,
            RetryBackoff = options.RetryBackoff,
            MaxRetryBackoff = options.MaxRetryBackoff,
            LoggerFactory = services.GetRequiredService<ILoggerFactory>(),
        });
    }
}
