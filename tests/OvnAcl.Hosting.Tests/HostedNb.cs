using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;

namespace OvnAcl.Hosting.Tests;

/// <summary>What the hosting tests share: a host built as an app would build it, the three-tier sample, and checks of the NB from outside.</summary>
internal static class HostedNb
{
    public const string Controller = "hosting-test";

    /// <summary>A host with <c>AddOvnAcl(configuration.GetSection("OvnAcl")).AddKubernetesEngine()</c> and the health check, configured by <paramref name="settings"/> (keys under <c>OvnAcl:</c>).</summary>
    public static IHost Build(IDictionary<string, string?> settings, LogSink? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddOvnAcl(builder.Configuration.GetSection("OvnAcl")).AddKubernetesEngine();
        builder.Services.AddHealthChecks().AddOvnAcl();
        return builder.Build();
    }

    public static Dictionary<string, string?> Settings(string remote) => new()
    {
        ["OvnAcl:Northbound"] = remote,
        ["OvnAcl:ControllerName"] = Controller,
        // Short waits: the tests stop and start servers and would otherwise wait up to the 8 s default backoff.
        ["OvnAcl:MinBackoff"] = "00:00:00.05",
        ["OvnAcl:MaxBackoff"] = "00:00:00.5",
        ["OvnAcl:ProbeInterval"] = "00:00:01",
    };

    public static Task<KubernetesInput> ThreeTierAsync() =>
        KubernetesInputLoader.LoadAsync([Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier")]);

    /// <summary>The rows the host's engine wants for <paramref name="input"/>: named after <see cref="Controller"/>, as the engine names them.</summary>
    public static NorthboundRows Compile(KubernetesInput input) =>
        KubernetesCompiler.CompileOrThrow(input, KubernetesCompileOptions.Default with { ControllerName = Controller });

    /// <summary>The logical switch ports the rows' port groups hold, so that members have ports to join.</summary>
    public static Task AddPortsAsync(string remote, NorthboundRows rows) =>
        AddPortsAsync(remote, rows.PortGroups.SelectMany(g => g.Ports).Distinct(StringComparer.Ordinal));

    public static async Task AddPortsAsync(string remote, IEnumerable<string> ports) =>
        await OvsdbTool.RunAsync("ovn-nbctl", [$"--db={remote}", "--may-exist", "ls-add", "pods",
            .. ports.Order(StringComparer.Ordinal).SelectMany(p => new[] { "--", "--may-exist", "lsp-add", "pods", p })]);

    /// <summary>
    /// Whether the NB holds exactly <paramref name="expected"/> for the controller, asked by a client and reconciler of
    /// its own (not the host's): its plan to get there is empty.
    /// </summary>
    public static async Task<ReconcilePlan> PlanFromOutsideAsync(string remote, NorthboundRows expected)
    {
        await using var client = new OvsdbClient(remote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
        await client.StartAsync(TimeSpan.FromSeconds(20));
        var state = new DesiredState(Controller);
        state.Load(expected);
        await using var reconciler = new AclReconciler(client, state);
        return await reconciler.PlanAsync();
    }

    /// <summary>Fails, naming the rows that differ, unless the NB holds exactly <paramref name="expected"/> (<see cref="PlanFromOutsideAsync"/>).</summary>
    public static async Task AssertHoldsAsync(string remote, NorthboundRows expected)
    {
        var plan = await PlanFromOutsideAsync(remote, expected);
        Assert.True(plan.IsEmpty, "the NB differs: " + string.Join("; ", plan.Rows.Where(r => r.Changes > 0)));
    }

    public static async Task<HealthReportEntry> HealthAsync(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["ovnacl"];

    /// <summary>Polls the health check until it reports <paramref name="status"/>; fails with the last report.</summary>
    public static Task<HealthReportEntry> EventuallyAsync(IHost host, HealthStatus status) =>
        EventuallyAsync(host, e => e.Status == status, status.ToString());

    /// <summary>Polls the health check until its entry satisfies <paramref name="condition"/> (for 30 s); fails with the last report.</summary>
    public static async Task<HealthReportEntry> EventuallyAsync(IHost host, Func<HealthReportEntry, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var entry = await HealthAsync(host);
            if (condition(entry))
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"health stayed {entry.Status} ({entry.Description}), waiting for {what}");
            await Task.Delay(100);
        }
    }

    public static V1Pod Pod(string ns, string name, string app, string ip) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { NodeName = "node-1", Containers = [new V1Container { Name = "c" }] },
        Status = new V1PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new V1PodIP { Ip = ip }] },
    };
}

/// <summary>Captures what the host's loggers write, to show that the library logs through the container's ILoggerFactory.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly List<(string Category, string Message)> _entries = [];

    public IReadOnlyList<(string Category, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (sink._entries)
            {
                sink._entries.Add((category, formatter(state, exception)));
            }
        }
    }
}
