using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarks;

/// <summary>
/// <c>OvsdbJson.ReadDatum</c> over one row's worth of typical ACL and Port_Group values (match, priority, direction,
/// action, a Neutron-style external_ids, empty options and severity, a port group's 10 ACL uuids): from an element
/// of an already-parsed JsonDocument (what the replica does), the same with the parse counted, and straight from a
/// Utf8JsonReader.
/// </summary>
[MemoryDiagnoser]
public class DatumDecoding
{
    private byte[] _json = [];
    private ColumnType[] _types = [];
    private JsonDocument? _document;

    [GlobalSetup]
    public void Setup()
    {
        var acl = NorthboundJson.Schema.GetTable("ACL");
        var portGroup = NorthboundJson.Schema.GetTable("Port_Group");
        _types =
        [
            acl.GetColumn("match").Type,
            acl.GetColumn("priority").Type,
            acl.GetColumn("direction").Type,
            acl.GetColumn("action").Type,
            acl.GetColumn("external_ids").Type,
            acl.GetColumn("options").Type,
            acl.GetColumn("severity").Type,
            portGroup.GetColumn("acls").Type,
        ];
        var random = new Random(3);
        _json = NorthboundJson.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStringValue("outport == @pg_0b5e6a8c_4b4e_4e8a_9d6e_0a1b2c3d4e5f && ip4 && ip4.src == $as_ip4_7f3c && tcp && tcp.dst == 443");
            w.WriteNumberValue(1002);
            w.WriteStringValue("to-lport");
            w.WriteStringValue("allow-related");
            w.WriteStartArray();
            w.WriteStringValue("map");
            w.WriteStartArray();
            foreach (var (key, value) in new[]
            {
                ("neutron:security_group_rule_id", "5a1c1f0e-3b7f-4a1e-9a64-6f5b8f1d2c3e"),
                ("neutron:lport", "9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4"),
                ("owner", "ovnacl"),
            })
            {
                w.WriteStartArray();
                w.WriteStringValue(key);
                w.WriteStringValue(value);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray();
            w.WriteStringValue("map");
            w.WriteStartArray();
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray();
            w.WriteStringValue("set");
            w.WriteStartArray();
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteStartArray();
            w.WriteStringValue("set");
            w.WriteStartArray();
            foreach (var uuid in Enumerable.Range(0, 10).Select(_ => NorthboundJson.NewUuid(random)).Order())
            {
                w.WriteStartArray();
                w.WriteStringValue("uuid");
                w.WriteStringValue(uuid);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndArray();
        });
        _document = JsonDocument.Parse(_json);
    }

    [GlobalCleanup]
    public void Cleanup() => _document?.Dispose();

    [Benchmark(Baseline = true)]
    public int FromElement() => ReadAll(_document!.RootElement);

    [Benchmark]
    public int FromElementWithParse()
    {
        using var document = JsonDocument.Parse(_json);
        return ReadAll(document.RootElement);
    }

    [Benchmark]
    public int FromReader()
    {
        var reader = new Utf8JsonReader(_json);
        reader.Read();
        var count = 0;
        foreach (var type in _types)
        {
            reader.Read();
            count += OvsdbJson.ReadDatum(ref reader, type).Count;
        }

        return count;
    }

    private int ReadAll(JsonElement values)
    {
        var count = 0;
        var i = 0;
        foreach (var value in values.EnumerateArray())
        {
            count += OvsdbJson.ReadDatum(value, _types[i++]).Count;
        }

        return count;
    }
}
