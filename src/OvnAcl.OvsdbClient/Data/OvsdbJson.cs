using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>
/// Reads and writes atoms, datums and rows in the JSON notation of RFC 7047 §5.1.
/// </summary>
/// <remarks>
/// Typed reads check shape and atomic types but not the schema's constraints (counts, enums, ranges):
/// the server is the authority on what its rows hold, and an update2 diff may legitimately hold more
/// elements than the column's maximum. Use <see cref="ColumnType.Validate"/> to check constraints.
/// </remarks>
internal static class OvsdbJson
{
    /// <summary>Writer options for text meant to be read by people; the wire may use the same.</summary>
    public static readonly JsonWriterOptions ReadableOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Longest "R" form of a double is 24 characters ("-1.7976931348623157E+308"), plus ".0".
    private const int MaxRealLength = 32;

    public static void WriteAtom(Utf8JsonWriter writer, OvsdbAtom atom)
    {
        switch (atom.Type)
        {
            // RFC 7047 §5.1 <atom>: integer, real, boolean and string are bare JSON values.
            case OvsdbAtomicType.Integer:
                writer.WriteNumberValue(atom.AsInteger());
                break;
            case OvsdbAtomicType.Real:
                Span<byte> text = stackalloc byte[MaxRealLength];
                writer.WriteRawValue(text[..FormatReal(atom.AsReal(), text)], skipInputValidation: true);
                break;
            case OvsdbAtomicType.Boolean:
                writer.WriteBooleanValue(atom.AsBoolean());
                break;
            case OvsdbAtomicType.String:
                writer.WriteStringValue(atom.AsString());
                break;
            // RFC 7047 §5.1 <named-uuid>: ["named-uuid", <id>].
            case OvsdbAtomicType.Uuid when atom.IsNamedUuid:
                writer.WriteStartArray();
                writer.WriteStringValue("named-uuid"u8);
                writer.WriteStringValue(atom.NamedUuidName);
                writer.WriteEndArray();
                break;
            // RFC 7047 §5.1 <uuid>: ["uuid", <string>].
            default:
                writer.WriteStartArray();
                writer.WriteStringValue("uuid"u8);
                writer.WriteStringValue(atom.AsUuid());
                writer.WriteEndArray();
                break;
        }
    }

