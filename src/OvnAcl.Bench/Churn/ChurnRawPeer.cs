using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>
/// The limit: the events' <c>transact</c> requests encoded before the clock starts and written to a raw socket with
/// every one in flight (or, under an offered load, each as soon as its events are due), replies only scanned for
/// their end and for an error. What is left is the server's work and the socket's. One mutate of a port group and one
/// of an address set per event, rows named by UUID, as ovsdbapp does. Plain <c>tcp:</c> and <c>unix:</c> remotes.
/// </summary>
internal sealed class ChurnRawPeer(ChurnWorkload workload, ChurnRows rows, OvsdbRemote leader)
{
    private const string Database = "OVN_Northbound";
    private static readonly byte[] s_errorKey = "\"error\":"u8.ToArray();
    private static readonly byte[] s_errorNull = "\"error\":null"u8.ToArray();
    private static readonly byte[] s_echo = "\"method\":\"echo\""u8.ToArray();

    public OvsdbRemote Leader => leader;

    /// <summary>The remote of the server that leads (the one that commits), from each server's <c>_Server</c> database.</summary>
    public static async Task<OvsdbRemote> FindLeaderAsync(string remotes, OvsdbConnectionOptions connection, CancellationToken cancellationToken)
    {
        foreach (var remote in OvsdbRemote.ParseList(remotes))
        {
            await using var session = await OvsdbConnection.ConnectAsync(remote, connection, cancellationToken).ConfigureAwait(false);
            var schema = await session.GetSchemaAsync("_Server", cancellationToken).ConfigureAwait(false);
            var txn = new OvsdbTransaction(schema);
            txn.Select("Database", [OvsdbCondition.Equal("name", Database)], ["leader"]);
            var result = await session.TransactAsync(txn, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded && result.Operations[0].Rows.Any(r => r["leader"].Count == 1 && r["leader"].Keys[0].AsBoolean()))
            {
                return remote;
            }
        }

        throw new BenchmarkException($"no server of {remotes} leads {Database}");
    }

    /// <summary>Events <paramref name="first"/>.. one transaction at a time: the round trip of one transaction, in ms (median and p99).</summary>
    public async Task<(double Median, double P99)> RoundTripAsync(long first, int count, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var receiver = new ReplyReader(socket);
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var request = Request(i, first + i, 1);
            var sent = Stopwatch.GetTimestamp();
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            await receiver.NextAsync(cancellationToken).ConfigureAwait(false);
            times[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        }

        Array.Sort(times);
        return (ChurnSample.Percentile(times, 0.5), ChurnSample.Percentile(times, 0.99));
    }

