using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OvnAcl.Benchmarking;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarks;

/// <summary><c>OvsdbJson.WriteDatum</c> of a 1,000-address Address_Set value, the largest datum a transaction usually carries.</summary>
[MemoryDiagnoser]
public class DatumEncoding
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter? _writer;
    private OvsdbDatum _addressSet = OvsdbDatum.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _addressSet = OvsdbDatum.StringSet(Enumerable.Range(0, 1_000).Select(SyntheticNorthbound.Address));
        _writer = new Utf8JsonWriter(_buffer);
    }

    [GlobalCleanup]
    public void Cleanup() => _writer?.Dispose();

    [Benchmark]
    public int AddressSet1000()
    {
        _buffer.ResetWrittenCount();
        _writer!.Reset();
        OvsdbJson.WriteDatum(_writer, _addressSet);
        _writer.Flush();
        return _buffer.WrittenCount;
    }
}
