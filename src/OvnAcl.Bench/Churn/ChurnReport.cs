using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OvnAcl.Benchmarking;

/// <summary>One measured run of one client: <see cref="Events"/> pod events at one batch size and offered load.</summary>
internal sealed record ChurnSample
{
    public required string Peer { get; init; }

    /// <summary>Events per transaction asked for (OvnAcl: the most one may carry).</summary>
    public required int Batch { get; init; }

    /// <summary>Events/s offered (open loop); null for as fast as possible.</summary>
    public double? OfferedRate { get; init; }

    public long Events { get; init; }

    /// <summary>Events whose change the database confirmed (committed) by the end.</summary>
    public long Confirmed { get; init; }

    /// <summary>From the first event to the last confirmation.</summary>
    public double Seconds { get; init; }

    public double EventsPerSecond => Seconds > 0 ? Confirmed / Seconds : 0;

    public long Transactions { get; init; }

    public double EventsPerTransaction => Transactions > 0 ? (double)Events / Transactions : 0;

    /// <summary>OVSDB operations per event; null when the client does not tell.</summary>
    public double? OperationsPerEvent { get; init; }

    /// <summary>Bytes of <c>transact</c> requests per event; null when the client does not tell.</summary>
    public double? BytesPerEvent { get; init; }

    /// <summary>
    /// Row members (port group ports, address set addresses) the committed transactions changed, per event; null when
    /// the client does not tell. The peers change 2 per event. OvnAcl's compile changes 3 per event: as fast as
    /// possible exactly 3 (no event cancelled another), under an overload less (opposite events cancelled while pending).
    /// </summary>
    public double? MemberChangesPerEvent { get; init; }

    /// <summary>Latency from an event (its due time under an offered load) to the commit that confirms it.</summary>
    public double LatencyP50Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double LatencyMaxMs { get; init; }

    /// <summary>The client's own CPU time over the run (all its threads; for OvnAcl, engine, reconciler and client).</summary>
    public double CpuSeconds { get; init; }

    public double CpuMicrosecondsPerEvent => Events > 0 ? CpuSeconds * 1e6 / Events : 0;

    /// <summary>OvnAcl: whether the database equalled the desired state at the end (a full comparison found nothing to do).</summary>
    public bool? Converged { get; init; }

    /// <summary>The median of several runs, field by field.</summary>
    public static ChurnSample Median(IReadOnlyList<ChurnSample> runs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        static double M(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static double? N(IEnumerable<double?> values) => values.All(v => v is not null) ? M(values.Select(v => v!.Value)) : null;

        // Throughput is the median of events/s (not events over the median time); the rest field by field.
        var eps = M(runs.Select(r => r.EventsPerSecond));
        var first = runs[0];
        return first with
        {
            Confirmed = (long)M(runs.Select(r => (double)r.Confirmed)),
            Seconds = eps > 0 ? M(runs.Select(r => (double)r.Confirmed)) / eps : 0,
            Transactions = (long)Math.Round(M(runs.Select(r => (double)r.Transactions))),
            OperationsPerEvent = N(runs.Select(r => r.OperationsPerEvent)),
            BytesPerEvent = N(runs.Select(r => r.BytesPerEvent)),
            MemberChangesPerEvent = N(runs.Select(r => r.MemberChangesPerEvent)),
            LatencyP50Ms = M(runs.Select(r => r.LatencyP50Ms)),
            LatencyP99Ms = M(runs.Select(r => r.LatencyP99Ms)),
            LatencyMaxMs = M(runs.Select(r => r.LatencyMaxMs)),
            CpuSeconds = M(runs.Select(r => r.CpuSeconds)),
            Converged = runs.All(r => r.Converged is null) ? null : runs.All(r => r.Converged != false),
        };
    }

    /// <summary>Percentiles of <paramref name="sorted"/> (ascending), nearest rank.</summary>
    internal static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>All runs against one database; <see cref="RoundTripMs"/> is the median of sequential one-event raw transactions.</summary>
internal sealed record ChurnServerResult(
    string Server,
    string Remotes,
    double RoundTripMs,
    IReadOnlyList<ChurnSample> Samples,
    IReadOnlyList<string> Notes)
{
    /// <summary>The 99th percentile of the same round trips: how much the database alone varies, next to the clients' p99.</summary>
    public double? RoundTripP99Ms { get; init; }
}

/// <summary>What <c>ovnacl bench churn</c> prints: per database, the median of each client's runs per batch and load.</summary>
internal sealed record ChurnReport(int Pods, int Policies, int PeerRowSets, int Events, int Runs, int PipelineDepth, IReadOnlyList<ChurnServerResult> Servers)
{
    public const string OvnAclName = "ovnacl";
    public const string RawName = "raw";
    public const string OvsdbappName = "ovsdbapp";

    public string ToTable()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"churn: {Pods} pods, {Policies} policies (OvnAcl), {PeerRowSets} port groups + {PeerRowSets} address sets (peers), {Events} events per run, median of {Runs}, OvnAcl pipeline depth {PipelineDepth}");
        foreach (var server in Servers)
        {
            text.AppendLine();
            text.AppendLine(inv, $"{server.Server} ({server.Remotes}); one transaction's round trip: {server.RoundTripMs:0.000} ms{(server.RoundTripP99Ms is { } p99 ? $" (p99 {p99:0.000} ms)" : "")}");
            text.AppendLine("peer      batch    offered   events/s  vs raw  vs ovsdbapp   txns  ev/txn  chg/ev  ops/ev  bytes/ev   p50 ms   p99 ms   max ms   cpu s  cpu us/ev");
            foreach (var s in server.Samples)
            {
                var raw = Peer(server, RawName, s);
                var app = Peer(server, OvsdbappName, s);
                text.Append(inv,
                    $"{s.Peer,-9} {s.Batch,5} {(s.OfferedRate is { } r ? r.ToString("0", inv) : "max"),10} {s.EventsPerSecond,10:0} {Ratio(s, raw),7} {Ratio(s, app),11} {s.Transactions,6} {s.EventsPerTransaction,7:0.0} {Opt(s.MemberChangesPerEvent, "0.00"),7} {Opt(s.OperationsPerEvent, "0.00"),7} {Opt(s.BytesPerEvent, "0"),9} {s.LatencyP50Ms,8:0.00} {s.LatencyP99Ms,8:0.00} {s.LatencyMaxMs,8:0.00} {s.CpuSeconds,7:0.00} {s.CpuMicrosecondsPerEvent,10:0.0}");
                text.AppendLine((s.Converged == false ? "  NOT CONVERGED" : "") + (s.Confirmed != s.Events ? $"  confirmed {s.Confirmed}/{s.Events}" : ""));
            }

            foreach (var note in server.Notes)
            {
                text.AppendLine("note: " + note);
            }
        }

        return text.ToString();
    }

