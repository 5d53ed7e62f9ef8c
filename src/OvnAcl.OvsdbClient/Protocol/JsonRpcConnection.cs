using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OvnAcl.Ovsdb.Protocol;

/// <summary>A request or notification the server sent us (RFC 7047 §4.1.11–§4.1.13: echo, update*, locked, stolen, monitor_canceled).</summary>
internal readonly struct JsonRpcInbound
{
    public JsonRpcInbound(string method, JsonElement parameters)
    {
        Method = method;
        Params = parameters;
    }

    public string Method { get; }
    /// <summary>Valid only during the handler call: the document is returned to the pool afterwards.</summary>
    public JsonElement Params { get; }
}

/// <summary>A reply to one of our requests. Dispose it when done with <see cref="Result"/>.</summary>
internal sealed class JsonRpcReply : IDisposable
{
    private readonly JsonDocument _document;

    public JsonRpcReply(JsonDocument document, JsonElement result)
    {
        _document = document;
        Result = result;
    }

    public JsonElement Result { get; }

    public void Dispose() => _document.Dispose();
}

/// <summary>
/// One JSON-RPC 1.0 session over a byte stream (RFC 7047 §4). Reads and writes run concurrently:
/// ovsdb-server stops reading a connection while its own replies on it are unread, so a client that
/// writes a long pipeline before reading deadlocks. Many requests may be in flight; replies are matched
/// by id. The server's <c>echo</c> requests are answered, and an idle server is probed with our own.
/// </summary>
internal sealed class JsonRpcConnection : IAsyncDisposable
{
    private static readonly JsonWriterOptions s_writerOptions = new() { SkipValidation = true };
    private static readonly JsonReaderOptions s_documentOptions = new() { MaxDepth = 256 };

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly JsonRpcOptions _options;
    private readonly Func<JsonRpcInbound, ValueTask> _onInbound;
    private readonly ILogger _logger;
    // Asynchronous continuations: the write loop runs on its own thread-pool turn, never inline in a caller that queues
    // a request (which may hold a lock, or be the read loop). Inline resumption was tried for latency (a 25 µs hop) and
    // taken out after a full test run hung once in the churn benchmark test with it in place (cause not proven).
    private readonly Channel<ReadOnlyMemory<byte>> _outgoing =
        Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<long, string> _abandoned = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly JsonMessageFramer _framer;
    private long _nextId;
    private long _lastReceivedTicks;
    private Exception? _closeReason;
    private int _started;
    private Task _loops = Task.CompletedTask;

