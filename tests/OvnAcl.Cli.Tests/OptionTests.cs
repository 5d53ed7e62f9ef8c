using OvnAcl.Testing;

namespace OvnAcl.Cli.Tests;

/// <summary>Typed options refuse a bad value before anything runs (no database is touched), with a message that names the option.</summary>
public sealed class OptionTests
{
    [Theory]
    [InlineData("--rate=x", "--rate takes comma-separated numbers, not 'x'")]
    [InlineData("--batch=10,a", "--batch takes comma-separated numbers, not '10,a'")]
    [InlineData("--soak=0", "--soak takes a duration such as 90s, 10m or 1h, not '0'")]
    [InlineData("--fault-every=10d", "--fault-every takes a duration such as 90s, 10m or 1h, not '10d'")]
    [InlineData("--start=cloud", "--start: takes standalone, raft or both, not 'cloud'")]
    [InlineData("--peers=ovsdbapp,nope", "--peers: unknown peer 'nope'; known: ovsdbapp, raw, or none alone")]
    [InlineData("--faults=melt", "--faults:")]
    public async Task Bench_churn_options(string option, string message)
    {
        var result = await Cli.RunAsync("bench", "churn", "--db", "unix:/nonexistent", option);
        Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench|sync|--run-timeout|0", "--run-timeout takes a duration such as 90s, 10m or 1h, not '0'")]
    [InlineData("bench|sync|--peers|wire,x", "--peers:")]
    [InlineData("db|seed|--ports|-1", "--ports must be 0 or more, not -1")]
    [InlineData("db|seed|--acls-per-group|-5", "--acls-per-group must be 0 or more, not -5")]
    [InlineData("show|--controller| ", "--controller needs a name")]
    public async Task Other_commands_options(string commandLine, string message)
    {
        var result = await Cli.RunAsync([.. commandLine.Split('|'), "--db", "unix:/nonexistent"]);
        Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    /// <summary><c>bench enforce</c> starts its own sandbox (no --db): a bad value is refused before any process starts.</summary>
    [Theory]
    [InlineData("--shapes=pod-churn,x", "--shapes: takes pod-churn, ipblock-except, named-port, namespace-selector, policy-churn, cluster-policy, not 'x'")]
    [InlineData("--formulations=calico", "--formulations: takes ovnacl, ovn-kubernetes, not 'calico'")]
    [InlineData("--chassis=0", "--chassis: must be between 1 and 250, not 0")]
    [InlineData("--events=0", "--events: must be 1 or more, not 0")]
    [InlineData("--rounds=0", "--rounds: must be 1 or more, not 0")]
    public async Task Bench_enforce_options(string option, string message)
    {
        var result = await Cli.RunAsync("bench", "enforce", option);
        Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compile")]
    [InlineData("apply")]
    [InlineData("explain")]
    public async Task An_unknown_option_beside_inputs_is_named_not_read_as_a_file(string command)
    {
        var result = await Cli.RunAsync(command, Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier"), "--jsno", "--from", "a", "--to", "b", "-p", "tcp", "--port", "1");
        Assert.Equal((1, ""), (result.ExitCode, result.Stdout));
        Assert.Contains("unknown option '--jsno' (see --help)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_is_an_error()
    {
        var result = await Cli.RunAsync("nonsense");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nonsense", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_read_seconds_minutes_and_hours()
    {
        foreach (var (text, seconds) in new[] { ("90", 90.0), ("90s", 90), ("1.5m", 90), ("2h", 7200), ("0.5S", 0.5) })
        {
            Assert.True(Commands.OptionParsers.TryParseDuration(text, out var duration), text);
            Assert.Equal(seconds, duration.TotalSeconds);
        }

        foreach (var text in new[] { "", "s", "-1s", "0", "1d", "1 m m", "NaN", "Infinity" })
        {
            Assert.False(Commands.OptionParsers.TryParseDuration(text, out _), text);
        }
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var help = await Cli.RunAsync("--help");
        Assert.True(help.Succeeded, help.Describe());
        foreach (var command in new[] { "db", "bench", "match", "compile", "explain", "apply", "show" })
        {
            Assert.Contains("  " + command, help.Stdout, StringComparison.Ordinal);
        }
    }
}
