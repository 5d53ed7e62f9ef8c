using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OvnAcl.Sandbox;

/// <summary>
/// Every child process and temp dir the sandbox creates, so that none outlives the process that made it (a test
/// host, the CLI's benchmarks): owners clean up theirs on dispose, and whatever one forgot is SIGKILLed and deleted
/// when that process exits.
/// </summary>
internal static class ProcessRegistry
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static readonly ConcurrentDictionary<string, SandboxDirectory> Directories = new(StringComparer.Ordinal);

    static ProcessRegistry()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            KillAll();
            foreach (var directory in Directories.Values)
            {
                directory.Dispose();
            }
        };
    }

    public static void Register(SandboxDirectory directory) => Directories[directory.Path] = directory;

    public static void Unregister(SandboxDirectory directory) => Directories.TryRemove(directory.Path, out _);

    public static void Register(Process process) => Live[process.Id] = process;

    public static void Unregister(Process process) => Live.TryRemove(process.Id, out _);

    private static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            SendKill(process);
            try
            {
                // The directory goes next; a dying server must not recreate files in it.
                process.WaitForExit(TimeSpan.FromSeconds(2));
            }
            catch (InvalidOperationException)
            {
            }
        }

        Live.Clear();
    }

    /// <summary>SIGKILL, only while the process is ours and alive, so a recycled pid is never hit.</summary>
    public static void SendKill(Process process) => Signal(process, SigKill);

    public static void SendTerm(Process process) => Signal(process, SigTerm);

    public static void SendStop(Process process) => Signal(process, SigStop);

    public static void SendCont(Process process) => Signal(process, SigCont);

    private static void Signal(Process process, int signal)
    {
        try
        {
            if (!process.HasExited)
            {
                _ = Kill(process.Id, signal);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already disposed: nothing to signal.
        }
    }

    // Process.Kill only sends SIGKILL; a graceful stop needs SIGTERM, which only libc's kill(2) sends.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
