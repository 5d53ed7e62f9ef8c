using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OvnAcl.Match;

namespace OvnAcl.Cli.Commands;

/// <summary><c>ovnacl match EXPR [--json]</c>: parse and check an OVN match, print its canonical form or what is wrong with it.</summary>
internal static class MatchCommand
{
    public static Command Create()
    {
        var expression = new Argument<string>("EXPR") { Description = "An OVN match expression (quote it for the shell)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object: input, valid, canonical, diagnostics" };
        var command = new Command("match", "Parse and check an OVN match expression and print it canonically");
        command.Add(expression);
        command.Add(json);
        command.SetAction(result => Run(result, result.GetValue(expression)!, result.GetValue(json)));
        return command;
    }

    private static int Run(ParseResult result, string text, bool json)
    {
        var output = CommandRunner.Output(result);
        var valid = MatchExpression.TryParse(text, out var parsed, out var diagnostics);
        if (json)
        {
            var report = new MatchReportJson(text, valid, parsed is null ? null : MatchExpression.Print(parsed),
                [.. diagnostics.Select(d => new MatchDiagnosticJson(d.Code, d.Message, d.Location.Position?.Line, d.Location.Position?.Column, d.Location.Position?.Offset))]);
            output.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Output.MatchReportJson));
            return valid ? 0 : 1;
        }

        if (valid)
        {
            output.WriteLine(MatchExpression.Print(parsed!));
            return 0;
        }

        foreach (var diagnostic in diagnostics)
        {
            CommandRunner.Error(result).WriteLine(diagnostic.ToStringWithCaret(text));
        }

        return 1;
    }
}

internal sealed record MatchReportJson(string Input, bool Valid, string? Canonical, IReadOnlyList<MatchDiagnosticJson> Diagnostics);

internal sealed record MatchDiagnosticJson(string Code, string Message, int? Line, int? Column, int? Offset);

/// <summary>
/// The CLI's own <c>--json</c> shapes, written as the libraries write theirs (README, "JSON output"): snake_case names,
/// indented, match syntax unescaped.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(MatchReportJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    public static CliJsonContext Output { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
