using OvnAcl.Sandbox;

namespace OvnAcl.Benchmarking;

/// <summary><c>ovsdb-client dump</c> as a child process, its output drained: OVS's C client reading every table once.</summary>
internal sealed class DumpSyncPeer(SyncBenchmarkOptions options, bool json) : SyncPeer
{
    public override string Name => json ? "dump-json" : SyncBenchmarkReport.DumpName;

    public override string Description => json
        ? $"{options.OvsdbClientProgram} -f json dump REMOTE {options.Database} > pipe (drained), whole process"
        : $"{options.OvsdbClientProgram} dump REMOTE {options.Database} > pipe (drained), whole process";

    public override async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await OvsdbTool.TryRunAsync(options.OvsdbClientProgram, ["--version"], TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return outcome.ExitCode == 0 ? null : $"{options.OvsdbClientProgram} --version failed: {outcome.FirstStderrLine}";
        }
        catch (SandboxException ex)
        {
            return $"{ex.Message} (install openvswitch-common)";
        }
    }

    public override async Task<SyncSample> MeasureAsync(CancellationToken cancellationToken)
    {
        var arguments = new List<string>();
        if (options.Connection.Tls is { } tls)
        {
            arguments.Add($"--private-key={tls.PrivateKeyFile}");
            arguments.Add($"--certificate={tls.CertificateFile}");
            arguments.Add($"--ca-cert={tls.CaCertificateFile}");
        }

        if (json)
        {
            arguments.Add("--format=json");
        }

        arguments.AddRange(["dump", options.Remotes, options.Database]);
        var rows = new DumpRowCounter();
        var outcome = await OvsdbTool.TryStreamAsync(options.OvsdbClientProgram, arguments, json ? _ => { } : rows.Add, options.RunTimeout, cancellationToken).ConfigureAwait(false);
        if (outcome.ExitCode != 0)
        {
            throw new SyncPeerException($"{options.OvsdbClientProgram} dump exited with {outcome.ExitCode}: {outcome.FirstStderrLine}");
        }

        return new SyncSample(outcome.Elapsed, json ? 0 : rows.Rows);
    }

    /// <summary>
    /// Counts rows in dump's text tables: each table is a caption, a heading, a line of dashes, one line per row
    /// (strings are quoted, so a value never spans lines), then an empty line.
    /// </summary>
    private sealed class DumpRowCounter
    {
        private bool _inRows;
        private bool _lineStart = true;
        private bool _lineEmpty = true;
        private bool _lineDashes;

        public long Rows { get; private set; }

        public void Add(ReadOnlySpan<byte> chunk)
        {
            foreach (var b in chunk)
            {
                if (b == (byte)'\n')
                {
                    if (_inRows && _lineEmpty)
                    {
                        _inRows = false;
                    }
                    else if (_inRows)
                    {
                        Rows++;
                    }
                    else if (_lineDashes)
                    {
                        _inRows = true;
                    }

                    _lineStart = true;
                    _lineEmpty = true;
                    _lineDashes = false;
                    continue;
                }

                if (_lineStart)
                {
                    _lineDashes = b == (byte)'-';
                    _lineStart = false;
                }

                _lineEmpty = false;
            }
        }
    }
}
