using System.Net.Sockets;
using System.Text;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

public sealed class ScriptedPeerSmokeTests : IAsyncLifetime
{
    private readonly ScriptedPeer _peer = ScriptedPeer.Start(new ScriptedPeerOptions { Tcp = true });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _peer.DisposeAsync();

    [Fact]
    public async Task Reads_values_sent_back_to_back_and_split_anywhere_and_sends_bytes_unchanged()
    {
        using var client = await ConnectUnixAsync();
        var connection = await _peer.AcceptAsync();

        // Two messages with no delimiter, split inside a string and inside a key.
        await client.SendAsync("{\"method\":\"echo\",\"params\":[\"a}b\"],\"id\":0} {\"meth"u8.ToArray());
        await client.SendAsync("od\":\"list_dbs\",\"params\":[],\"id\":1}"u8.ToArray());
        var first = await connection.ReadJsonMessageAsync();
        var second = await connection.ReadJsonMessageAsync();
        Assert.Equal("a}b", first.GetProperty("params")[0].GetString());
        Assert.Equal("list_dbs", second.GetProperty("method").GetString());

        await connection.SendRawAsync("{\"id\":1,\"result\":[\"OVN_Northbound\"],\"error\":null}{\"id\":");
        await connection.CloseAsync();
        Assert.Equal("{\"id\":1,\"result\":[\"OVN_Northbound\"],\"error\":null}{\"id\":", await ReadToEndAsync(client));
    }

    [Fact]
    public async Task Auto_responder_answers_a_real_ovsdb_client()
    {
        var tool = OvsdbTool.RunAsync("ovsdb-client", ["list-dbs", _peer.TcpRemote!]);
        var connection = await _peer.AcceptAsync();

        connection.StartAutoResponder(["Scripted_DB"]);

        Assert.Equal("Scripted_DB", (await tool).Stdout.Trim());
    }

    [Fact]
    public async Task Malformed_json_from_the_client_fails_the_read_with_the_bytes_seen()
    {
        using var client = await ConnectUnixAsync();
        var connection = await _peer.AcceptAsync();

        await client.SendAsync("{\"id\":0,]"u8.ToArray());

        var error = await Assert.ThrowsAsync<FixtureException>(() => connection.ReadJsonMessageAsync());
        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_closing_in_mid_message_is_reported_as_such()
    {
        using var client = await ConnectUnixAsync();
        var connection = await _peer.AcceptAsync();

        await client.SendAsync("{\"method\":\"ec"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        var error = await Assert.ThrowsAsync<FixtureException>(() => connection.ReadJsonMessageAsync());
        Assert.Contains("in the middle of a message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_times_out_with_a_message_naming_the_remotes()
    {
        var error = await Assert.ThrowsAsync<FixtureException>(() => _peer.AcceptAsync(TimeSpan.FromMilliseconds(50)));

        Assert.Contains(_peer.UnixRemote, error.Message, StringComparison.Ordinal);
    }

    private async Task<Socket> ConnectUnixAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_peer.SocketPath));
        return socket;
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
