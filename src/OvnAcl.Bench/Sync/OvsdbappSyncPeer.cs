using System.Text.Json;
using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary>
/// ovsdbapp's IDL, as Neutron builds it, run by <c>peers/ovsdbapp_sync.py</c> (<see cref="PeerScripts"/>) in the system Python. The time
/// is the script's own (schema fetch to replica ready), so the interpreter's start-up and imports are not counted.
/// </summary>
internal sealed class OvsdbappSyncPeer(SyncBenchmarkOptions options) : SyncPeer
{
    // The script's exit code when ovsdbapp or python-ovs cannot be imported.
    private const int ModulesMissing = 3;

    public override string Name => SyncBenchmarkReport.OvsdbappName;

    public override string Description =>
        "ovsdbapp OvsdbIdl.from_server + Connection.start() (python-ovs IDL, all tables), timed inside the script; memory = the Python process's peak RSS";

    public override async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        // A missing script is a broken build, not a peer that cannot run here: that is an error, naming the path.
        PeerScripts.Require(options.OvsdbappScript);
        try
        {
            var outcome = await OvsdbTool.TryRunAsync(
                options.PythonProgram,
                ["-c", "import ovs.db.idl, ovsdbapp.backend.ovs_idl.connection"],
                TimeSpan.FromSeconds(30),
                cancellationToken).ConfigureAwait(false);
            return outcome.ExitCode == 0
                ? null
                : $"ovsdbapp is not importable by {options.PythonProgram} ({outcome.FirstStderrLine}); install python3-ovsdbapp";
        }
        catch (SandboxException ex)
        {
            return $"{ex.Message}; install python3-ovsdbapp";
        }
    }

    public override async Task<SyncSample> MeasureAsync(CancellationToken cancellationToken)
    {
        List<string> arguments = [options.OvsdbappScript, "--timeout", options.RunTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (options.Connection.Tls is { } tls)
        {
            arguments.AddRange(["--private-key", tls.PrivateKeyFile, "--certificate", tls.CertificateFile, "--ca-cert", tls.CaCertificateFile]);
        }

        arguments.AddRange([options.Remotes, options.Database]);

        // A little longer than the script's own timeout, so that it can report it.
        var outcome = await OvsdbTool.TryRunAsync(options.PythonProgram, arguments, options.RunTimeout + TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
        if (outcome.ExitCode == ModulesMissing)
        {
            throw new SyncPeerException($"ovsdbapp is not importable: {outcome.FirstStderrLine}");
        }

        if (outcome.ExitCode != 0)
        {
            throw new SyncPeerException($"the ovsdbapp script exited with {outcome.ExitCode}: {outcome.FirstStderrLine}");
        }

        try
        {
            using var result = JsonDocument.Parse(outcome.Stdout);
            var root = result.RootElement;
            return new SyncSample(
                TimeSpan.FromSeconds(root.GetProperty("seconds").GetDouble()),
                root.GetProperty("rows").GetInt64(),
                PeakRssBytes: root.TryGetProperty("maxrss_bytes", out var rss) ? rss.GetInt64() : null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new SyncPeerException($"the ovsdbapp script printed something other than its JSON result: {outcome.Stdout.Trim().Split('\n', 2)[0]}");
        }
    }
}
