using System.Collections.Concurrent;

namespace OvnAcl.Sandbox;

/// <summary>Finds OVS/OVN executables: Debian puts ovsdb-server in /usr/sbin, which a user's PATH may lack.</summary>
internal static class ToolPaths
{
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"];
    private static readonly ConcurrentDictionary<string, string> Resolved = new(StringComparer.Ordinal);

    public static string Resolve(string executable) => executable.Contains('/') ? executable : Resolved.GetOrAdd(executable, Find);

    private static string Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new SandboxException(
            $"'{name}' was not found on PATH or in {string.Join(", ", ExtraDirectories)}. " +
            "The sandbox needs Debian's ovn-central, ovn-common, openvswitch-common, openvswitch-switch, ovn-host and openssl packages (`make deps`).");
    }

    /// <summary>
    /// Removes variables that would silently point a tool at some other database or daemon
    /// (ovn-nbctl honours OVN_NB_DAEMON and OVN_NBCTL_OPTIONS before --db).
    /// </summary>
    public static void Sanitize(IDictionary<string, string?> environment)
    {
        foreach (var name in new[]
                 {
                     "OVN_NB_DB", "OVN_SB_DB", "OVN_NB_DAEMON", "OVN_SB_DAEMON", "OVN_NBCTL_OPTIONS", "OVN_SBCTL_OPTIONS",
                     "OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR", "OVN_RUNDIR", "OVN_LOGDIR", "OVN_DBDIR",
                 })
        {
            environment.Remove(name);
        }
    }
}
