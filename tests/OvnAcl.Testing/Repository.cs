namespace OvnAcl.Testing;

/// <summary>Where the repository is, found from the test binaries upwards (for samples and scripts).</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OvnAcl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OvnAcl.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => LazyRoot.Value;
}
