using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OvnAcl.Benchmarking;

/// <summary>Events offered and confirmed so far, at <see cref="Seconds"/> into the soak.</summary>
internal sealed record SoakSample(double Seconds, long Offered, long Confirmed)
{
    public long Backlog => Offered - Confirmed;
}

/// <summary>The process's memory at <see cref="Seconds"/>: working set, GC heap, and the live heap after a full collection when one was made.</summary>
internal sealed record SoakMemorySample(double Seconds, long WorkingSetBytes, long HeapBytes, long? LiveHeapBytes);

/// <summary>Latency of the events offered in one second of the soak, from the offer to the confirming commit.</summary>
internal sealed record SoakLatency(int Second, int Events, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// One fault: when, what, on which server, how long the action took (down or frozen, and the restart), and how the
/// event stream came back: the backlog's peak, and when it was back to normal.
/// </summary>
internal sealed record SoakFaultRecord(double AtSeconds, string Fault, int Server, bool Leader, double ActionSeconds)
{
    /// <summary>Events offered and not yet confirmed, at most, from the fault until recovery.</summary>
    public long PeakBacklog { get; init; }

    /// <summary>The backlog the run had before the fault (median over the 20 s before it).</summary>
    public long BaselineBacklog { get; init; }

    /// <summary>
    /// From the fault to the first moment after the backlog's peak at which it is back to at most
    /// max(2 × <see cref="BaselineBacklog"/>, 20 ms of events): every event the fault held up is confirmed and the
    /// stream is current again; 0 when the backlog never rose above that, null when it never came back before the next fault.
    /// </summary>
    public double? RecoveredAfterSeconds { get; init; }

    /// <summary>Confirmed events/s over the 10 s after recovery (or until the next fault), over the offered rate (1 = keeping up again).</summary>
    public double? ThroughputAfter { get; init; }

    public SoakFaultRecord WithRecovery(IReadOnlyList<SoakSample> samples, double rate, double horizonSeconds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        // The median, not a high percentile: the window may still hold the tail of the previous fault.
        var before = samples.Where(s => s.Seconds >= AtSeconds - 20 && s.Seconds < AtSeconds).Select(s => s.Backlog).Order().ToArray();
        var baseline = before.Length == 0 ? 0 : before[before.Length / 2];
        var threshold = Math.Max(2 * baseline, Math.Max(1, (long)(rate * 0.02)));
        var window = samples.Where(s => s.Seconds >= AtSeconds && s.Seconds < horizonSeconds).ToList();
        if (window.Count == 0)
        {
            return this with { BaselineBacklog = baseline };
        }

        // Caught up: the first moment after the backlog's peak at which it is back to normal. Spikes later on are
        // the machine's, not the fault's (they show in the plot and in the per-second latency).
        var peak = 0;
        for (var i = 1; i < window.Count; i++)
        {
            peak = window[i].Backlog > window[peak].Backlog ? i : peak;
        }

        var back = window[peak].Backlog <= threshold ? peak : window.FindIndex(peak, s => s.Backlog <= threshold);
        double? recovered = window[peak].Backlog <= threshold ? 0 : back < 0 ? null : window[back].Seconds - AtSeconds;
        double? after = null;
        if (recovered is { } r)
        {
            var from = samples.LastOrDefault(s => s.Seconds <= AtSeconds + r);
            var to = samples.LastOrDefault(s => s.Seconds <= Math.Min(AtSeconds + r + 10, horizonSeconds));
            if (from is not null && to is not null && to.Seconds > from.Seconds)
            {
                after = (to.Confirmed - from.Confirmed) / (to.Seconds - from.Seconds) / rate;
            }
        }

        return this with
        {
            BaselineBacklog = baseline,
            PeakBacklog = window.Max(s => s.Backlog),
            RecoveredAfterSeconds = recovered,
            ThroughputAfter = after,
        };
    }
}

/// <summary>One soak on one database.</summary>
internal sealed record SoakServerResult(string Name, string Remotes)
{
    public long Offered { get; init; }

    public long Confirmed { get; init; }

    /// <summary>Members one pod event changes; a transaction carries at most batch × this many changes.</summary>
    public int ChangesPerEvent { get; init; }

    public double Seconds { get; init; }

    /// <summary>From the last event offered to the database holding every change.</summary>
    public double ConvergeSeconds { get; init; }

    public long Transactions { get; init; }

    public long Committed { get; init; }

    public long Failed { get; init; }

    public long OutcomeUnknown { get; init; }

    public long FullResyncs { get; init; }

    /// <summary>After convergence, by a fresh client's full comparison: rows and members the database lacks.</summary>
    public long Missing { get; init; }

    /// <summary>Owned rows and members the database holds that the desired state does not.</summary>
    public long Extra { get; init; }

    /// <summary>Owned ACLs or rows whose columns differ.</summary>
    public long Differing { get; init; }

    /// <summary>Rows of another owner (the synthetic cluster's own port groups and address sets) changed, added or removed.</summary>
    public long OthersChanged { get; init; }

    public IReadOnlyList<SoakFaultRecord> Faults { get; init; } = [];

    public IReadOnlyList<SoakSample> Samples { get; init; } = [];

    public IReadOnlyList<SoakMemorySample> Memory { get; init; } = [];

    public IReadOnlyList<SoakLatency> Latency { get; init; } = [];

    /// <summary>Live heap after full collections from the first minute on (before that: warm-up): first, last, least, most.</summary>
    public (double FirstMb, double LastMb, double MinMb, double MaxMb, double SlopeMbPerMinute)? LiveHeap
    {
        get
        {
            var points = Memory.Where(m => m.LiveHeapBytes is not null && m.Seconds >= Math.Min(60, Seconds / 4)).Select(m => (X: m.Seconds / 60, Y: m.LiveHeapBytes!.Value / 1048576.0)).ToList();
            if (points.Count < 2)
            {
                return null;
            }

            var mx = points.Average(p => p.X);
            var my = points.Average(p => p.Y);
            var slope = points.Sum(p => (p.X - mx) * (p.Y - my)) / points.Sum(p => (p.X - mx) * (p.X - mx));
            return (points[0].Y, points[^1].Y, points.Min(p => p.Y), points.Max(p => p.Y), slope);
        }
    }

    /// <summary>Working set, median over the first and the last minute after warm-up (MB).</summary>
    public (double FirstMb, double LastMb)? WorkingSet
    {
        get
        {
            var start = Math.Min(60, Seconds / 4);
            var first = Memory.Where(m => m.Seconds >= start && m.Seconds < start + 60).Select(m => m.WorkingSetBytes / 1048576.0).Order().ToArray();
            var last = Memory.Where(m => m.Seconds >= Memory[^1].Seconds - 60 && m.Seconds >= start).Select(m => m.WorkingSetBytes / 1048576.0).Order().ToArray();
            return first.Length == 0 || last.Length == 0 ? null : (first[first.Length / 2], last[last.Length / 2]);
        }
    }
}

/// <summary>What <c>ovnacl bench churn --soak</c> measured, on each database.</summary>
internal sealed record ChurnSoakReport(int Pods, int Policies, ChurnSoakOptions Soak, int Batch, int PipelineDepth, IReadOnlyList<SoakServerResult> Servers)
{
    /// <summary>
    /// The soak's verdict: one line per database that lost or added anything, changed another owner's rows, or left
    /// events unconfirmed. A soak with any is a failure, not a figure; none means it passed.
    /// </summary>
    public IReadOnlyList<string> Failures() =>
    [
        .. Servers.Where(s => s.Missing + s.Extra + s.Differing + s.OthersChanged > 0 || s.Confirmed != s.Offered)
            .Select(s => $"{s.Name}: the database did not converge to the desired rows (missing {s.Missing}, extra {s.Extra}, differing {s.Differing}, other owner's rows changed {s.OthersChanged}, unconfirmed {s.Offered - s.Confirmed})"),
    ];

    public string ToTable()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Soak: {Soak.Duration.TotalMinutes:0.#} min at {Soak.Rate:0} pod events/s offered, {Pods} pods, {Policies} policies, batch {Batch}, {PipelineDepth} in flight; a fault every {Soak.FaultEvery.TotalSeconds:0} s");
        foreach (var server in Servers)
        {
            text.AppendLine();
            text.AppendLine(c, $"{server.Name} ({server.Remotes})");
            text.AppendLine(c, $"  a pod event changes {server.ChangesPerEvent} members: at most {Batch * server.ChangesPerEvent} changes per transaction");
            text.AppendLine(c, $"  events offered {server.Offered:N0}, confirmed {server.Confirmed:N0}; transactions {server.Transactions:N0} ({server.Committed:N0} committed, {server.Failed} refused, {server.OutcomeUnknown} outcome unknown), full comparisons {server.FullResyncs}");
            text.AppendLine(c, $"  after the last event: converged in {server.ConvergeSeconds:0.00} s; owned rows/members missing {server.Missing}, extra {server.Extra}, differing {server.Differing}; other owner's rows changed {server.OthersChanged}");
            if (server.LiveHeap is { } live)
            {
                text.AppendLine(c, $"  live heap after full GC (from minute 1): first {live.FirstMb:0.0} MB, last {live.LastMb:0.0} MB, range {live.MinMb:0.0}–{live.MaxMb:0.0} MB, trend {live.SlopeMbPerMinute:+0.00;-0.00} MB/min");
            }

            if (server.WorkingSet is { } ws)
            {
                text.AppendLine(c, $"  working set: {ws.FirstMb:0} MB in the first minute after warm-up, {ws.LastMb:0} MB in the last");
            }

            if (server.Latency.Count > 0)
            {
                var p99 = server.Latency.Select(l => l.P99Ms).Order().ToArray();
                text.AppendLine(c, $"  per-second p99 latency: median {p99[p99.Length / 2]:0.00} ms, worst {p99[^1]:0.0} ms");
            }

            text.AppendLine("  t (s)   fault          server        action s  peak backlog  recovered after s  throughput after");
            foreach (var f in server.Faults)
            {
                var who = f.Server.ToString(c) + (server.Name.StartsWith("raft", StringComparison.Ordinal) ? f.Leader ? " leader" : " follower" : "");
                text.AppendLine(c, $"  {f.AtSeconds,5:0.0}   {f.Fault,-13}  {who,-12}  {f.ActionSeconds,8:0.0}  {f.PeakBacklog,12:N0}  {(f.RecoveredAfterSeconds is { } r ? r.ToString("0.0", c) : "never"),17}  {(f.ThroughputAfter is { } t ? t.ToString("0.00", c) + "×" : "–"),16}");
            }
        }

        return text.ToString();
    }

    /// <summary>The report as JSON (docs/reliability.md), every series the plot draws as columns: <see cref="BenchJson"/>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, new ChurnSoakReportJson("soak", Pods, Policies, Soak.Duration.TotalSeconds, Soak.Rate, Soak.FaultEvery.TotalSeconds, Batch,
            PipelineDepth,
            [.. Servers.Select(s => new SoakServerJson(s.Name, s.Remotes, s.Offered, s.Confirmed, s.ChangesPerEvent, s.Seconds, s.ConvergeSeconds, s.Transactions,
                s.Committed, s.Failed, s.OutcomeUnknown, s.FullResyncs, s.Missing, s.Extra, s.Differing, s.OthersChanged,
                s.LiveHeap is { } live ? new SoakLiveHeapJson(live.FirstMb, live.LastMb, live.MinMb, live.MaxMb, live.SlopeMbPerMinute) : null,
                [.. s.Faults.Select(f => new SoakFaultJson(f.AtSeconds, f.Fault, f.Server, f.Leader, f.ActionSeconds, f.BaselineBacklog, f.PeakBacklog,
                    f.RecoveredAfterSeconds, f.ThroughputAfter))],
                // Series as columns (t, offered, confirmed …): compact, and what the plot reads.
                new SoakSamplesJson(Column(s.Samples.Select(x => x.Seconds)), Column(s.Samples.Select(x => (double)x.Offered)), Column(s.Samples.Select(x => (double)x.Confirmed))),
                new SoakMemoryJson(Column(s.Memory.Select(x => x.Seconds)), Column(s.Memory.Select(x => x.WorkingSetBytes / 1048576.0)),
                    Column(s.Memory.Select(x => x.HeapBytes / 1048576.0)),
                    [.. s.Memory.Where(m => m.LiveHeapBytes is not null).Select(m => new[] { Math.Round(m.Seconds, 2), Math.Round(m.LiveHeapBytes!.Value / 1048576.0, 3) })]),
                new SoakLatencyJson(Column(s.Latency.Select(x => (double)x.Second)), Column(s.Latency.Select(x => x.P50Ms)), Column(s.Latency.Select(x => x.P99Ms)),
                    Column(s.Latency.Select(x => x.MaxMs)))))]),
            BenchJson.Context.ChurnSoakReportJson);
    }

    private static double[] Column(IEnumerable<double> values) => [.. values.Select(v => Math.Round(v, 3))];
}

