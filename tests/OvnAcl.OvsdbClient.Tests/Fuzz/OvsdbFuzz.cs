using System.Buffers;
using System.Text;
using System.Text.Json;
using OvnAcl.Ovsdb;
using OvnAcl.Ovsdb.Protocol;
using OvnAcl.OvsdbClient.Tests.Transactions;

namespace OvnAcl.OvsdbClient.Tests.Fuzz;

/// <summary>
/// The contracts the OVSDB fuzz properties and the regression corpus check: whatever a server sends, the framer
/// returns whole JSON objects or throws <see cref="OvsdbProtocolException"/>, and decoding values, updates and
/// transaction replies throws nothing but <see cref="OvsdbProtocolException"/> or <see cref="OvsdbValueException"/>.
/// Each check returns null when the contract held, or what broke it.
/// </summary>
internal static class OvsdbFuzz
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const string As1 = "11111111-0000-4000-8000-000000000001";
    private const string Pg1 = "11111111-0000-4000-8000-000000000002";
    private const string Acl1 = "11111111-0000-4000-8000-000000000003";

    /// <summary>A monitor's initial contents: an address set, a port group and its ACL.</summary>
    public static readonly string Initial = Ids("""
        {"Address_Set":{"AS1":{"initial":{"name":"as1","addresses":["set",["10.0.0.1","10.0.0.2"]],"external_ids":["map",[["owner","x"]]]}}},
         "Port_Group":{"PG1":{"initial":{"name":"pg1","ports":["set",[]],"acls":["uuid","ACL1"]}}},
         "ACL":{"ACL1":{"initial":{"priority":1001,"direction":"to-lport","match":"ip4.src == $as1","action":"allow-related","name":"a","severity":["set",[]],"meter":["set",[]],"log":false}}}}
        """);

    /// <summary>update2/update3 table-updates against <see cref="Initial"/>, and the messages that carry them.</summary>
    public static IReadOnlyList<string> UpdateSeeds { get; } = Ids(
    [
        """{"Address_Set":{"AS1":{"modify":{"addresses":["set",["10.0.0.1","10.0.0.3"]],"external_ids":["map",[["owner","y"]]]}}}}""",
        """{"ACL":{"ACL1":{"delete":null}},"Port_Group":{"PG1":{"modify":{"acls":["uuid","ACL1"],"name":"pg2"}}}}""",
        """{"Address_Set":{"22222222-0000-4000-8000-000000000001":{"insert":{"name":"as2","addresses":"10.1.0.0/16"}}}}""",
        """{"ACL":{"ACL1":{"modify":{"priority":2000,"severity":"alert","log":true,"options":["map",[["log-related","true"]]]}}}}""",
    ]);

    public static IReadOnlyList<string> StreamSeeds { get; } = Ids(
    [
        """{"id":null,"method":"update3","params":["m","AS1",UPDATE0]}{"id":7,"result":INITIAL,"error":null}""",
        """{"id":3,"result":[{"uuid":["uuid","AS1"]},{"rows":[{"_uuid":["uuid","AS1"],"priority":1}]},{"count":2},{}],"error":null} {"method":"echo","params":[],"id":"echo"}""",
        """{"id":4,"result":null,"error":{"error":"unknown database","details":"x"}}{"method":"update2","params":["m",UPDATE1],"id":null}""",
    ]);

    /// <summary>Results of a transact of insert ACL, select ACL, delete ACL, comment (RFC 7047 §4.1.3).</summary>
    public static IReadOnlyList<string> TransactionSeeds { get; } = Ids(
    [
        """[{"uuid":["uuid","AS1"]},{"rows":[{"_uuid":["uuid","AS1"],"priority":1,"severity":["set",[]]}]},{"count":2},{}]""",
        """[{"uuid":["uuid","11111111-0000-4000-8000-000000000001"]},{"error":"constraint violation","details":"no such thing"},null,null]""",
        """[{"uuid":["uuid","11111111-0000-4000-8000-000000000001"]},{"rows":[]},{"count":0},{},{"error":"referential integrity violation","details":"x"}]""",
    ]);

    /// <summary>Values in every RFC 7047 §5.1 form.</summary>
    public static IReadOnlyList<string> DatumSeeds { get; } =
    [
        """["map",[["a","b"],["c","d"]]]""", """["set",[1,2,3]]""", """["set",[]]""", """["uuid","11111111-0000-4000-8000-000000000001"]""",
        """["named-uuid","row1"]""", "1.5", "-9223372036854775808", "true", "\"text\"", """["set",[["uuid","11111111-0000-4000-8000-000000000001"]]]""",
    ];

    private static string Ids(string text) =>
        text.Replace("AS1", As1, StringComparison.Ordinal).Replace("PG1", Pg1, StringComparison.Ordinal).Replace("ACL1", Acl1, StringComparison.Ordinal)
            .Replace("INITIAL", Initial, StringComparison.Ordinal)
            .Replace("UPDATE0", UpdateSeeds?[0], StringComparison.Ordinal).Replace("UPDATE1", UpdateSeeds?[1], StringComparison.Ordinal);

    private static string[] Ids(string[] texts) => [.. texts.Select(Ids)];

    private static readonly Lazy<DatabaseSchema> Schema = new(() => OvsdbTransactionTests.Nb);

    private static readonly string[] TypedColumns = ["ACL.priority", "ACL.severity", "ACL.options", "ACL.log", "ACL.label", "Port_Group.acls", "Address_Set.addresses", "NB_Global.options", "Logical_Switch_Port.tag"];

    /// <summary>The bytes fed to the framer in the given pieces; every message it returns must be a JSON object.</summary>
    public static string? Framer(byte[] bytes, IReadOnlyList<int> cuts)
    {
        var framer = new JsonMessageFramer(maxMessageSize: 1 << 20);
        var pending = Array.Empty<byte>();
        var start = 0;
        foreach (var end in cuts.Select(c => c % (bytes.Length + 1)).Where(c => c > 0).Distinct().Order().Append(bytes.Length))
        {
            pending = [.. pending, .. bytes[start..end]];
            start = end;
            var buffer = new ReadOnlySequence<byte>(pending);
            try
            {
                for (var guard = 0; framer.TryParseMessage(ref buffer, out var message); guard++)
                {
                    if (guard > bytes.Length)
                    {
                        return "the framer returned more messages than there are bytes";
                    }

                    var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 256 });
                    using var document = JsonDocument.ParseValue(ref reader);
                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return $"the framer returned a {document.RootElement.ValueKind}";
                    }
                }
            }
            catch (OvsdbProtocolException)
            {
                return null;
            }

            pending = buffer.ToArray();
        }

        return null;
    }

    /// <summary>A table-updates document applied to a replica holding <see cref="Initial"/>, and as initial contents.</summary>
    public static string? Update(string json) => Decoding(json, element =>
    {
        var replica = NewReplica();
        replica.Replace(Parse(Initial), UpdateFormat.Update2, null);
        Allowed(() => replica.ApplyUpdate(element, UpdateFormat.Update2, "t"));
        Allowed(() => replica.ApplyUpdate(element, UpdateFormat.Update1, null));
        Allowed(() => NewReplica().Replace(element, UpdateFormat.Update2, null));
    });

    /// <summary>A transact reply's result decoded for a transaction of four operations.</summary>
    public static string? Transaction(string json) => Decoding(json, element => Allowed(() => OvsdbTransactionResult.Parse(FourOperations(), element)));

    /// <summary>A value read without a schema and as each of a few column types.</summary>
    public static string? Datum(string json) => Decoding(json, element =>
    {
        Allowed(() => OvsdbJson.ReadDatum(element));
        foreach (var column in TypedColumns)
        {
            var (table, name) = (column[..column.IndexOf('.')], column[(column.IndexOf('.') + 1)..]);
            var type = Schema.Value.GetTable(table).Columns[name].Type;
            Allowed(() => OvsdbJson.ReadDatum(element, type));
            var bytes = Encoding.UTF8.GetBytes(element.GetRawText());
            Allowed(() =>
            {
                var reader = new Utf8JsonReader(bytes);
                reader.Read();
                OvsdbJson.ReadDatum(ref reader, type);
            });
        }
    });

    private static string? Decoding(string json, Action<JsonElement> decode)
    {
        JsonDocument document;
        try
        {
            // What a server sends is UTF-8 bytes: encoding turns a mutation's unpaired surrogate into U+FFFD, as the wire would.
            document = JsonDocument.Parse(Encoding.UTF8.GetBytes(json), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return null; // not JSON: the framer's business, never the decoder's input
        }

        using (document)
        {
            try
            {
                decode(document.RootElement);
                return null;
            }
            catch (UnexpectedException ex)
            {
                return ex.Message;
            }
        }
    }

    private static void Allowed(Action decode)
    {
        try
        {
            decode();
        }
        catch (Exception ex) when (ex is OvsdbProtocolException or OvsdbValueException)
        {
        }
        catch (Exception ex)
        {
            throw new UnexpectedException($"unexpected {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }
    }

    private static OvsdbReplica NewReplica() =>
        new(Schema.Value, [new OvsdbTableMonitor("Address_Set"), new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("ACL")]);

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static OvsdbTransaction FourOperations()
    {
        var tx = new OvsdbTransaction(Schema.Value);
        tx.Insert("ACL", new Dictionary<string, OvsdbDatum>
        {
            ["priority"] = OvsdbDatum.FromInteger(1),
            ["direction"] = OvsdbDatum.FromString("to-lport"),
            ["match"] = OvsdbDatum.FromString("1"),
            ["action"] = OvsdbDatum.FromString("drop"),
        }, "acl0");
        tx.Select("ACL", [OvsdbCondition.Equal("match", "1")], ["_uuid", "priority", "severity"]);
        tx.Delete("ACL", [OvsdbCondition.Equal("match", "2")]);
        tx.Comment("x");
        return tx;
    }

    private sealed class UnexpectedException(string message) : Exception(message);
}