    public static void WriteDatum(Utf8JsonWriter writer, OvsdbDatum datum)
    {
        var keys = datum.Keys;
        if (datum.IsMap)
        {
            // RFC 7047 §5.1 <map>: ["map", [[<atom>, <atom>], ...]].
            var values = datum.Values;
            writer.WriteStartArray();
            writer.WriteStringValue("map"u8);
            writer.WriteStartArray();
            for (var i = 0; i < keys.Length; i++)
            {
                writer.WriteStartArray();
                WriteAtom(writer, keys[i]);
                WriteAtom(writer, values[i]);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }
        else if (keys.Length == 1)
        {
            // RFC 7047 §5.1 <set>: a set of exactly one element may be the bare atom.
            WriteAtom(writer, keys[0]);
        }
        else
        {
            // RFC 7047 §5.1 <set>: ["set", [<atom>, ...]].
            writer.WriteStartArray();
            writer.WriteStringValue("set"u8);
            writer.WriteStartArray();
            foreach (var key in keys)
            {
                WriteAtom(writer, key);
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }
    }

    /// <summary>Writes a <c>&lt;row&gt;</c> (RFC 7047 §5.1): a JSON object from column names to values.</summary>
    public static void WriteRow(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, OvsdbDatum>> row)
    {
        writer.WriteStartObject();
        foreach (var (column, value) in row)
        {
            writer.WritePropertyName(column);
            WriteDatum(writer, value);
        }

        writer.WriteEndObject();
    }

    public static string ToJsonString(OvsdbAtom atom) => Format(atom, static (w, a) => WriteAtom(w, a));

    public static string ToJsonString(OvsdbDatum datum) => Format(datum, static (w, d) => WriteDatum(w, d));

    /// <summary>Reads an atom of the given type, also accepting an integer for a real (as ovsdb-server writes integral reals).</summary>
    public static OvsdbAtom ReadAtom(JsonElement json, BaseType type)
    {
        switch (type.Type)
        {
            case OvsdbAtomicType.Integer:
                return json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var integer)
                    ? OvsdbAtom.Integer(integer)
                    : throw Malformed("an integer", json);
            case OvsdbAtomicType.Real:
                // RFC 7047 §5.1: a real may arrive as any JSON number; ovsdb-server prints 1.0 as 1.
                return json.ValueKind == JsonValueKind.Number && json.TryGetDouble(out var real) && double.IsFinite(real)
                    ? OvsdbAtom.Real(real)
                    : throw Malformed("a real", json);
            case OvsdbAtomicType.Boolean:
                return json.ValueKind switch
                {
                    JsonValueKind.True => OvsdbAtom.Boolean(true),
                    JsonValueKind.False => OvsdbAtom.Boolean(false),
                    _ => throw Malformed("a boolean", json),
                };
            case OvsdbAtomicType.String:
                return json.ValueKind == JsonValueKind.String
                    ? OvsdbAtom.String(ReadString(json, type))
                    : throw Malformed("a string", json);
            default:
                return ReadUuid(json, allowNamed: false) ?? throw Malformed("a uuid", json);
        }
    }

    /// <summary>Reads a value of the given column type in any form RFC 7047 §5.1 allows.</summary>
    public static OvsdbDatum ReadDatum(JsonElement json, ColumnType type)
    {
        if (type.IsMap)
        {
            // RFC 7047 §5.1 <map>: ["map", [[key, value], ...]].
            if (!IsTagged(json, "map"u8, out var pairs))
            {
                throw Malformed($"a map of {type.Key}-to-{type.Value}", json);
            }

            var count = pairs.GetArrayLength();
            var keys = count == 0 ? [] : new OvsdbAtom[count];
            var values = count == 0 ? [] : new OvsdbAtom[count];
            var i = 0;
            foreach (var pair in pairs.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                {
                    throw Malformed("a [key, value] pair", pair);
                }

                keys[i] = ReadAtom(pair[0], type.Key);
                values[i] = ReadAtom(pair[1], type.Value!);
                i++;
            }

            return SortedDatum(keys, values);
        }

        // RFC 7047 §5.1 <set>: ["set", [...]] or, for one element, the bare atom.
        if (IsTagged(json, "set"u8, out var elements))
        {
            var count = elements.GetArrayLength();
            var keys = count == 0 ? [] : new OvsdbAtom[count];
            var i = 0;
            foreach (var element in elements.EnumerateArray())
            {
                keys[i++] = ReadAtom(element, type.Key);
            }

            return SortedDatum(keys, null);
        }

        return OvsdbDatum.Scalar(ReadAtom(json, type.Key));
    }

    /// <summary>
    /// Reads a value without a schema, for tools: a number with a fraction or exponent is a real, other
    /// numbers integers (reals when beyond 64 bits), and named-uuids are accepted.
    /// </summary>
    public static OvsdbDatum ReadDatum(JsonElement json)
    {
        if (IsTagged(json, "map"u8, out var pairs))
        {
            var keys = new List<OvsdbAtom>();
            var values = new List<OvsdbAtom>();
            foreach (var pair in pairs.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                {
                    throw Malformed("a [key, value] pair", pair);
                }

                keys.Add(ReadAtom(pair[0]));
                values.Add(ReadAtom(pair[1]));
            }

            return SortedDatum([.. keys], [.. values]);
        }

        if (IsTagged(json, "set"u8, out var elements))
        {
            var keys = new List<OvsdbAtom>();
            foreach (var element in elements.EnumerateArray())
            {
                keys.Add(ReadAtom(element));
            }

            return SortedDatum([.. keys], null);
        }

        return OvsdbDatum.Scalar(ReadAtom(json));
    }

    /// <summary>Reads an atom without a schema; see <see cref="ReadDatum(JsonElement)"/>.</summary>
    public static OvsdbAtom ReadAtom(JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Number:
                var raw = JsonMarshal.GetRawUtf8Value(json);
                if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && json.TryGetInt64(out var integer))
                {
                    return OvsdbAtom.Integer(integer);
                }

                return json.TryGetDouble(out var real) && double.IsFinite(real) ? OvsdbAtom.Real(real) : throw Malformed("a finite number", json);
            case JsonValueKind.True:
                return OvsdbAtom.Boolean(true);
            case JsonValueKind.False:
                return OvsdbAtom.Boolean(false);
            case JsonValueKind.String:
                return OvsdbAtom.String(json.GetString()!);
            default:
                return ReadUuid(json, allowNamed: true) ?? throw Malformed("an atom", json);
        }
    }

    /// <summary>
    /// Reads a value of the given column type straight from a reader positioned on its first token, leaving
    /// the reader on its last token; the same forms and checks as <see cref="ReadDatum(JsonElement, ColumnType)"/>
    /// without building a document. The reader must hold the whole value (not a partial buffer).
    /// </summary>
    public static OvsdbDatum ReadDatum(ref Utf8JsonReader reader, ColumnType type)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            // RFC 7047 §5.1 <set>: a bare atom is a set of one.
            return type.IsMap ? throw Malformed($"a map of {type.Key}-to-{type.Value}", ref reader) : OvsdbDatum.Scalar(ReadScalarAtom(ref reader, type.Key));
        }

        Next(ref reader);
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Malformed("\"set\", \"map\" or \"uuid\" after [", ref reader);
        }

        if (type.IsMap)
        {
            // RFC 7047 §5.1 <map>: ["map", [[key, value], ...]].
            if (!reader.ValueTextEquals("map"u8))
            {
                throw Malformed($"a map of {type.Key}-to-{type.Value}", ref reader);
            }

            Next(ref reader, JsonTokenType.StartArray);
            var keys = new List<OvsdbAtom>();
            var values = new List<OvsdbAtom>();
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Malformed("a [key, value] pair", ref reader);
                }

                Next(ref reader);
                keys.Add(ReadAtom(ref reader, type.Key));
                Next(ref reader);
                values.Add(ReadAtom(ref reader, type.Value!));
                Next(ref reader, JsonTokenType.EndArray);
            }

            Next(ref reader, JsonTokenType.EndArray);
            return SortedDatum([.. keys], [.. values]);
        }

        // RFC 7047 §5.1 <set>: ["set", [...]].
        if (reader.ValueTextEquals("set"u8))
        {
            Next(ref reader, JsonTokenType.StartArray);
            var keys = new List<OvsdbAtom>();
            while (Next(ref reader) != JsonTokenType.EndArray)
            {
                keys.Add(ReadAtom(ref reader, type.Key));
            }

            Next(ref reader, JsonTokenType.EndArray);
            return SortedDatum([.. keys], null);
        }

        // A bare uuid atom, already inside its array.
        return type.Key.Type == OvsdbAtomicType.Uuid
            ? OvsdbDatum.Scalar(ReadUuidRest(ref reader))
            : throw Malformed($"a {type}", ref reader);
    }

    private static OvsdbAtom ReadAtom(ref Utf8JsonReader reader, BaseType type)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ReadScalarAtom(ref reader, type);
        }

        // RFC 7047 §5.1 <uuid>: ["uuid", "..."].
        Next(ref reader);
        if (type.Type != OvsdbAtomicType.Uuid || reader.TokenType != JsonTokenType.String)
        {
            throw Malformed($"a {OvsdbAtom.TypeName(type.Type)}", ref reader);
        }

        return ReadUuidRest(ref reader);
    }

    /// <summary>Reads <c>"uuid", "…"]</c> with the reader on the tag.</summary>
    private static OvsdbAtom ReadUuidRest(ref Utf8JsonReader reader)
    {
        if (!reader.ValueTextEquals("uuid"u8))
        {
            throw Malformed("a uuid", ref reader);
        }

        Next(ref reader, JsonTokenType.String);
        var atom = reader.TryGetGuid(out var uuid) ? OvsdbAtom.Uuid(uuid) : throw Malformed("a uuid string", ref reader);
        Next(ref reader, JsonTokenType.EndArray);
        return atom;
    }

    private static OvsdbAtom ReadScalarAtom(ref Utf8JsonReader reader, BaseType type)
    {
        switch (type.Type)
        {
            case OvsdbAtomicType.Integer when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var integer):
                return OvsdbAtom.Integer(integer);
            case OvsdbAtomicType.Real when reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var real) && double.IsFinite(real):
                return OvsdbAtom.Real(real);
            case OvsdbAtomicType.Boolean when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                return OvsdbAtom.Boolean(reader.GetBoolean());
            case OvsdbAtomicType.String when reader.TokenType == JsonTokenType.String:
                if (type.Enum is { } allowed)
                {
                    foreach (var atom in allowed.Keys)
                    {
                        if (atom.Type == OvsdbAtomicType.String && reader.ValueTextEquals(atom.AsString()))
                        {
                            return atom;
                        }
                    }
                }

                return OvsdbAtom.String(reader.GetString()!);
            default:
                throw Malformed($"a {OvsdbAtom.TypeName(type.Type)}", ref reader);
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new OvsdbProtocolException("A datum ended before its value was complete.");
        }

        return reader.TokenType;
    }

    private static void Next(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (Next(ref reader) != expected)
        {
            throw Malformed($"JSON {expected}", ref reader);
        }
    }

    private static OvsdbProtocolException Malformed(string expected, ref Utf8JsonReader reader) =>
        new($"Expected {expected} (RFC 7047 §5.1), got {reader.TokenType} at byte {reader.TokenStartIndex}.");

    /// <summary>Reads a <c>&lt;row&gt;</c> (RFC 7047 §5.1) of the table; a column the schema lacks is an error.</summary>
    public static Dictionary<string, OvsdbDatum> ReadRow(JsonElement json, TableSchema table)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw Malformed($"a row of table {table.Name}", json);
        }

        var row = new Dictionary<string, OvsdbDatum>(StringComparer.Ordinal);
        foreach (var member in json.EnumerateObject())
        {
            if (!table.Columns.TryGetValue(member.Name, out var column))
            {
                throw new OvsdbProtocolException($"Table {table.Name} has no column {member.Name}, yet the server sent it.");
            }

            row[column.Name] = ReadDatum(member.Value, column.Type);
        }

        return row;
    }

    private static string ReadString(JsonElement json, BaseType type)
    {
        // Enum columns repeat a few strings across many rows: share the schema's instances.
        if (type.Enum is { } allowed)
        {
            foreach (var atom in allowed.Keys)
            {
                if (atom.Type == OvsdbAtomicType.String && json.ValueEquals(atom.AsString()))
                {
                    return atom.AsString();
                }
            }
        }

        return json.GetString()!;
    }

    private static OvsdbAtom? ReadUuid(JsonElement json, bool allowNamed)
    {
        if (json.ValueKind != JsonValueKind.Array || json.GetArrayLength() != 2)
        {
            return null;
        }

        var tag = json[0];
        var value = json[1];
        if (tag.ValueKind != JsonValueKind.String || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // RFC 7047 §5.1 <uuid>: ["uuid", "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"].
        if (tag.ValueEquals("uuid"u8))
        {
            return value.TryGetGuid(out var uuid) ? OvsdbAtom.Uuid(uuid) : throw Malformed("a uuid string", value);
        }

        // RFC 7047 §5.1 <named-uuid>: only requests carry these.
        if (allowNamed && tag.ValueEquals("named-uuid"u8))
        {
            var name = value.GetString()!;
            return OvsdbAtom.IsIdentifier(name) ? OvsdbAtom.NamedUuid(name) : throw Malformed("a uuid-name", value);
        }

        return null;
    }

    private static bool IsTagged(JsonElement json, ReadOnlySpan<byte> tag, out JsonElement contents)
    {
        if (json.ValueKind == JsonValueKind.Array
            && json.GetArrayLength() == 2
            && json[0].ValueKind == JsonValueKind.String
            && json[0].ValueEquals(tag))
        {
            contents = json[1];
            if (contents.ValueKind != JsonValueKind.Array)
            {
                throw Malformed($"an array after \"{Encoding.UTF8.GetString(tag)}\"", json);
            }

            return true;
        }

        contents = default;
        return false;
    }

    /// <summary>ovsdb-server sends datums sorted; sort only when a peer did not, and refuse duplicates.</summary>
    private static OvsdbDatum SortedDatum(OvsdbAtom[] keys, OvsdbAtom[]? values)
    {
        for (var i = 1; i < keys.Length; i++)
        {
            if (keys[i - 1].CompareTo(keys[i]) >= 0)
            {
                if (values is null)
                {
                    Array.Sort(keys);
                }
                else
                {
                    Array.Sort(keys, values);
                }

                for (var j = 1; j < keys.Length; j++)
                {
                    if (keys[j - 1] == keys[j])
                    {
                        throw new OvsdbProtocolException($"A {(values is null ? "set" : "map")} holds {keys[j]} twice.");
                    }
                }

                break;
            }
        }

        return OvsdbDatum.FromSortedUnique(keys, values);
    }

    internal static int FormatReal(double value, Span<byte> destination)
    {
        if (!value.TryFormat(destination, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"The real {value} did not fit its buffer.");
        }

        // Without a fraction or exponent the number would read back as an integer (RFC 7047 §5.1 <real>).
        if (destination[..written].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            destination[written++] = (byte)'.';
            destination[written++] = (byte)'0';
        }

        return written;
    }

    private static OvsdbProtocolException Malformed(string expected, JsonElement json) =>
        new($"Expected {expected} (RFC 7047 §5.1), got {Abbreviate(json)}.");

    private static string Abbreviate(JsonElement json)
    {
        const int limit = 200;
        var raw = JsonMarshal.GetRawUtf8Value(json);
        return raw.Length <= limit
            ? Encoding.UTF8.GetString(raw)
            : Encoding.UTF8.GetString(raw[..limit]) + "…";
    }

    private static string Format<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, ReadableOptions))
        {
            write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