internal sealed record ChurnSoakReportJson(string Kind, int Pods, int Policies, double DurationSeconds, double Rate, double FaultEverySeconds, int Batch, int Pipeline,
    IReadOnlyList<SoakServerJson> Servers);

internal sealed record SoakServerJson(
    string Name,
    string Remotes,
    long Offered,
    long Confirmed,
    int ChangesPerEvent,
    double Seconds,
    double ConvergeSeconds,
    long Transactions,
    long Committed,
    long Failed,
    long OutcomeUnknown,
    long FullResyncs,
    long Missing,
    long Extra,
    long Differing,
    long OthersChanged,
    [property: JsonPropertyName("live_heap_mb"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SoakLiveHeapJson? LiveHeap,
    IReadOnlyList<SoakFaultJson> Faults,
    SoakSamplesJson Samples,
    SoakMemoryJson Memory,
    [property: JsonPropertyName("latency_ms")] SoakLatencyJson Latency);

internal sealed record SoakLiveHeapJson(double First, double Last, double Min, double Max, double SlopePerMinute);

internal sealed record SoakFaultJson(
    [property: JsonPropertyName("at")] double AtSeconds,
    string Fault,
    int Server,
    bool Leader,
    double ActionSeconds,
    long BaselineBacklog,
    long PeakBacklog,
    double? RecoveredAfterSeconds,
    double? ThroughputAfter);

internal sealed record SoakSamplesJson(double[] T, double[] Offered, double[] Confirmed);

internal sealed record SoakMemoryJson(double[] T, double[] WorkingSetMb, double[] HeapMb, IReadOnlyList<double[]> LiveHeap);

internal sealed record SoakLatencyJson(double[] Second, double[] P50, double[] P99, double[] Max);
