using System.Security.Cryptography;
using System.Text;

namespace OvnAcl.Testing.Fuzz;

/// <summary>
/// Runs one fuzz input against a check with a time limit, on its own thread so a hang fails the case instead of the
/// run, and saves every failing input where the message says, to be added to the regression corpus.
/// </summary>
public static class FuzzCase
{
    /// <summary>Where failing inputs are written: copy them into the test project's Corpus folder.</summary>
    public static string FailureDirectory { get; } = Path.Combine(Path.GetTempPath(), "ovnacl-fuzz-failures");

    /// <summary>
    /// Null when <paramref name="check"/> returned null within <paramref name="timeout"/>; otherwise why it failed (the
    /// reason it returned, the exception it threw, or that it hung) and the file the input was saved to.
    /// </summary>
    public static string? Run(string target, string extension, byte[] input, TimeSpan timeout, Func<string?> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        string? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                failure = check();
            }
            catch (Exception ex)
            {
                failure = $"unexpected {ex.GetType().Name}: {ex.Message}";
            }
        })
        { IsBackground = true };
        thread.Start();
        if (!thread.Join(timeout))
        {
            failure = $"hung for more than {timeout.TotalSeconds:0.#} s";
        }

        if (failure is null)
        {
            return null;
        }

        Directory.CreateDirectory(FailureDirectory);
        var path = Path.Combine(FailureDirectory, $"{target}-{Convert.ToHexStringLower(SHA256.HashData(input))[..12]}{extension}");
        File.WriteAllBytes(path, input);
        return $"{failure} (input saved to {path})";
    }

    public static string? Run(string target, string extension, string input, TimeSpan timeout, Func<string?> check) =>
        Run(target, extension, Encoding.UTF8.GetBytes(input), timeout, check);

    /// <summary>The files of a regression corpus copied next to the tests, in ordinal order.</summary>
    public static IEnumerable<string> Corpus(string folder) =>
        Directory.Exists(Path.Combine(AppContext.BaseDirectory, folder))
            ? Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, folder)).Order(StringComparer.Ordinal)
            : [];
}
