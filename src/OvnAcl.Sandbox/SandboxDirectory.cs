namespace OvnAcl.Sandbox;

/// <summary>
/// A fresh directory under the temp dir for one server or fixture, removed on dispose unless
/// <c>OVNACL_KEEP_TEST_DIRS=1</c> is set (then its path is kept for a post-mortem look at logs and db files).
/// </summary>
public sealed class SandboxDirectory : IDisposable
{
    /// <summary>Set to <c>1</c> to keep every sandbox directory after the run.</summary>
    public const string KeepEnvironmentVariable = "OVNACL_KEEP_TEST_DIRS";

    // sockaddr_un.sun_path is 108 bytes; leave room for the longest socket name we create inside.
    private const int MaxDirectoryLength = 80;

    private SandboxDirectory(string path) => Path = path;

    public string Path { get; }

    public static bool KeepDirectories => Environment.GetEnvironmentVariable(KeepEnvironmentVariable) == "1";

    public static SandboxDirectory Create(string prefix)
    {
        var info = Directory.CreateTempSubdirectory($"ovnacl-{prefix}-");
        if (info.FullName.Length > MaxDirectoryLength)
        {
            // A long TMPDIR would push unix socket paths past the kernel's limit; /tmp is always short.
            info.Delete();
            info = Directory.CreateDirectory(System.IO.Path.Combine("/tmp", $"ovnacl-{prefix}-{Guid.NewGuid():N}"[..40]));
        }

        var directory = new SandboxDirectory(info.FullName);
        ProcessRegistry.Register(directory);
        return directory;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        ProcessRegistry.Unregister(this);
        if (KeepDirectories)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