    /// <summary>The report as JSON (docs/benchmarks.md), as every <c>--json</c> output is written: <see cref="BenchJson"/>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, new ChurnReportJson(Pods, Policies, PeerRowSets, Events, Runs, PipelineDepth,
            [.. Servers.Select(server => new ChurnServerJson(server.Server, server.Remotes, server.RoundTripMs, server.RoundTripP99Ms,
                [.. server.Samples.Select(s => new ChurnSampleJson(s.Peer, s.Batch, s.OfferedRate, s.Events, s.Confirmed, s.Seconds, s.EventsPerSecond, s.Transactions,
                    s.EventsPerTransaction, s.OperationsPerEvent, s.BytesPerEvent, s.MemberChangesPerEvent,
                    new ChurnLatencyJson(s.LatencyP50Ms, s.LatencyP99Ms, s.LatencyMaxMs), s.CpuSeconds, s.CpuMicrosecondsPerEvent, s.Converged,
                    Peer(server, RawName, s) is { } raw && s.Peer != RawName ? s.EventsPerSecond / raw.EventsPerSecond : null,
                    Peer(server, OvsdbappName, s) is { } app && s.Peer != OvsdbappName ? s.EventsPerSecond / app.EventsPerSecond : null))],
                server.Notes))]),
            BenchJson.Context.ChurnReportJson);
    }

    private static ChurnSample? Peer(ChurnServerResult server, string peer, ChurnSample like) =>
        server.Samples.FirstOrDefault(s => s.Peer == peer && s.Batch == like.Batch && s.OfferedRate == like.OfferedRate && s.EventsPerSecond > 0);

    private static string Ratio(ChurnSample sample, ChurnSample? peer) =>
        peer is null || ReferenceEquals(sample, peer) ? "" : (sample.EventsPerSecond / peer.EventsPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Opt(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
}

internal sealed record ChurnReportJson(int Pods, int Policies, int PeerRowSets, int Events, int Runs, int PipelineDepth, IReadOnlyList<ChurnServerJson> Servers);

internal sealed record ChurnServerJson(string Server, string Remotes, double RoundTripMs, double? RoundTripP99Ms, IReadOnlyList<ChurnSampleJson> Samples,
    IReadOnlyList<string> Notes);

internal sealed record ChurnSampleJson(
    string Peer,
    int Batch,
    double? OfferedRate,
    long Events,
    long Confirmed,
    double Seconds,
    double EventsPerSecond,
    long Transactions,
    double EventsPerTransaction,
    double? OperationsPerEvent,
    double? BytesPerEvent,
    double? MemberChangesPerEvent,
    [property: JsonPropertyName("latency_ms")] ChurnLatencyJson Latency,
    double CpuSeconds,
    [property: JsonPropertyName("cpu_us_per_event")] double CpuMicrosecondsPerEvent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Converged,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? RatioToRaw,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? RatioToOvsdbapp);

internal sealed record ChurnLatencyJson(double P50, double P99, double Max);
