using System.Buffers;
using BenchmarkDotNet.Attributes;
using OvnAcl.Ovsdb.Protocol;

namespace OvnAcl.Benchmarks;

/// <summary>
/// Splitting the byte stream into JSON-RPC messages (RFC 7047 §4: values back to back, no delimiter): 1,000 update3
/// notifications of 20 ACL inserts each (about 9 MB), all in one buffer, or arriving 4 KiB at a time as a pipe
/// hands them over, the framer resuming its tokenizer state on every read.
/// </summary>
[MemoryDiagnoser]
public class Framing
{
    private const int ChunkSize = 4 * 1024;
    private byte[] _stream = [];
    private ReadOnlySequence<byte> _chunked;

    [GlobalSetup]
    public void Setup()
    {
        _stream = NorthboundJson.Update3Stream(messages: 1_000, rowsPerMessage: 20);
        _chunked = Chunk(_stream, ChunkSize);
    }

    [Benchmark(Baseline = true)]
    public int WholeBuffer()
    {
        var framer = new JsonMessageFramer(256L * 1024 * 1024);
        var buffer = new ReadOnlySequence<byte>(_stream);
        var messages = 0;
        while (framer.TryParseMessage(ref buffer, out _))
        {
            messages++;
        }

        return messages;
    }

    [Benchmark]
    public int Chunks4KiB()
    {
        var framer = new JsonMessageFramer(256L * 1024 * 1024);
        var messages = 0;
        var start = _chunked.Start;
        var end = _chunked.Start;
        long received = 0;
        while (received < _chunked.Length)
        {
            // What a PipeReader shows after one more read: the unconsumed bytes up to what has arrived.
            var read = Math.Min(ChunkSize, _chunked.Length - received);
            end = _chunked.GetPosition(read, end);
            received += read;
            var buffer = _chunked.Slice(start, end);
            while (framer.TryParseMessage(ref buffer, out _))
            {
                messages++;
            }

            start = buffer.Start;
        }

        return messages;
    }

    private static ReadOnlySequence<byte> Chunk(byte[] data, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += size)
        {
            var segment = new Segment(data.AsMemory(offset, Math.Min(size, data.Length - offset)), last);
            first ??= segment;
            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
