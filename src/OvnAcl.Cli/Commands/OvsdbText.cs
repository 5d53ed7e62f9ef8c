using System.Text;
using System.Text.Json;
using OvnAcl.Ovsdb;

namespace OvnAcl.Cli.Commands;

/// <summary>Values in the notation ovn-nbctl prints: bare simple strings, <c>[a, b]</c> sets, <c>{k=v}</c> maps.</summary>
internal static class OvsdbText
{
    /// <param name="type">The column's type: a set column prints brackets even around one element, as ovn-nbctl does.</param>
    public static string Format(OvsdbDatum value, ColumnType? type = null)
    {
        if (value.IsMap)
        {
            var map = new StringBuilder("{");
            for (var i = 0; i < value.Count; i++)
            {
                map.Append(i == 0 ? "" : ", ").Append(Format(value.Keys[i])).Append('=').Append(Format(value.Values[i]));
            }

            return map.Append('}').ToString();
        }

        if (value.Count == 1 && (type is null || type.Max == 1))
        {
            return Format(value.Keys[0]);
        }

        var set = new StringBuilder("[");
        for (var i = 0; i < value.Count; i++)
        {
            set.Append(i == 0 ? "" : ", ").Append(Format(value.Keys[i]));
        }

        return set.Append(']').ToString();
    }

    private static string Format(OvsdbAtom atom) => atom.Type switch
    {
        OvsdbAtomicType.String => IsBare(atom.AsString()) ? atom.AsString() : JsonSerializer.Serialize(atom.AsString(), s_unescaped),
        OvsdbAtomicType.Uuid when !atom.IsNamedUuid => atom.AsUuid().ToString(),
        OvsdbAtomicType.Boolean => atom.AsBoolean() ? "true" : "false",
        _ => atom.ToString(),
    };

    private static readonly JsonSerializerOptions s_unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static bool IsBare(string text) =>
        text.Length > 0 && !char.IsDigit(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '/')
        && text is not ("true" or "false");
}
