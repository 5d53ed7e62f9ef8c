using System.Buffers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using OvnAcl.Ovsdb;
using OvnAcl.Ovsdb.Protocol;

namespace OvnAcl.OvsdbClient.Tests.Protocol;

public sealed class JsonMessageFramerTests
{
    private const string Stream3 =
        """{"id":1,"result":["OVN_Northbound","_Server"],"error":null}{"method":"update3","params":["m",{"x":"}{\"]"},"00000000-0000-0000-0000-000000000000"],"id":null} {"id":"echo","method":"echo","params":[]}""";

    [Fact]
    public void Splits_back_to_back_messages_at_every_byte_boundary()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream3);
        var expected = Decode([bytes]);
        Assert.Equal(3, expected.Count);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var actual = Decode([bytes[..split], bytes[split..]]);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Decodes_a_stream_fed_one_byte_at_a_time()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream3);
        var chunks = bytes.Select(b => new[] { b }).ToArray();
        Assert.Equal(Decode([bytes]), Decode(chunks));
    }

    [Fact]
    public void Multibyte_utf8_split_inside_a_character_decodes_intact()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"name":"пример-🙂"}""");
        for (var split = 0; split <= bytes.Length; split++)
        {
            var message = Assert.Single(Decode([bytes[..split], bytes[split..]]));
            Assert.Equal("пример-🙂", JsonDocument.Parse(message).RootElement.GetProperty("name").GetString());
        }
    }

    [Fact]
    public void Message_larger_than_the_limit_is_refused_before_it_is_complete()
    {
        var framer = new JsonMessageFramer(maxMessageSize: 64);
        var partial = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("{\"result\":\"" + new string('a', 100)));
        var ex = Assert.Throws<OvsdbProtocolException>(() => framer.TryParseMessage(ref partial, out _));
        Assert.Contains("maximum size of 64 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":1,"result":[}""", "malformed JSON")]
    [InlineData("""[1,2,3]""", "JSON array")]
    [InlineData(""" "hello" """, "JSON string")]
    [InlineData("""{"a":1}}""", "malformed JSON")]
    public void Malformed_input_names_the_problem(string input, string expected)
    {
        var framer = new JsonMessageFramer(1 << 20);
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));
        var ex = Assert.Throws<OvsdbProtocolException>(() =>
        {
            while (framer.TryParseMessage(ref buffer, out _))
            {
            }
        });
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_between_messages_is_dropped_and_an_empty_buffer_needs_more()
    {
        var framer = new JsonMessageFramer(1 << 20);
        var buffer = new ReadOnlySequence<byte>("  \n\t "u8.ToArray());
        Assert.False(framer.TryParseMessage(ref buffer, out _));
        Assert.Equal(0, buffer.Length);
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Random_message_streams_split_at_random_points_decode_identically()
    {
        var gen =
            from messages in ListOf(MessageGen, 1, 8)
            from cuts in ListOf(Gen.Choose(0, 10_000), 0, 12)
            select (messages, cuts);
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var messages = input.messages;
            var cuts = input.cuts;
            var text = string.Concat(messages.Select((m, i) => i % 3 == 2 ? " " + m : m));
            var bytes = Encoding.UTF8.GetBytes(text);
            var points = cuts.Select(c => c % (bytes.Length + 1)).Distinct().Order().ToList();
            var chunks = new List<byte[]>();
            var start = 0;
            foreach (var p in points)
            {
                chunks.Add(bytes[start..p]);
                start = p;
            }

            chunks.Add(bytes[start..]);
            var decoded = Decode(chunks);
            return decoded.SequenceEqual(messages.Select(Canonical));
        });
    }

    private static readonly Gen<string> StringGen =
        ListOf(Gen.Elements("", "a", "}", "{", "\"", "\\", "é", "🙂", "[", "]", " ", "\n", "x-y_z", "0"), 0, 6)
            .Select(parts => string.Concat(parts));

    private static readonly Gen<string> MessageGen = Gen.Sized(size => ValueGen(Math.Min(size, 6)))
        .Select(v => "{\"id\":1,\"result\":" + v + "}");

    private static Gen<string> ValueGen(int depth)
    {
        var leaf = Gen.OneOf(
            StringGen.Select(s => JsonSerializer.Serialize(s)),
            Gen.Choose(-1000, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("true", "false", "null", "1.5e3", "-9223372036854775808"));
        if (depth <= 0)
        {
            return leaf;
        }

        var child = ValueGen(depth - 1);
        return Gen.Frequency(new (int, Gen<string>)[]
        {
            (3, leaf),
            (1, ListOf(child, 0, 4).Select(items => "[" + string.Join(",", items) + "]")),
            (1, ListOf(Gen.Zip(StringGen, child), 0, 3).Select(pairs =>
                "{" + string.Join(",", pairs.Select((p, i) => JsonSerializer.Serialize(p.Item1 + i) + ":" + p.Item2)) + "}")),
        });
    }

    private static Gen<List<T>> ListOf<T>(Gen<T> gen, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => gen.ListOf(n).Select(items => items.ToList()));

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    /// <summary>Feeds chunks to the framer as a pipe would: unconsumed bytes stay at the front of the next buffer.</summary>
    private static List<string> Decode(IEnumerable<byte[]> chunks)
    {
        var framer = new JsonMessageFramer(1 << 20);
        var pending = new List<byte>();
        var result = new List<string>();
        foreach (var chunk in chunks)
        {
            pending.AddRange(chunk);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var length = buffer.Length;
            while (framer.TryParseMessage(ref buffer, out var message))
            {
                result.Add(Canonical(Encoding.UTF8.GetString(message.ToArray())));
            }

            pending.RemoveRange(0, (int)(length - buffer.Length));
        }

        Assert.DoesNotContain(pending, b => !char.IsWhiteSpace((char)b));
        return result;
    }
}
