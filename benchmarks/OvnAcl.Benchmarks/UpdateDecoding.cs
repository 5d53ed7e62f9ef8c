using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarks;

/// <summary>
/// A monitor's initial reply of N ACL rows into a fresh replica, the work of the initial sync after framing:
/// <see cref="ParseAndReplace"/> is what the client does (JsonDocument over the message, then
/// <c>OvsdbReplica.Replace</c>); the other two are its halves.
/// </summary>
[MemoryDiagnoser]
public class UpdateDecoding
{
    private static readonly OvsdbTableMonitor[] s_monitors = [new("ACL")];
    private byte[] _json = [];
    private JsonDocument? _document;

    [Params(10_000, 100_000)]
    public int Acls { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _json = NorthboundJson.InitialAcls(Acls);
        _document = JsonDocument.Parse(_json);
    }

    [GlobalCleanup]
    public void Cleanup() => _document?.Dispose();

    [Benchmark(Baseline = true)]
    public long ParseAndReplace()
    {
        using var document = JsonDocument.Parse(_json);
        var replica = new OvsdbReplica(NorthboundJson.Schema, s_monitors);
        replica.Replace(document.RootElement, UpdateFormat.Update2, null);
        return replica.TotalRows;
    }

    [Benchmark]
    public int ParseDocument()
    {
        using var document = JsonDocument.Parse(_json);
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark]
    public long Replace()
    {
        var replica = new OvsdbReplica(NorthboundJson.Schema, s_monitors);
        replica.Replace(_document!.RootElement, UpdateFormat.Update2, null);
        return replica.TotalRows;
    }
}
