using System.Diagnostics;
using System.Text;

namespace OvnAcl.Sandbox;

/// <summary>
/// One OVS/OVN daemon run as a child of this process (a test host, the CLI), in the foreground: its log goes to
/// <see cref="LogPath"/>, its control socket is <see cref="UnixctlPath"/> (for <c>ovs-appctl -t</c>), and it is
/// registered so that it is SIGKILLed on dispose or, at the latest, when this process exits.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int ConsoleLinesKept = 200;

    private readonly ServerProcessOptions _options;
    private readonly Queue<string> _console = new();
    private readonly Lock _gate = new();
    private Process? _process;
    private IReadOnlyList<string> _arguments;

    private ServerProcess(ServerProcessOptions options)
    {
        _options = options;
        _arguments = options.Arguments;
        LogPath = Path.Combine(options.Directory, options.Name + ".log");
    }

    public string Name => _options.Name;

    public string Directory => _options.Directory;

    public string LogPath { get; }

    /// <summary>
    /// The control socket: <c>ovs-appctl -t UnixctlPath COMMAND</c>, or <see cref="AppctlAsync"/>. <c>DIR/NAME.ctl</c>, or for
    /// a daemon without <c>--unixctl</c> (<see cref="ServerProcessOptions.HasUnixctlOption"/>) the one it makes itself,
    /// <c>DIR/NAME.PID.ctl</c>.
    /// </summary>
    public string UnixctlPath => _options.HasUnixctlOption
        ? Path.Combine(_options.Directory, _options.Name + ".ctl")
        : Path.Combine(_options.Directory, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_options.Name}.{_process?.Id ?? 0}.ctl"));

    /// <summary>The daemon's own arguments as the next (re)start will pass them.</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    /// <summary>The running daemon's pid, or null when it is not running.</summary>
    public int? Pid
    {
        get
        {
            var process = _process;
            return process is not null && IsAlive(process) ? process.Id : null;
        }
    }

    public bool IsRunning => Pid is not null;

    /// <summary>The exit code of the last run once it has ended; null while running or before the first start.</summary>
    public int? ExitCode
    {
        get
        {
            var process = _process;
            return process is not null && !IsAlive(process) ? process.ExitCode : null;
        }
    }

    /// <summary>How long the last (re)start took until the readiness probe passed.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>Starts the daemon and waits until its readiness probe passes; on failure kills it and throws with its log.</summary>
    public static async Task<ServerProcess> StartAsync(ServerProcessOptions options, CancellationToken cancellationToken = default)
    {
        var server = new ServerProcess(options);
        try
        {
            await server.LaunchAndWaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            server.Kill();
            throw;
        }

        return server;
    }

    /// <summary>The whole log file (empty when the daemon has not written one yet).</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }

    public string LogTail(int lines = 40)
    {
        var all = ReadLog().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>What the daemon wrote to stdout/stderr (the last lines), e.g. messages printed before logging started.</summary>
    public string ConsoleOutput
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _console);
            }
        }
    }

    /// <summary>Log tail and console output, ready to append to an exception or assertion message.</summary>
    public string Diagnostics(int logLines = 40)
    {
        var state = IsRunning ? $"running as pid {Pid}" : ExitCode is { } code ? $"exited with {code}" : "not running";
        var console = ConsoleOutput;
        return $"\n--- {Name} ({state}): last {logLines} lines of {LogPath} ---\n{LogTail(logLines)}" +
               (console.Length > 0 ? $"\n--- {Name}: console output ---\n{console}" : "");
    }

    /// <summary><c>ovs-appctl -t UnixctlPath ARGS…</c>; throws <see cref="ToolFailedException"/> if the command fails.</summary>
    public Task<ToolResult> AppctlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        OvsdbTool.RunAsync("ovs-appctl", ["-t", UnixctlPath, .. args], TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>Like <see cref="AppctlAsync"/> but returns a failed result instead of throwing.</summary>
    public Task<ToolResult> TryAppctlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default) =>
        OvsdbTool.TryRunAsync("ovs-appctl", ["-t", UnixctlPath, .. args], TimeSpan.FromSeconds(10), cancellationToken);

    /// <summary>SIGKILL: the daemon gets no chance to clean up, as in a crash. Returns once the process is gone.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        ProcessRegistry.SendKill(process);
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            throw new SandboxException($"{Name} (pid {process.Id}) survived SIGKILL for 10 s.{Diagnostics()}");
        }

        ProcessRegistry.Unregister(process);
    }

    /// <summary>SIGSTOP: the daemon stops running (no timers, no I/O) until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        if (_process is { } process)
        {
            ProcessRegistry.SendStop(process);
        }
    }

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Thaw()
    {
        if (_process is { } process)
        {
            ProcessRegistry.SendCont(process);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the daemon has not exited after the grace period.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var process = _process;
        if (process is null || !IsAlive(process))
        {
            return;
        }

        ProcessRegistry.SendTerm(process);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_options.StopGracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            ProcessRegistry.Unregister(process);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
        }
    }

    /// <summary>Stops the daemon if it runs, then starts it again with the same arguments and database file.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await LaunchAndWaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        return ValueTask.CompletedTask;
    }

    /// <summary>Replaces the arguments for later restarts, e.g. <c>ptcp:0</c> by the port the first run bound.</summary>
    internal void PinArguments(IReadOnlyList<string> arguments) => _arguments = arguments;

    private async Task LaunchAndWaitAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        Launch();
        await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        LastStartDuration = started.Elapsed;
    }

    private void Launch()
    {
        var executable = ToolPaths.Resolve(_options.Executable);
        var startInfo = new ProcessStartInfo(_options.Launcher is [var launcher, ..] ? ToolPaths.Resolve(launcher) : executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        if (_options.Launcher.Count > 0)
        {
            foreach (var arg in _options.Launcher.Skip(1).Append(executable))
            {
                startInfo.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in _arguments)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.ArgumentList.Add($"--log-file={LogPath}");
        foreach (var level in _options.LogLevels)
        {
            startInfo.ArgumentList.Add($"-v{level}");
        }

        if (_options.HasUnixctlOption)
        {
            startInfo.ArgumentList.Add($"--unixctl={UnixctlPath}");
        }

        // Anything a daemon derives from its run/log/db directories (pidfiles, default sockets) stays in our dir.
        ToolPaths.Sanitize(startInfo.Environment);
        foreach (var variable in new[] { "OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVN_RUNDIR", "OVN_LOGDIR", "OVN_DBDIR" })
        {
            startInfo.Environment[variable] = Directory;
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AppendConsole(e.Data);
        process.ErrorDataReceived += (_, e) => AppendConsole(e.Data);
        if (!process.Start())
        {
            throw new SandboxException($"could not start {Name}: `{OvsdbTool.FormatCommandLine(startInfo.FileName, startInfo.ArgumentList.ToArray())}`");
        }

        ProcessRegistry.Register(process);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var probe = _options.ReadinessProbe ?? DefaultProbeAsync;
        var waited = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        string? lastSeen = "not probed yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process is { } process && !IsAlive(process))
            {
                throw new SandboxException(
                    $"{Name} exited with code {process.ExitCode} before it was ready.\n" +
                    $"command: {OvsdbTool.FormatCommandLine(process.StartInfo.FileName, process.StartInfo.ArgumentList.ToArray())}{Diagnostics()}");
            }

            try
            {
                lastSeen = await probe(this, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SandboxException or ToolFailedException or IOException)
            {
                lastSeen = e.Message;
            }

            if (lastSeen is null)
            {
                return;
            }

            if (waited.Elapsed > _options.ReadyTimeout)
            {
                throw new SandboxException(
                    $"{Name} was not ready after {_options.ReadyTimeout.TotalSeconds:0.#} s. Last probe: {lastSeen}{Diagnostics()}");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 100));
        }
    }

    private static async Task<string?> DefaultProbeAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        if (!File.Exists(server.UnixctlPath))
        {
            return $"control socket {server.UnixctlPath} does not exist yet";
        }

        var result = await server.TryAppctlAsync(["version"], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? null : result.Describe();
    }

    private void AppendConsole(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _console.Enqueue(line);
            while (_console.Count > ConsoleLinesKept)
            {
                _console.Dequeue();
            }
        }
    }

    private static bool IsAlive(Process process)
    {
        try
        {
            return !process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
