using System.Buffers;
using System.Text.Json;
using OvnAcl.Benchmarking;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarks;

/// <summary>
/// Northbound JSON as ovsdb-server 3.1 sends it for the rows <see cref="SyntheticNorthbound"/> writes (the shapes
/// <c>ovnacl bench sync</c> measures): <c>update2</c> "initial" rows holding <c>_version</c> and every column that is
/// not at its default, and <c>update3</c> notifications. Deterministic, so every run decodes the same bytes.
/// </summary>
internal static class NorthboundJson
{
    private static readonly Lazy<DatabaseSchema> s_schema = new(() => DatabaseSchema.Parse(File.ReadAllText(
        Environment.GetEnvironmentVariable("OVN_NB_SCHEMA") ?? "/usr/share/ovn/ovn-nb.ovsschema")));

    /// <summary>OVN's Northbound schema, from <c>$OVN_NB_SCHEMA</c> or where Debian's ovn-common installs it.</summary>
    public static DatabaseSchema Schema => s_schema.Value;

    /// <summary>The <c>&lt;table-updates2&gt;</c> of a monitor's initial reply holding <paramref name="acls"/> ACL rows.</summary>
    public static byte[] InitialAcls(int acls, int seed = 1)
    {
        var random = new Random(seed);
        return Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("ACL");
            for (var i = 0; i < acls; i++)
            {
                w.WriteStartObject(NewUuid(random).ToString());
                w.WriteStartObject("initial");
                WriteAcl(w, random, i);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// <paramref name="messages"/> <c>update3</c> notifications back to back, as ovsdb-server streams them after a
    /// burst of transactions, each inserting <paramref name="rowsPerMessage"/> ACLs.
    /// </summary>
    public static byte[] Update3Stream(int messages, int rowsPerMessage, int seed = 2)
    {
        var random = new Random(seed);
        using var stream = new MemoryStream();
        for (var m = 0; m < messages; m++)
        {
            stream.Write(Write(w =>
            {
                // ovsdb-server(7) update3: [<json-value>, <last-txn-id>, <table-updates2>]
                w.WriteStartObject();
                w.WriteNull("id");
                w.WriteString("method", "update3");
                w.WriteStartArray("params");
                w.WriteStringValue("OVN_Northbound-1");
                w.WriteStringValue(NewUuid(random).ToString());
                w.WriteStartObject();
                w.WriteStartObject("ACL");
                for (var r = 0; r < rowsPerMessage; r++)
                {
                    w.WriteStartObject(NewUuid(random).ToString());
                    w.WriteStartObject("insert");
                    WriteAcl(w, random, (m * rowsPerMessage) + r);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }

        return stream.ToArray();
    }

    /// <summary>One ACL's non-default columns, like the seeder's rows.</summary>
    private static void WriteAcl(Utf8JsonWriter w, Random random, int i)
    {
        var group = $"synthetic_pg_{i / 10}";
        var a = i % 10;
        var toLport = a % 2 == 0;
        var peer = $"$synthetic_as_{random.Next(10_000)}";
        WriteUuid(w, "_version", NewUuid(random));
        w.WriteString("action", "allow-related");
        w.WriteString("direction", toLport ? "to-lport" : "from-lport");
        w.WriteStartArray("external_ids");
        w.WriteStringValue("map");
        w.WriteStartArray();
        w.WriteStartArray();
        w.WriteStringValue("owner");
        w.WriteStringValue(SyntheticNorthboundOptions.Default.Owner);
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteString("match", toLport
            ? $"outport == @{group} && ip4 && ip4.src == {peer} && tcp && tcp.dst == {8000 + a}"
            : $"inport == @{group} && ip4 && ip4.dst == {peer} && udp && 1000 <= udp.dst <= {1000 + a}");
        w.WriteString("name", $"{group}_{a}");
        w.WriteNumber("priority", 1000 + a);
    }

    private static void WriteUuid(Utf8JsonWriter w, string name, Guid uuid)
    {
        w.WriteStartArray(name);
        w.WriteStringValue("uuid");
        w.WriteStringValue(uuid);
        w.WriteEndArray();
    }

    public static Guid NewUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