    public async Task<ChurnSample> MeasureAsync(long first, int events, int batch, double? rate, ChurnProgress progress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;
        using var socket = await ConnectAsync(token).ConfigureAwait(false);
        var label = $"raw batch {batch} {(rate is { } r ? $"{r:0}/s" : "max")}";

        // Encoded before the clock starts: as fast as possible, every transaction in one buffer; under a load, per event.
        var fragments = new byte[events][];
        for (var k = 0; k < events; k++)
        {
            fragments[k] = Encoding.UTF8.GetBytes(Operations(first + k));
        }

        var transactions = (events + batch - 1) / batch;
        var sentAt = new long[rate is null ? transactions : events];
        var eventOf = new int[rate is null ? transactions + 1 : events + 1];
        var replyAt = new List<long>(transactions);
        long bytes = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var receiver = new ReplyReader(socket);
        // One permit per request written (counted before it is), and one more once `expected` is known.
        using var owed = new SemaphoreSlim(0);
        var expected = int.MaxValue;
        var receive = Task.Run(async () =>
        {
            while (true)
            {
                await owed.WaitAsync(token).ConfigureAwait(false);
                if (replyAt.Count >= Volatile.Read(ref expected))
                {
                    return;
                }

                await receiver.NextAsync(token).ConfigureAwait(false);
                replyAt.Add(Stopwatch.GetTimestamp());
                progress.Update(label, Math.Min(events, (long)replyAt.Count * (rate is null ? batch : 1)), events);
            }
        }, token);

        var sent = 0;
        try
        {
            if (rate is null)
            {
                var buffer = new ArrayBufferWriter<byte>();
                var ends = new int[transactions];
                for (var t = 0; t < transactions; t++)
                {
                    var k0 = t * batch;
                    buffer.Write(Envelope(t, fragments, k0, Math.Min(batch, events - k0)));
                    ends[t] = buffer.WrittenCount;
                }

                bytes = buffer.WrittenCount;
                owed.Release(transactions);
                start = Stopwatch.GetTimestamp();
                var memory = buffer.WrittenMemory;
                var offset = 0;
                var next = 0;
                while (offset < memory.Length)
                {
                    // Stamped before the write: the reply to a request may arrive before SendAsync returns.
                    var chunk = memory.Slice(offset, Math.Min(256 * 1024, memory.Length - offset));
                    var now = Stopwatch.GetTimestamp();
                    for (var t = next; t < transactions && ends[t] <= offset + chunk.Length; t++)
                    {
                        sentAt[t] = now;
                    }

                    offset += await socket.SendAsync(chunk, SocketFlags.None, token).ConfigureAwait(false);
                    while (next < transactions && ends[next] <= offset)
                    {
                        next++;
                    }
                }

                sent = transactions;
            }
            else
            {
                // Each transaction carries the events due when it is sent (at most a batch); latency counts from when due.
                using var clock = new PacingClock();
                var k = 0;
                while (k < events)
                {
                    var now = Stopwatch.GetTimestamp();
                    var due = (int)Math.Min(events, (long)((now - start) * rate.Value / Stopwatch.Frequency) + 1);
                    if (due <= k)
                    {
                        await clock.NextAsync(token).ConfigureAwait(false);
                        continue;
                    }

                    var count = Math.Min(batch, due - k);
                    var request = Envelope(sent, fragments, k, count);
                    bytes += request.Length;
                    eventOf[sent] = k;
                    sentAt[sent++] = now;
                    owed.Release();
                    await socket.SendAsync(request, SocketFlags.None, token).ConfigureAwait(false);
                    k += count;
                }

                eventOf[sent] = events;
            }

            Volatile.Write(ref expected, sent);
            owed.Release();
            await receive.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BenchmarkException($"the raw client's replies did not all come within {timeout.TotalSeconds:0} s");
        }

        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        progress.Clear();
        var latencies = new List<double>(events);
        for (var t = 0; t < sent; t++)
        {
            if (rate is null)
            {
                var latency = Stopwatch.GetElapsedTime(sentAt[t], replyAt[t]).TotalMilliseconds;
                latencies.AddRange(Enumerable.Repeat(latency, Math.Min(batch, events - (t * batch))));
            }
            else
            {
                for (var k = eventOf[t]; k < eventOf[t + 1]; k++)
                {
                    var dueAt = start + (long)(k * Stopwatch.Frequency / rate.Value);
                    latencies.Add(Stopwatch.GetElapsedTime(dueAt, replyAt[t]).TotalMilliseconds);
                }
            }
        }

        var sorted = latencies.Order().ToArray();
        return new ChurnSample
        {
            Peer = ChurnReport.RawName,
            Batch = batch,
            OfferedRate = rate,
            Events = events,
            Confirmed = events,
            Seconds = Stopwatch.GetElapsedTime(start, replyAt[^1]).TotalSeconds,
            Transactions = sent,
            OperationsPerEvent = 2,
            MemberChangesPerEvent = 2,
            BytesPerEvent = (double)bytes / events,
            LatencyP50Ms = ChurnSample.Percentile(sorted, 0.50),
            LatencyP99Ms = ChurnSample.Percentile(sorted, 0.99),
            LatencyMaxMs = sorted.Length == 0 ? 0 : sorted[^1],
            CpuSeconds = cpuSeconds,
        };
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        Socket socket;
        if (leader.Transport == OvsdbTransport.Unix)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(leader.Path), cancellationToken).ConfigureAwait(false);
        }
        else if (leader.Transport == OvsdbTransport.Tcp)
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(leader.Host, leader.Port, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new BenchmarkException("the raw client supports tcp: and unix: remotes only");
        }

        return socket;
    }

    private byte[] Request(int id, long k, int count)
    {
        var fragments = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(Operations(k + i))).ToArray();
        return Envelope(id, fragments, 0, count);
    }

    /// <summary>RFC 7047 §4.1.3 transact: <c>{"method":"transact","params":[db, op...],"id":n}</c>.</summary>
    private static byte[] Envelope(int id, byte[][] fragments, int first, int count)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"method\":\"transact\",\"id\":{id.ToString(CultureInfo.InvariantCulture)},\"params\":[\"{Database}\",");
        var length = head.Length + 2 + count - 1;
        for (var i = first; i < first + count; i++)
        {
            length += fragments[i].Length;
        }

        var request = new byte[length];
        head.CopyTo(request, 0);
        var at = head.Length;
        for (var i = first; i < first + count; i++)
        {
            if (i > first)
            {
                request[at++] = (byte)',';
            }

            fragments[i].CopyTo(request, at);
            at += fragments[i].Length;
        }

        request[at++] = (byte)']';
        request[at] = (byte)'}';
        return request;
    }

    /// <summary>RFC 7047 §5.2.7 mutate, twice: the pod's port into or out of its port group, its address into or out of its address set.</summary>
    private string Operations(long k)
    {
        var (pod, add) = workload.Event(k);
        var mutator = add ? "insert" : "delete";
        var set = pod % workload.PeerRowSets;
        return $"{{\"op\":\"mutate\",\"table\":\"Port_Group\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"{rows.PeerPortGroups[set]}\"]]],\"mutations\":[[\"ports\",\"{mutator}\",[\"uuid\",\"{rows.Ports[pod]}\"]]]}},"
            + $"{{\"op\":\"mutate\",\"table\":\"Address_Set\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"{rows.PeerAddressSets[set]}\"]]],\"mutations\":[[\"addresses\",\"{mutator}\",\"{ChurnWorkload.Address(pod)}\"]]}}";
    }

    /// <summary>
    /// Splits the byte stream into JSON values by counting brackets outside strings (the server sends them back to
    /// back, RFC 7047 §4), answers the server's echo, and fails on a reply holding any error that is not null.
    /// </summary>
    private sealed class ReplyReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private readonly MemoryStream _value = new();
        private int _start, _end, _depth;
        private bool _inString, _escaped;

        public async Task NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    if (_end == 0)
                    {
                        throw new BenchmarkException("the server closed the raw client's connection");
                    }
                }

                var complete = Scan();
                if (complete is null)
                {
                    continue;
                }

                if (complete.AsSpan().IndexOf(s_echo) >= 0)
                {
                    // RFC 7047 §4.1.11: the server's inactivity probe, answered with the same id.
                    await socket.SendAsync("{\"id\":\"echo\",\"result\":[],\"error\":null}"u8.ToArray(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                CheckNoError(complete);
                return;
            }
        }

        private byte[]? Scan()
        {
            for (var i = _start; i < _end; i++)
            {
                var b = _buffer[i];
                if (_inString)
                {
                    if (_escaped)
                    {
                        _escaped = false;
                    }
                    else if (b == '\\')
                    {
                        _escaped = true;
                    }
                    else if (b == '"')
                    {
                        _inString = false;
                    }
                }
                else if (b == '"')
                {
                    _inString = true;
                }
                else if (b is (byte)'{' or (byte)'[')
                {
                    _depth++;
                }
                else if (b is (byte)'}' or (byte)']' && --_depth == 0)
                {
                    _value.Write(_buffer, _start, i + 1 - _start);
                    _start = i + 1;
                    var value = _value.ToArray();
                    _value.SetLength(0);
                    return value;
                }
            }

            _value.Write(_buffer, _start, _end - _start);
            _start = _end;
            return null;
        }

        private static void CheckNoError(byte[] reply)
        {
            ReadOnlySpan<byte> rest = reply;
            int at;
            while ((at = rest.IndexOf(s_errorKey)) >= 0)
            {
                if (!rest[at..].StartsWith(s_errorNull))
                {
                    throw new BenchmarkException($"the server refused a raw transaction: {Encoding.UTF8.GetString(reply[..Math.Min(reply.Length, 300)])}");
                }

                rest = rest[(at + s_errorKey.Length)..];
            }
        }
    }
}
