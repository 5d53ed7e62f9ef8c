using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OvnAcl.Testing;

/// <summary>
/// One client connection to a <see cref="ScriptedPeer"/>. Nothing is read until the test asks
/// (<see cref="ReadJsonMessageAsync"/>, <see cref="StartAutoResponder"/>, <see cref="WaitForCloseAsync"/>), so a
/// connection left alone is a peer that stalls: it neither reads nor writes.
/// </summary>
public sealed class ScriptedConnection : IAsyncDisposable
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowMultipleValues = true };

    private readonly Socket _socket;
    private readonly ScriptedPeerOptions _options;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Channel<JsonElement> _received = Channel.CreateUnbounded<JsonElement>();
    private readonly Lock _gate = new();
    private Task? _readLoop;
    private IReadOnlyList<string>? _autoRespondDatabases;
    private volatile bool _autoRespond;

    internal ScriptedConnection(Socket socket, ScriptedPeerOptions options)
    {
        _socket = socket;
        _options = options;
    }

    /// <summary>Bytes received from the client so far (counted only once reading has started).</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Sends bytes exactly as given: half a message, garbage, a megabyte of nesting.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                bytes = bytes[sent..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends <paramref name="text"/> as UTF-8, unchanged (no delimiter is added: OVSDB has none).</summary>
    public Task SendRawAsync(string text, CancellationToken cancellationToken = default) =>
        SendRawAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Answers <paramref name="request"/> with <c>{"id": its id, "result": RESULT, "error": null}</c> (RFC 7047 §4.1).</summary>
    public Task SendReplyAsync(JsonElement request, string resultJson, CancellationToken cancellationToken = default) =>
        SendRawAsync($"{{\"id\":{request.GetProperty("id").GetRawText()},\"result\":{resultJson},\"error\":null}}", cancellationToken);

    /// <summary>
    /// The next JSON value the client sent (values arrive back to back with no delimiter). Throws when the
    /// client closes first, sends malformed JSON, or sends nothing within the timeout.
    /// </summary>
    public async Task<JsonElement> ReadJsonMessageAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        EnsureReading();
        var limit = timeout ?? _options.DefaultTimeout;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(limit);
        try
        {
            return await _received.Reader.ReadAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FixtureException($"the client sent no complete JSON message within {limit.TotalSeconds:0.#} s ({BytesReceived} bytes received in all).");
        }
        catch (ChannelClosedException e)
        {
            throw new FixtureException(
                e.InnerException?.Message ?? $"the client closed the connection instead of sending a message ({BytesReceived} bytes received in all).",
                e.InnerException);
        }
    }

    /// <summary>
    /// Answers <c>echo</c> (with its params, RFC 7047 §4.1.11) and <c>list_dbs</c> (with <paramref name="databases"/>,
    /// §4.1.1) from now on; every other message still reaches <see cref="ReadJsonMessageAsync"/>.
    /// </summary>
    public void StartAutoResponder(IReadOnlyList<string>? databases = null)
    {
        _autoRespondDatabases = databases ?? [OvnSchemas.NorthboundDatabase];
        _autoRespond = true;
        EnsureReading();
    }

    /// <summary>Waits until the client closes its side; returns false if it is still open after the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        EnsureReading();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? _options.DefaultTimeout);
        try
        {
            await _received.Reader.Completion.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is FixtureException or IOException or SocketException)
        {
            // Closed by a reset, or after bytes that were not JSON: closed all the same.
        }

        return true;
    }

    /// <summary>An orderly close (FIN): whatever was sent is delivered first.</summary>
    public Task CloseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Close();
        return Task.CompletedTask;
    }

    /// <summary>An abortive close: on TCP an RST (linger 0), so the client sees "connection reset", not EOF.</summary>
    public void Abort()
    {
        if (_socket.AddressFamily != AddressFamily.Unix)
        {
            _socket.LingerState = new LingerOption(true, 0);
        }

        _socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (_readLoop is not null)
        {
            try
            {
                await _readLoop.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
            {
            }
        }

        _sendLock.Dispose();
    }

    private void EnsureReading()
    {
        lock (_gate)
        {
            _readLoop ??= Task.Run(ReadLoopAsync);
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageBytes)
                    {
                        throw new FixtureException($"the client sent a message longer than {_options.MaxMessageBytes} bytes.");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _options.MaxMessageBytes));
                }

                int read;
                try
                {
                    read = await _socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    _received.Writer.TryComplete();
                    return;
                }

                if (read == 0)
                {
                    var rest = Encoding.UTF8.GetString(buffer, 0, length).Trim();
                    _received.Writer.TryComplete(rest.Length == 0 ? null
                        : new FixtureException($"the client closed the connection in the middle of a message: {Excerpt(rest)}"));
                    return;
                }

                length += read;
                BytesReceived += read;
                var consumed = 0;
                while (TryTakeValue(buffer.AsSpan(consumed, length - consumed), out var value, out var size))
                {
                    consumed += size;
                    await DispatchAsync(value).ConfigureAwait(false);
                }

                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
            }
        }
        catch (JsonException e)
        {
            _received.Writer.TryComplete(new FixtureException(
                $"the client sent malformed JSON: {e.Message}: {Excerpt(Encoding.UTF8.GetString(buffer, 0, length))}", e));
        }
        catch (Exception e)
        {
            _received.Writer.TryComplete(e);
        }
    }

    private static bool TryTakeValue(ReadOnlySpan<byte> data, out JsonElement value, out int size)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock: false, new JsonReaderState(ReaderOptions));
        if (!reader.Read() || (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()))
        {
            value = default;
            size = 0;
            return false;
        }

        size = (int)reader.BytesConsumed;
        using var document = JsonDocument.Parse(data[..size].ToArray());
        value = document.RootElement.Clone();
        return true;
    }

    private async Task DispatchAsync(JsonElement message)
    {
        if (_autoRespond && message.ValueKind == JsonValueKind.Object &&
            message.TryGetProperty("method", out var method) && message.TryGetProperty("id", out var id) && id.ValueKind != JsonValueKind.Null)
        {
            switch (method.GetString())
            {
                case "echo":
                    await SendReplyAsync(message, message.TryGetProperty("params", out var p) ? p.GetRawText() : "[]").ConfigureAwait(false);
                    return;
                case "list_dbs":
                    await SendReplyAsync(message, JsonSerializer.Serialize(_autoRespondDatabases)).ConfigureAwait(false);
                    return;
            }
        }

        _received.Writer.TryWrite(message);
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + $"… ({text.Length} chars)";
}
