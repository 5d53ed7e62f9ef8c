namespace OvnAcl.Sandbox;

/// <summary>What one run of a command-line tool produced.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>From the start of the process until it had exited and its output was read.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The first line of stderr, for a one-line note; <c>(no error output)</c> when there was none.</summary>
    public string FirstStderrLine => Stderr.Trim().Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : "(no error output)";

    /// <summary>A multi-line account of the run for assertion and exception messages.</summary>
    public string Describe() =>
        $"`{CommandLine}` exited with {ExitCode}" +
        (Stdout.Length > 0 ? $"\n--- stdout ---\n{Stdout.TrimEnd()}" : "") +
        (Stderr.Length > 0 ? $"\n--- stderr ---\n{Stderr.TrimEnd()}" : "");
}

/// <summary>A tool run that had to succeed exited non-zero; <see cref="Result"/> holds its output.</summary>
public sealed class ToolFailedException : Exception
{
    public ToolFailedException(ToolResult result) : base(result.Describe()) => Result = result;

    public ToolResult Result { get; }
}