    public JsonRpcConnection(Stream stream, string remote, JsonRpcOptions options, Func<JsonRpcInbound, ValueTask> onInbound, ILogger logger)
    {
        _stream = stream;
        Remote = remote;
        _options = options;
        _onInbound = onInbound;
        _logger = logger;
        _framer = new JsonMessageFramer(options.MaxMessageSize);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public string Remote { get; }

    /// <summary>Completes (never faults) when the session has ended; <see cref="CloseReason"/> says why.</summary>
    public Task Completion => _closed.Task;

    /// <summary>Why the session ended: null for a local close, otherwise the fault.</summary>
    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsOpen => !_closed.Task.IsCompleted;

    public int PendingCount => _pending.Count;

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("connection already started");
        }

        Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);
        _loops = Task.WhenAll(
            Task.Run(ReadLoopAsync),
            Task.Run(WriteLoopAsync),
            _options.ProbeInterval > TimeSpan.Zero ? Task.Run(ProbeLoopAsync) : Task.CompletedTask);
    }

    /// <summary>Sends a request and waits for its reply (RFC 7047 §4.1). Throws <see cref="OvsdbServerException"/> for an error reply and <see cref="OvsdbConnectionException"/> when the session ends first.</summary>
    /// <param name="onResultInReadLoop">Runs on the receive path before any later message is read: a monitor's initial
    /// contents must be applied before the first notification that follows its reply.</param>
    /// <param name="cancelOnServer">When <paramref name="cancellationToken"/> fires, also ask the server to cancel (RFC 7047 §4.1.4).</param>
    public async Task<JsonRpcReply> InvokeAsync(
        string method,
        Action<Utf8JsonWriter> writeParams,
        CancellationToken cancellationToken = default,
        Action<JsonElement>? onResultInReadLoop = null,
        bool cancelOnServer = false)
    {
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall(method, onResultInReadLoop);
        _pending[id] = call;
        try
        {
            Enqueue(Serialize(method, writeParams, id));
        }
        catch (OvsdbConnectionException ex)
        {
            _pending.TryRemove(id, out _);
            throw new OvsdbConnectionException(Remote, ex.Message.StartsWith(Remote, StringComparison.Ordinal) ? ex.Message[(Remote.Length + 2)..] : ex.Message, ex.InnerException) { RequestNotSent = true };
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        if (!IsOpen)
        {
            FailPending(id);
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return await call.Completion.Task.ConfigureAwait(false);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (self, callId, cancel) = ((JsonRpcConnection, long, bool))state!;
            if (self._pending.TryRemove(callId, out var abandoned))
            {
                self._abandoned[callId] = abandoned.Method;
                abandoned.Completion.TrySetCanceled(token);
                if (cancel && self.IsOpen)
                {
                    try
                    {
                        self.Notify("cancel", w =>
                        {
                            w.WriteStartArray();
                            w.WriteNumberValue(callId);
                            w.WriteEndArray();
                        });
                    }
                    catch (OvsdbConnectionException)
                    {
                    }
                }
            }
        }, (this, id, cancelOnServer)))
        {
            return await call.Completion.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Sends a notification (<c>"id": null</c>), e.g. <c>cancel</c> (RFC 7047 §4.1.4). No reply comes.</summary>
    public void Notify(string method, Action<Utf8JsonWriter> writeParams)
    {
        Enqueue(Serialize(method, writeParams, id: null));
    }

    /// <summary>Ends the session. Calls still waiting complete with <see cref="OvsdbConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Close(null);
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The loops end by being cut off; their reason is already recorded.
        }

        // Return the pipes' buffers. The stream is already closed, so the writer's final flush of whatever a dead
        // connection left unsent fails; that is expected and nothing waits for it.
        await _reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or IOException or InvalidOperationException)
        {
        }

        _shutdown.Dispose();
    }

    /// <summary>Cuts the session for <paramref name="reason"/> (null: a local close). Idempotent.</summary>
    public void Close(Exception? reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason ?? new OvsdbConnectionException(Remote, "connection closed by the client"), null) is not null)
        {
            return;
        }

        if (reason is not null)
        {
            Log.ConnectionClosed(_logger, Remote, reason.Message);
        }

        _outgoing.Writer.TryComplete();
        try
        {
            _shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
        foreach (var id in _pending.Keys)
        {
            FailPending(id);
        }

        _closed.TrySetResult();
    }

    private void FailPending(long id)
    {
        if (_pending.TryRemove(id, out var call))
        {
            var reason = CloseReason;
            call.Completion.TrySetException(reason as OvsdbConnectionException
                ?? new OvsdbConnectionException(Remote, $"connection lost before the reply to '{call.Method}': {reason?.Message}", reason));
        }
    }

    private void Enqueue(ReadOnlyMemory<byte> message)
    {
        if (!_outgoing.Writer.TryWrite(message))
        {
            throw CloseReason as OvsdbConnectionException ?? new OvsdbConnectionException(Remote, "connection is closed", CloseReason);
        }
    }

    private static ReadOnlyMemory<byte> Serialize(string method, Action<Utf8JsonWriter> writeParams, long? id)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("method"u8, method);
            writer.WritePropertyName("params"u8);
            writeParams(writer);
            if (id is { } value)
            {
                writer.WriteNumber("id"u8, value);
            }
            else
            {
                writer.WriteNull("id"u8);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private async Task WriteLoopAsync()
    {
        var token = _shutdown.Token;
        try
        {
            var reader = _outgoing.Reader;
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                long bytes = 0;
                while (reader.TryRead(out var message))
                {
                    _writer.Write(message.Span);
                    bytes += message.Length;
                }

                var flush = await _writer.FlushAsync(token).ConfigureAwait(false);
                OvsdbMetrics.BytesSent.Add(bytes);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Close(new OvsdbConnectionException(Remote, $"write failed: {ex.Message}", ex));
        }
    }

    private async Task ReadLoopAsync()
    {
        var token = _shutdown.Token;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                long received = buffer.Length;

                // Any byte proves the server alive: a large initial dump can take longer than the probe interval
                // to arrive whole, and must not be mistaken for a dead server (a reconnect storm).
                Volatile.Write(ref _lastReceivedTicks, Environment.TickCount64);
                try
                {
                    while (_framer.TryParseMessage(ref buffer, out var message))
                    {
                        OvsdbMetrics.BytesReceived.Add(message.Length);
                        await DispatchAsync(message).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    Close(new OvsdbConnectionException(Remote, received > 0 && buffer.Length > 0
                        ? "connection closed by the server in the middle of a message"
                        : "connection closed by the server"));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (OvsdbProtocolException ex)
        {
            Log.ProtocolError(_logger, Remote, ex.Message);
            Close(ex);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            Close(new OvsdbConnectionException(Remote, $"read failed: {ex.Message}", ex));
        }
        catch (Exception ex)
        {
            // A bug in a handler must not leave a connection that nobody reads: end it, loudly.
            Log.ProtocolError(_logger, Remote, $"unexpected error on the receive path: {ex}");
            Close(new OvsdbConnectionException(Remote, $"unexpected error on the receive path: {ex.Message}", ex));
        }
    }

    private async ValueTask DispatchAsync(ReadOnlySequence<byte> bytes)
    {
        JsonDocument document;
        try
        {
            // ParseValue copies the bytes: JsonDocument.Parse over a single-segment sequence would point into the pipe's
            // buffer, which is reused once the read loop advances, while a reply's result is still being read elsewhere.
            var reader = new Utf8JsonReader(bytes, s_documentOptions);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new OvsdbProtocolException($"malformed JSON-RPC message from the server: {ex.Message}", ex);
        }

        var keep = false;
        try
        {
            var root = document.RootElement;
            if (root.TryGetProperty("method"u8, out var methodElement))
            {
                // RFC 7047 §4: a request (id not null) or a notification (id null) from the server.
                if (methodElement.ValueKind != JsonValueKind.String)
                {
                    throw new OvsdbProtocolException("a message from the server has a 'method' that is not a string");
                }

                var method = methodElement.GetString()!;
                var parameters = root.TryGetProperty("params"u8, out var p) ? p : default;
                var hasId = root.TryGetProperty("id"u8, out var id) && id.ValueKind != JsonValueKind.Null;
                if (hasId)
                {
                    HandleRequest(method, parameters, id);
                }
                else
                {
                    await _onInbound(new JsonRpcInbound(method, parameters)).ConfigureAwait(false);
                }

                return;
            }

            // RFC 7047 §4: a reply carries "result", "error" and the id of our request.
            if (!root.TryGetProperty("id"u8, out var replyId) || !root.TryGetProperty("result"u8, out var resultElement) & !root.TryGetProperty("error"u8, out _))
            {
                throw new OvsdbProtocolException($"a message from the server is neither a request nor a reply: {Truncate(root.GetRawText())}");
            }

            if (replyId.ValueKind == JsonValueKind.String && replyId.ValueEquals("echo"u8))
            {
                // Our own inactivity probe (RFC 7047 §4.1.11): any reply proves the server alive.
                return;
            }

            if (replyId.ValueKind != JsonValueKind.Number || !replyId.TryGetInt64(out var callId))
            {
                Log.UnknownReply(_logger, Remote, replyId.GetRawText());
                OvsdbMetrics.UnexpectedReplies.Add(1);
                return;
            }

            if (!_pending.TryRemove(callId, out var call))
            {
                if (_abandoned.TryRemove(callId, out var method))
                {
                    Log.AbandonedReply(_logger, Remote, method, callId);
                }
                else
                {
                    Log.UnknownReply(_logger, Remote, replyId.GetRawText());
                    OvsdbMetrics.UnexpectedReplies.Add(1);
                }

                return;
            }

            if (root.TryGetProperty("error"u8, out var error) && error.ValueKind != JsonValueKind.Null)
            {
                call.Completion.TrySetException(ToServerException(call.Method, error));
                return;
            }

            if (call.OnResult is { } onResult)
            {
                try
                {
                    onResult(resultElement);
                }
                catch (OvsdbException ex)
                {
                    call.Completion.TrySetException(ex);
                    throw new OvsdbProtocolException($"reply to '{call.Method}' could not be applied: {ex.Message}", ex);
                }
            }

            keep = call.Completion.TrySetResult(new JsonRpcReply(document, resultElement));
        }
        finally
        {
            if (!keep)
            {
                document.Dispose();
            }
        }
    }

    private void HandleRequest(string method, JsonElement parameters, JsonElement id)
    {
        var idText = id.GetRawText();
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartObject();
            if (method == "echo")
            {
                // RFC 7047 §4.1.11: reply with the request's params as the result.
                writer.WritePropertyName("result"u8);
                if (parameters.ValueKind == JsonValueKind.Undefined)
                {
                    writer.WriteStartArray();
                    writer.WriteEndArray();
                }
                else
                {
                    parameters.WriteTo(writer);
                }

                writer.WriteNull("error"u8);
            }
            else
            {
                writer.WriteNull("result"u8);
                writer.WriteString("error"u8, $"unknown method {method}");
                Log.UnknownServerRequest(_logger, Remote, method);
            }

            writer.WritePropertyName("id"u8);
            writer.WriteRawValue(idText, skipInputValidation: true);
            writer.WriteEndObject();
        }

        try
        {
            Enqueue(buffer.WrittenMemory);
        }
        catch (OvsdbConnectionException)
        {
            // Closing: the echo reply no longer matters.
        }
    }

    private async Task ProbeLoopAsync()
    {
        var token = _shutdown.Token;
        var interval = _options.ProbeInterval;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(100, interval.TotalMilliseconds / 4)));
        long probeSentAt = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var last = Volatile.Read(ref _lastReceivedTicks);
                if (probeSentAt != 0 && last >= probeSentAt)
                {
                    probeSentAt = 0;
                }

                if (probeSentAt != 0 && now - probeSentAt >= interval.TotalMilliseconds)
                {
                    Close(new OvsdbConnectionException(Remote, $"no answer to the inactivity probe within {interval.TotalSeconds:0.#} s"));
                    return;
                }

                if (probeSentAt == 0 && now - last >= interval.TotalMilliseconds)
                {
                    probeSentAt = now;
                    Enqueue(s_echoProbe);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (OvsdbConnectionException)
        {
        }
    }

    private static readonly ReadOnlyMemory<byte> s_echoProbe = """{"method":"echo","params":[],"id":"echo"}"""u8.ToArray();

    internal static OvsdbServerException ToServerException(string method, JsonElement error)
    {
        // RFC 7047 §4.1: "error" is a JSON value; ovsdb-server sends a string or an object {"error":…,"details":…}.
        if (error.ValueKind == JsonValueKind.Object)
        {
            var text = error.TryGetProperty("error"u8, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : error.GetRawText();
            var details = error.TryGetProperty("details"u8, out var d) ? (d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText()) : null;
            return new OvsdbServerException(method, text, details);
        }

        return new OvsdbServerException(method, error.ValueKind == JsonValueKind.String ? error.GetString()! : error.GetRawText(), null);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private sealed class PendingCall(string method, Action<JsonElement>? onResult)
    {
        public string Method { get; } = method;
        public Action<JsonElement>? OnResult { get; } = onResult;
        public TaskCompletionSource<JsonRpcReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Per-session limits and timers.</summary>
internal sealed record JsonRpcOptions
{
    public static JsonRpcOptions Default { get; } = new();

    /// <summary>Largest message accepted from the server; a larger one ends the session.</summary>
    public long MaxMessageSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Idle time after which the server is probed with <c>echo</c>, and the time it has to answer. Zero disables.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);
}
