namespace OvnAcl.Sandbox;

/// <summary>What one run of a command-line tool produced.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

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
