using System.Text.Json;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Integration;

/// <summary>Wire faults a real server never produces, from a scripted peer.</summary>
public sealed class ScriptedPeerClientTests
{
    private static async Task<(ScriptedPeer Peer, OvsdbConnection Client, ScriptedConnection Server)> ConnectAsync(OvsdbConnectionOptions? options = null)
    {
        var peer = ScriptedPeer.Start();
        var connecting = OvsdbConnection.ConnectAsync(OvsdbRemote.Parse(peer.UnixRemote), options ?? OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.Zero });
        var server = await peer.AcceptAsync();
        return (peer, await connecting, server);
    }

    [Fact]
    public async Task Malformed_json_closes_the_connection_with_a_protocol_error_and_fails_pending_calls()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        var call = client.ListDatabasesAsync();
        await server.ReadJsonMessageAsync();
        await server.SendRawAsync("""{"id":1,"result":[,"error":null}""");
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.Contains("list_dbs", error.Message, StringComparison.Ordinal);
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<OvsdbProtocolException>(client.CloseReason);
        await Assert.ThrowsAsync<OvsdbConnectionException>(() => client.EchoAsync());
    }

    [Fact]
    public async Task An_oversized_message_is_refused_before_it_is_complete()
    {
        var (peer, client, server) = await ConnectAsync(OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.Zero, MaxMessageSize = 4096 });
        await using var _ = peer;
        await using var __ = client;
        var call = client.ListDatabasesAsync();
        await server.ReadJsonMessageAsync();
        await server.SendRawAsync("{\"id\":1,\"result\":[\"" + new string('x', 10_000));
        var error = await Assert.ThrowsAnyAsync<OvsdbException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("maximum size of 4096 bytes", error.Message, StringComparison.Ordinal);
        Assert.True(await server.WaitForCloseAsync(TimeSpan.FromSeconds(5)), "the client should close the connection");
    }

    [Fact]
    public async Task A_reply_with_an_unknown_id_is_ignored_and_the_connection_stays_usable()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        await server.SendRawAsync("""{"id":9999,"result":[],"error":null}{"id":"nope","result":[],"error":null}""");
        var call = client.ListDatabasesAsync();
        var request = await server.ReadJsonMessageAsync();
        Assert.Equal("list_dbs", request.GetProperty("method").GetString());
        await server.SendReplyAsync(request, """["OVN_Northbound"]""");
        Assert.Equal(["OVN_Northbound"], await call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task A_notification_for_an_unknown_monitor_changes_nothing()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        await server.SendRawAsync("""{"method":"update2","params":["not-mine",{"ACL":{"00000000-0000-0000-0000-000000000001":{"insert":{}}}}],"id":null}""");
        var call = client.ListDatabasesAsync();
        var request = await server.ReadJsonMessageAsync();
        await server.SendReplyAsync(request, """["OVN_Northbound"]""");
        Assert.Single(await call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(client.IsOpen);
    }

    [Fact]
    public async Task The_servers_echo_is_answered_with_its_id_and_params()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        await server.SendRawAsync("""{"method":"echo","params":["probe",1],"id":"echo"}""");
        var reply = await server.ReadJsonMessageAsync();
        Assert.Equal("echo", reply.GetProperty("id").GetString());
        Assert.Equal("""["probe",1]""", reply.GetProperty("result").GetRawText());
        Assert.Equal(JsonValueKind.Null, reply.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task The_client_probes_an_idle_server_and_drops_one_that_never_answers()
    {
        var (peer, client, server) = await ConnectAsync(OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.FromMilliseconds(400) });
        await using var _ = peer;
        await using var __ = client;
        var probe = await server.ReadJsonMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("echo", probe.GetProperty("method").GetString());
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("inactivity probe", client.CloseReason!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_that_arrives_slowly_over_several_probe_intervals_keeps_the_connection()
    {
        var (peer, client, server) = await ConnectAsync(OvsdbConnectionOptions.Default with { ProbeInterval = TimeSpan.FromMilliseconds(300) });
        await using var _ = peer;
        await using var __ = client;
        var call = client.ListDatabasesAsync();
        var request = await server.ReadJsonMessageAsync();
        var reply = "{\"id\":" + request.GetProperty("id").GetRawText() + ",\"result\":[\"" + new string('d', 100) + "\"],\"error\":null}";
        for (var i = 0; i < reply.Length; i += 10)
        {
            await server.SendRawAsync(reply[i..Math.Min(reply.Length, i + 10)]);
            await Task.Delay(120);
        }

        Assert.Single(await call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(client.IsOpen, $"closed: {client.CloseReason?.Message}");
    }

    [Fact]
    public async Task A_server_closing_mid_message_fails_the_pending_call_as_a_lost_connection()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        var call = client.ListDatabasesAsync();
        await server.ReadJsonMessageAsync();
        await server.SendRawAsync("""{"id":1,"result":["OVN_No""");
        await server.CloseAsync();
        var error = await Assert.ThrowsAsync<OvsdbConnectionException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("middle of a message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_falls_back_to_monitor_cond_when_the_server_lacks_monitor_cond_since()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        var schema = DatabaseSchema.Parse(await File.ReadAllTextAsync(OvnSchemas.Northbound));
        var monitoring = client.MonitorAsync(schema, [new OvsdbTableMonitor("Address_Set")]);
        var first = await server.ReadJsonMessageAsync();
        Assert.Equal("monitor_cond_since", first.GetProperty("method").GetString());
        await server.SendRawAsync($$"""{"id":{{first.GetProperty("id").GetRawText()}},"result":null,"error":"unknown method"}""");
        var second = await server.ReadJsonMessageAsync();
        Assert.Equal("monitor_cond", second.GetProperty("method").GetString());
        var uuid = Guid.NewGuid();
        await server.SendReplyAsync(second, "{\"Address_Set\":{\"" + uuid + "\":{\"initial\":{\"name\":\"as1\",\"addresses\":[\"set\",[\"10.0.0.1\",\"10.0.0.2\"]]}}}}");
        var replica = await monitoring.WaitAsync(TimeSpan.FromSeconds(10));
        var monitorId = second.GetProperty("params")[1].GetRawText();
        await server.SendRawAsync("{\"method\":\"update2\",\"params\":[" + monitorId + ",{\"Address_Set\":{\"" + uuid + "\":{\"modify\":{\"addresses\":\"10.0.0.3\"}}}}],\"id\":null}");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (replica.GetRows("Address_Set")[0]["addresses"].Count != 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "update2 diff not applied");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task An_update3_whose_last_txn_id_is_not_a_string_closes_the_connection_with_a_protocol_error()
    {
        var (peer, client, server) = await ConnectAsync();
        await using var _ = peer;
        await using var __ = client;
        var schema = DatabaseSchema.Parse(await File.ReadAllTextAsync(OvnSchemas.Northbound));
        var monitoring = client.MonitorAsync(schema, [new OvsdbTableMonitor("Address_Set")]);
        var request = await server.ReadJsonMessageAsync();
        Assert.Equal("monitor_cond_since", request.GetProperty("method").GetString());
        await server.SendReplyAsync(request, """[false, "00000000-0000-0000-0000-000000000001", {}]""");
        await monitoring.WaitAsync(TimeSpan.FromSeconds(10));

        var monitorId = request.GetProperty("params")[1].GetRawText();
        await server.SendRawAsync("{\"method\":\"update3\",\"params\":[" + monitorId + ",42,{}],\"id\":null}");
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var reason = Assert.IsType<OvsdbProtocolException>(client.CloseReason);
        Assert.Contains("last-txn-id that is not a string: 42", reason.Message, StringComparison.Ordinal);
    }
}
