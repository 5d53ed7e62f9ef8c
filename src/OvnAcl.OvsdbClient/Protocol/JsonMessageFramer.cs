using System.Buffers;
using System.Text.Json;

namespace OvnAcl.Ovsdb.Protocol;

/// <summary>
/// Splits a byte stream into JSON-RPC messages. OVSDB sends JSON values back to back with no
/// delimiter (RFC 7047 §4: "JSON-RPC over a stream"), so a message ends where its top-level object
/// closes. The framer keeps the tokenizer state between calls: a large message that arrives in many
/// reads is scanned once, not once per read.
/// </summary>
internal sealed class JsonMessageFramer
{
    private static readonly JsonReaderOptions s_readerOptions = new()
    {
        AllowMultipleValues = true,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    private readonly long _maxMessageSize;
    private JsonReaderState _state = new(s_readerOptions);
    private long _scanned;        // bytes of the current message already tokenized
    private long _messageStart;   // leading whitespace skipped before the current message
    private bool _inMessage;

    public JsonMessageFramer(long maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 2);
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>
    /// Takes one complete message off the front of <paramref name="buffer"/>. Returns false when more data is
    /// needed; the caller then advances its reader to (buffer.Start, buffer.End) and calls again with the
    /// longer buffer that starts at the same position.
    /// </summary>
    /// <exception cref="OvsdbProtocolException">The bytes are not JSON, the value is not an object, or the message is larger than allowed.</exception>
    public bool TryParseMessage(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> message)
    {
        var reader = new Utf8JsonReader(buffer.Slice(_scanned), isFinalBlock: false, _state);
        try
        {
            while (reader.Read())
            {
                if (!_inMessage)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new OvsdbProtocolException(
                            $"expected a JSON-RPC message (a JSON object) but the stream holds a {Describe(reader.TokenType)} at byte {_scanned + reader.TokenStartIndex}");
                    }

                    _inMessage = true;
                    _messageStart = _scanned + reader.TokenStartIndex;
                    continue;
                }

                if (reader.CurrentDepth == 0 && reader.TokenType == JsonTokenType.EndObject)
                {
                    var end = _scanned + reader.BytesConsumed;
                    message = buffer.Slice(_messageStart, end - _messageStart);
                    buffer = buffer.Slice(end);
                    Reset();
                    return true;
                }
            }
        }
        catch (JsonException ex)
        {
            Reset();
            throw new OvsdbProtocolException($"malformed JSON from the server: {ex.Message}", ex);
        }

        _scanned += reader.BytesConsumed;
        _state = reader.CurrentState;
        if (buffer.Length - (_inMessage ? _messageStart : _scanned) > _maxMessageSize)
        {
            Reset();
            throw new OvsdbProtocolException($"a message from the server exceeds the maximum size of {_maxMessageSize} bytes");
        }

        if (!_inMessage)
        {
            // Only whitespace so far: let the caller drop it.
            buffer = buffer.Slice(_scanned);
            _scanned = 0;
            _state = new JsonReaderState(s_readerOptions);
        }

        message = default;
        return false;
    }

    private void Reset()
    {
        _state = new JsonReaderState(s_readerOptions);
        _scanned = 0;
        _messageStart = 0;
        _inMessage = false;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "JSON array",
        JsonTokenType.String => "JSON string",
        JsonTokenType.Number => "JSON number",
        JsonTokenType.True or JsonTokenType.False => "JSON boolean",
        JsonTokenType.Null => "JSON null",
        _ => token.ToString(),
    };
}
