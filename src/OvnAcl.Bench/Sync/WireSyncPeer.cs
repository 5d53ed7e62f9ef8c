using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>
/// The floor of any client: connect, send the same <c>monitor_cond_since</c> request OvnAcl sends, and receive the
/// reply, only tokenized to find its end and count its rows, nothing decoded or kept. What remains is the server
/// building and sending the reply, and the socket. Plain <c>unix:</c> and <c>tcp:</c> remotes only; the first remote.
/// </summary>
internal sealed class WireSyncPeer(SyncBenchmarkOptions options, IReadOnlyList<string> tables) : SyncPeer
{
    private static readonly JsonReaderOptions s_readerOptions = new() { AllowMultipleValues = true };

    public override string Name => "wire";

    public override string Description =>
        "raw socket: monitor_cond_since request for every table, reply received and tokenized, nothing decoded (the server's and the socket's share)";

    public override bool InProcess => true;

    private OvsdbRemote Remote => OvsdbRemote.ParseList(options.Remotes)[0];

    public override Task<string?> CheckAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Remote.Transport == OvsdbTransport.Ssl ? "ssl: remotes are not supported by the raw wire measurement" : null);

    public override async Task<SyncSample> MeasureAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RunTimeout);
        var remote = Remote;
        var request = BuildRequest();
        var stopwatch = Stopwatch.StartNew();
        using var socket = remote.Transport == OvsdbTransport.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (remote.Transport == OvsdbTransport.Unix)
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(remote.Path), timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(remote.Host, remote.Port, timeout.Token).ConfigureAwait(false);
            }

            await socket.SendAsync(request, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var rows = await ReceiveReplyAsync(socket, timeout.Token).ConfigureAwait(false);
            stopwatch.Stop();
            return new SyncSample(stopwatch.Elapsed, rows);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SyncPeerException($"no complete reply within {options.RunTimeout.TotalSeconds:0} s");
        }
        catch (SocketException ex)
        {
            throw new SyncPeerException($"{remote.Text}: {ex.Message}");
        }
    }

    private byte[] BuildRequest()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            // ovsdb-server(7) monitor_cond_since: [<db-name>, <json-value>, <monitor-cond-requests>, <last-txn-id>];
            // a request without "columns" monitors every column (RFC 7047 §4.1.5).
            writer.WriteStartObject();
            writer.WriteString("method", "monitor_cond_since");
            writer.WriteStartArray("params");
            writer.WriteStringValue(options.Database);
            writer.WriteStringValue("wire");
            writer.WriteStartObject();
            foreach (var table in tables)
            {
                writer.WriteStartArray(table);
                writer.WriteStartObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteStringValue("00000000-0000-0000-0000-000000000000");
            writer.WriteEndArray();
            writer.WriteNumber("id", 1);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads until the reply object closes; counts the row uuids (depth 4: reply, result, tables, rows).</summary>
    private static async Task<long> ReceiveReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024 * 1024];
        var filled = 0;
        var state = new JsonReaderState(s_readerOptions);
        long rows = 0;
        var errorNext = false;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new SyncPeerException("the server closed the connection before its reply was complete");
            }

            filled += read;
            var (done, consumed) = Scan(buffer.AsSpan(0, filled), ref state, ref rows, ref errorNext);
            if (done)
            {
                return rows;
            }

            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
        }
    }

    private static (bool Done, int Consumed) Scan(ReadOnlySpan<byte> data, ref JsonReaderState state, ref long rows, ref bool errorNext)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock: false, state);
        while (reader.Read())
        {
            if (errorNext)
            {
                // RFC 7047 §4: a reply's "error" is null on success.
                errorNext = false;
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw new SyncPeerException(reader.TokenType == JsonTokenType.String
                        ? $"the server refused the monitor request: {reader.GetString()}"
                        : "the server refused the monitor request");
                }
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 4)
            {
                rows++;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("error"u8))
            {
                errorNext = true;
            }
            else if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                return (true, (int)reader.BytesConsumed);
            }
        }

        state = reader.CurrentState;
        return (false, (int)reader.BytesConsumed);
    }
}
