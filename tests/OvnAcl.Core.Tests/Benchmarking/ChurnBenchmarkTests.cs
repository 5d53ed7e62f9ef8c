using System.Text.Json;
using OvnAcl.Benchmarking;

namespace OvnAcl.Core.Tests.Benchmarking;

/// <summary><c>ovnacl bench churn</c> end to end on a standalone NB it starts itself: small, for sanity, not for figures.</summary>
public sealed class ChurnBenchmarkTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Confirms_every_event_and_leaves_the_database_equal_to_the_desired_state(int pipelineDepth)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var report = await ChurnBenchmark.RunAsync(ChurnBenchmarkOptions.Default with
        {
            Start = [BenchmarkServerKind.Standalone],
            Pods = 200,
            Events = 500,
            Runs = 1,
            Peers = ChurnBenchmarkPeers.Raw,
            PipelineDepth = pipelineDepth,
            WarmupEvents = 500,
        }, deadline.Token);

        using var json = Json(report);
        var server = Assert.Single(json.RootElement.GetProperty("servers").EnumerateArray());
        Assert.True(server.GetProperty("round_trip_ms").GetDouble() > 0);
        Assert.InRange(server.GetProperty("round_trip_p99_ms").GetDouble(), server.GetProperty("round_trip_ms").GetDouble(), 10_000);
        var samples = server.GetProperty("samples").EnumerateArray().ToDictionary(s => s.GetProperty("peer").GetString()!);
        Assert.Equal(["ovnacl", "raw"], samples.Keys.Order());
        foreach (var sample in samples.Values)
        {
            Assert.Equal(500, sample.GetProperty("events").GetInt64());
            Assert.Equal(500, sample.GetProperty("confirmed").GetInt64());
            Assert.InRange(sample.GetProperty("events_per_second").GetDouble(), 10, 10_000_000);
            Assert.InRange(sample.GetProperty("transactions").GetInt64(), 1, 500);
            var latency = sample.GetProperty("latency_ms");
            Assert.InRange(latency.GetProperty("p50").GetDouble(), 0, latency.GetProperty("p99").GetDouble());
            Assert.InRange(latency.GetProperty("p99").GetDouble(), 0, latency.GetProperty("max").GetDouble());
        }

        var ovnacl = samples["ovnacl"];
        Assert.True(ovnacl.GetProperty("converged").GetBoolean());
        Assert.InRange(ovnacl.GetProperty("operations_per_event").GetDouble(), 0.001, 3);
        Assert.True(ovnacl.GetProperty("cpu_seconds").GetDouble() > 0);
        Assert.Equal(2.0, samples["raw"].GetProperty("operations_per_event").GetDouble());

        // As fast as possible the driver keeps at most one pass over the pods unconfirmed, so no re-add meets its
        // pending delete: every event's 3 member changes reach the database (cancelled ones would make this less).
        Assert.Equal(3.0, ovnacl.GetProperty("member_changes_per_event").GetDouble());
        Assert.Equal(2.0, samples["raw"].GetProperty("member_changes_per_event").GetDouble());
    }

    [Theory]
    [InlineData("ovsdbapp,raw", ChurnBenchmarkPeers.Default)]
    [InlineData(" Raw ", ChurnBenchmarkPeers.Raw)]
    [InlineData("none", ChurnBenchmarkPeers.None)]
    public void Reads_peer_lists(string text, object expected) =>
        Assert.Equal((ChurnBenchmarkPeers)expected, ChurnBenchmark.ParsePeers(text));

    [Theory]
    [InlineData("")]
    [InlineData("raw,wire")]
    [InlineData("none,raw")]
    public void Refuses_bad_peer_lists(string text) =>
        Assert.Throws<ArgumentException>(() => ChurnBenchmark.ParsePeers(text));

    private static JsonDocument Json(ChurnReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            report.WriteJson(writer);
        }

        return JsonDocument.Parse(buffer.ToArray());
    }
}
