using System.CommandLine;
using System.Text.Json;
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
        command.SetAction(result => Run(result.GetValue(expression)!, result.GetValue(json)));
        return command;
    }

    private static int Run(string text, bool json)
    {
        var valid = MatchExpression.TryParse(text, out var parsed, out var diagnostics);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(
                new
                {
                    input = text,
                    valid,
                    canonical = parsed is null ? null : MatchExpression.Print(parsed),
                    diagnostics = diagnostics.Select(d => new
                    {
                        code = d.Code,
                        message = d.Message,
                        line = d.Location.Position?.Line,
                        column = d.Location.Position?.Column,
                        offset = d.Location.Position?.Offset,
                    }),
                },
                new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return valid ? 0 : 1;
        }

        if (valid)
        {
            Console.WriteLine(MatchExpression.Print(parsed!));
            return 0;
        }

        foreach (var diagnostic in diagnostics)
        {
            Console.Error.WriteLine(diagnostic.ToStringWithCaret(text));
        }

        return 1;
    }
}
