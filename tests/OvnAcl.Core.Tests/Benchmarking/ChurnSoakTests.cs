using System.Text.Json;
using OvnAcl.Benchmarking;

namespace OvnAcl.Core.Tests.Benchmarking;

/// <summary><c>ovnacl bench churn --soak</c>, short: faults really happen, every event is confirmed, nothing is lost or left over.</summary>
public sealed class ChurnSoakTests
{
    [Theory]
    [InlineData(BenchmarkServerKind.Standalone)]
    [InlineData(BenchmarkServerKind.Raft)]
    public async Task A_short_soak_with_faults_confirms_every_event_and_leaves_exactly_the_desired_rows(object serverKind)
    {
        var kind = (BenchmarkServerKind)serverKind;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var report = await ChurnSoak.RunAsync(ChurnBenchmarkOptions.Default with
        {
            Start = [kind],
            Pods = 300,
            PipelineDepth = 4,
            Soak = ChurnSoakOptions.Default with
            {
                Duration = TimeSpan.FromSeconds(kind == BenchmarkServerKind.Raft ? 16 : 12),
                Rate = 500,
                FaultEvery = TimeSpan.FromSeconds(4),
                Frozen = TimeSpan.FromSeconds(2),
                Down = TimeSpan.FromSeconds(1),
                LiveHeapEvery = TimeSpan.FromSeconds(3),
            },
        }, deadline.Token);

        var server = Assert.Single(report.Servers);
        Assert.Equal(kind == BenchmarkServerKind.Raft ? 16 * 500 : 12 * 500, server.Offered);
        Assert.Equal(server.Offered, server.Confirmed);

        // A pod is in its policy's and its namespace's port groups and one address set: 3 members, not the whole load.
        Assert.Equal(3, server.ChangesPerEvent);
        Assert.Equal((0L, 0L, 0L, 0L), (server.Missing, server.Extra, server.Differing, server.OthersChanged));
        Assert.Equal(kind == BenchmarkServerKind.Raft ? ["kill", "freeze", "kill-follower"] : ["kill", "freeze"], server.Faults.Select(f => f.Fault));
        if (kind == BenchmarkServerKind.Raft)
        {
            Assert.Equal([true, true, false], server.Faults.Select(f => f.Leader));
        }

        // A killed server really went away: the events offered meanwhile waited (backlog). When the stream caught up is
        // timing (a loaded machine may take longer than the 4 s to the next fault): the recovery rule has its own test.
        var kill = server.Faults[0];
        Assert.True(kill.PeakBacklog > 50, $"peak backlog {kill.PeakBacklog}");
        Assert.True(server.Committed > 0 && server.Failed == 0, $"{server.Committed} committed, {server.Failed} refused");
        Assert.Contains(server.Memory, m => m.LiveHeapBytes is not null);
        Assert.NotEmpty(server.Latency);

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            report.WriteJson(writer);
        }

        using var json = JsonDocument.Parse(stream.ToArray());
        var serverJson = json.RootElement.GetProperty("servers")[0];
        Assert.Equal(server.Samples.Count, serverJson.GetProperty("samples").GetProperty("t").GetArrayLength());
        Assert.Equal(0, serverJson.GetProperty("missing").GetInt64());
        Assert.Contains("recovered after", report.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void Recovery_is_when_the_backlog_is_back_to_its_level_before_the_fault_for_good()
    {
        // 1,000 events/s; backlog 2 before the fault at t=10, up to about 3,000 while the server is down, back to 2 at t=14.5.
        var samples = new List<SoakSample>();
        long offered = 0;
        for (var i = 0; i <= 300; i++)
        {
            var t = i / 10.0;
            offered = (long)(t * 1000);
            var backlog = t < 10 ? 2 : t < 13 ? (long)((t - 10) * 1000) : t < 14.5 ? (long)(3000 * (14.5 - t) / 1.5) + 3 : 2;
            samples.Add(new SoakSample(t, offered, offered - backlog));
        }

        var fault = new SoakFaultRecord(10, "kill", 0, Leader: false, ActionSeconds: 3).WithRecovery(samples, 1000, horizonSeconds: 30);
        Assert.Equal(2, fault.BaselineBacklog);
        Assert.Equal(3003, fault.PeakBacklog);
        Assert.Equal(4.5, fault.RecoveredAfterSeconds!.Value, precision: 6);
        Assert.Equal(1.0, fault.ThroughputAfter!.Value, precision: 2);

        // A fault that never lets the backlog go down has not recovered.
        var stuck = samples.Select(s => s.Seconds < 10 ? s : s with { Confirmed = 10_000 }).ToList();
        Assert.Null(new SoakFaultRecord(10, "kill", 0, false, 3).WithRecovery(stuck, 1000, 30).RecoveredAfterSeconds);
    }

    [Theory]
    [InlineData("kill,freeze", new[] { SoakFault.Kill, SoakFault.Freeze })]
    [InlineData(" Kill-Follower ", new[] { SoakFault.KillFollower })]
    [InlineData("none", new SoakFault[0])]
    public void Reads_fault_lists(string text, object expected) => Assert.Equal((SoakFault[])expected, ChurnSoakOptions.ParseFaults(text));

    [Theory]
    [InlineData("")]
    [InlineData("kill,partition")]
    [InlineData("none,kill")]
    public void Refuses_unknown_faults(string text) => Assert.Throws<ArgumentException>(() => ChurnSoakOptions.ParseFaults(text));
}
