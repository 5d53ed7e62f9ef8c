using System.Globalization;
using System.Text;

namespace OvnAcl;

/// <summary>Whether a diagnostic stops compilation; ordered, so <c>severity &gt;= Error</c> reads as it should.</summary>
public enum DiagnosticSeverity
{
    /// <summary>For information: something was read differently than one might assume (objects skipped).</summary>
    Note = -1,

    /// <summary>Compiled, but the result is probably not what was meant.</summary>
    Warning,

    /// <summary>The input is refused: nothing is compiled.</summary>
    Error,
}

/// <summary>A place in a text (a match expression, a file); <see cref="Line"/> and <see cref="Column"/> count from 1, <see cref="Offset"/> from 0.</summary>
public readonly record struct TextPosition(int Offset, int Line, int Column)
{
    /// <summary><c>LINE:COLUMN</c>, as compilers print a position.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Line}:{Column}");
}

/// <summary>
/// Where an object or text came from: a file (or a name standing for text without one, <c>match</c> for an expression
/// given on its own), the YAML document in it (1-based) and, inside a <c>kind: List</c>, the item.
/// </summary>
public sealed record ObjectSource(string File, int? Document = null, int? Item = null)
{
    /// <summary>The file, then <c>#DOCUMENT</c> and <c>/items[N]</c> when known: <c>web.yaml#2/items[0]</c>.</summary>
    public override string ToString() =>
        File + (Document is { } d ? "#" + d.ToString(CultureInfo.InvariantCulture) : "")
             + (Item is { } i ? $"/items[{i.ToString(CultureInfo.InvariantCulture)}]" : "");
}

/// <summary>
/// Where a problem is, as far as it is known: the source (<c>web.yaml#2</c>), a position in its text
/// (<c>1:17</c>, match expressions), the object (<c>NetworkPolicy shop/web</c>,
/// <c>security_group_rule 3f… (security_group 9a…)</c>) and the field (<c>spec.ingress[0].ports[1].port</c>).
/// </summary>
public sealed record DiagnosticLocation(ObjectSource? Source = null, string? Object = null, string? Field = null, TextPosition? Position = null)
{
    /// <summary>Nowhere in particular: a problem with the input as a whole.</summary>
    public static DiagnosticLocation None { get; } = new();

    /// <summary>The known parts joined by <c>": "</c>: <c>file#doc: line:col: object: field</c>; empty when nothing is known.</summary>
    public override string ToString()
    {
        var parts = new List<string>(4);
        if (Source is not null)
        {
            parts.Add(Source.ToString());
        }

        if (Position is { } position)
        {
            parts.Add(position.ToString());
        }

        if (Object is not null)
        {
            parts.Add(Object);
        }

        if (Field is not null)
        {
            parts.Add(Field);
        }

        return string.Join(": ", parts);
    }
}

/// <summary>
/// One problem found in input, whatever the front end (Kubernetes <c>OVNK</c>, Neutron <c>NEUT</c>, match language
/// <c>OVNM</c>): a stable <see cref="Code"/> that never changes meaning once shipped, a severity, a message and where it is.
/// </summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, DiagnosticLocation Location)
{
    /// <summary>True for <see cref="DiagnosticSeverity.Error"/>: the input is refused.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>An error: <paramref name="code"/> is the problem's stable id, <paramref name="message"/> says what is wrong, <paramref name="location"/> where.</summary>
    public static Diagnostic Error(string code, string message, DiagnosticLocation? location = null) =>
        new(code, DiagnosticSeverity.Error, message, location ?? DiagnosticLocation.None);

    /// <summary>A warning: the input is compiled anyway; <paramref name="code"/>, <paramref name="message"/> and <paramref name="location"/> as for <see cref="Error"/>.</summary>
    public static Diagnostic Warning(string code, string message, DiagnosticLocation? location = null) =>
        new(code, DiagnosticSeverity.Warning, message, location ?? DiagnosticLocation.None);

    /// <summary>A note: for information, it changes nothing (other kinds of objects skipped, counted).</summary>
    public static Diagnostic Note(string code, string message, DiagnosticLocation? location = null) =>
        new(code, DiagnosticSeverity.Note, message, location ?? DiagnosticLocation.None);

    /// <summary>
    /// <c>file#doc: object: field: CODE: message</c>, warnings as <c>CODE: warning: message</c>, notes as
    /// <c>CODE: note: message</c>; the form the CLI prints.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var where = Location.ToString();
        if (where.Length > 0)
        {
            text.Append(where).Append(": ");
        }

        text.Append(Code).Append(": ");
        text.Append(Severity switch
        {
            DiagnosticSeverity.Note => "note: ",
            DiagnosticSeverity.Warning => "warning: ",
            _ => "",
        });

        return text.Append(Message).ToString();
    }

    /// <summary>
    /// <see cref="ToString()"/>, then, when the position is known, the line of <paramref name="text"/> it is in and a caret
    /// under it (what <c>ovnacl match</c> prints).
    /// </summary>
    public string ToStringWithCaret(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = ToString();
        var lines = text.Split('\n');
        if (Location.Position is { } at && at.Line >= 1 && at.Line <= lines.Length)
        {
            var line = lines[at.Line - 1].TrimEnd('\r');
            result += Environment.NewLine + "  " + line + Environment.NewLine + "  " + new string(' ', Math.Clamp(at.Column - 1, 0, line.Length)) + "^";
        }

        return result;
    }
}
