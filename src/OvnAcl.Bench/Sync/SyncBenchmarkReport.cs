using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OvnAcl.Benchmarking;

/// <summary>One measured run of one peer.</summary>
/// <param name="Elapsed">Wall time until the peer held (or had read) the whole database.</param>
/// <param name="Rows">Rows the peer saw, to check that every peer read the same database.</param>
/// <param name="ManagedBytes">For OvnAcl: managed heap growth with the synchronized client alive, after full collections.</param>
/// <param name="PeakRssBytes">For a child process that reports it: its peak resident set.</param>
internal sealed record SyncSample(TimeSpan Elapsed, long Rows, long? ManagedBytes = null, long? PeakRssBytes = null);

/// <summary>The runs of one peer, or why it was skipped.</summary>
internal sealed record SyncPeerResult(string Name, string Description, IReadOnlyList<SyncSample> Samples, SyncSample? Cold, string? SkipReason)
{
    public bool Measured => Samples.Count > 0;

    public double MedianSeconds => Median(Samples.Select(s => s.Elapsed.TotalSeconds));
    public double MinSeconds => Samples.Min(s => s.Elapsed.TotalSeconds);
    public double MaxSeconds => Samples.Max(s => s.Elapsed.TotalSeconds);
    public long Rows => Samples.Count == 0 ? 0 : Samples[^1].Rows;
    public double? MedianManagedBytes => Samples.All(s => s.ManagedBytes is null) ? null : Median(Samples.Where(s => s.ManagedBytes is not null).Select(s => (double)s.ManagedBytes!.Value));
    public double? MedianPeakRssBytes => Samples.All(s => s.PeakRssBytes is null) ? null : Median(Samples.Where(s => s.PeakRssBytes is not null).Select(s => (double)s.PeakRssBytes!.Value));

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>
/// The figures of one <c>ovnacl bench sync</c>: every peer's runs, and the goals: OvnAcl's median within
/// <see cref="DumpGoalRatio"/> times <c>ovsdb-client dump</c>'s, and below ovsdbapp's.
/// </summary>
internal sealed record SyncBenchmarkReport(string Remotes, string Database, string Tables, int Runs, int WarmupRuns, IReadOnlyList<SyncPeerResult> Peers)
{
    public const double DumpGoalRatio = 1.5;

    public const string OvnAclName = "ovnacl";
    public const string DumpName = "dump";
    public const string OvsdbappName = "ovsdbapp";

    public SyncPeerResult OvnAcl => Peers.First(p => p.Name == OvnAclName);

    public SyncPeerResult? Find(string name) => Peers.FirstOrDefault(p => p.Name == name && p.Measured);

    /// <summary>A peer's median over <paramref name="reference"/>'s; null when either was not measured.</summary>
    public double? Ratio(string peer, string reference) =>
        Find(peer) is { } p && Find(reference) is { } r && r.MedianSeconds > 0 ? p.MedianSeconds / r.MedianSeconds : null;

    /// <summary>OvnAcl within 1.5x of dump's median; null when dump was not measured.</summary>
    public bool? DumpGoalMet => Ratio(OvnAclName, DumpName) is { } ratio ? ratio <= DumpGoalRatio : null;

    /// <summary>OvnAcl faster than ovsdbapp; null when ovsdbapp was not measured.</summary>
    public bool? OvsdbappGoalMet => Ratio(OvnAclName, OvsdbappName) is { } ratio ? ratio < 1 : null;

    /// <summary>The figures as a table for people, with the goals and any skipped peer.</summary>
    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"sync of {Database} ({Tables}) from {Remotes}: {Runs} runs each, interleaved; {WarmupRuns} warm-up run(s) for in-process peers").AppendLine();
        text.AppendLine();
        text.AppendLine("peer        median s   min s   max s   x dump  x ovsdbapp     rows  memory");
        foreach (var peer in Peers.Where(p => p.Measured))
        {
            var memory = peer.MedianManagedBytes is { } managed
                ? string.Create(c, $"{managed / (1024 * 1024):0.0} MB managed")
                : peer.MedianPeakRssBytes is { } rss ? string.Create(c, $"{rss / (1024 * 1024):0} MB peak RSS") : "";
            text.Append(c, $"{peer.Name,-10} {peer.MedianSeconds,9:0.000} {peer.MinSeconds,7:0.000} {peer.MaxSeconds,7:0.000} {FormatRatio(Ratio(peer.Name, DumpName)),8} {FormatRatio(Ratio(peer.Name, OvsdbappName)),11} {peer.Rows,8}  {memory}")
                .AppendLine();
        }

        text.AppendLine();
        foreach (var peer in Peers)
        {
            text.Append(c, $"  {peer.Name}: {peer.Description}");
            if (peer.Cold is { } cold)
            {
                text.Append(c, $"; cold first run {cold.Elapsed.TotalSeconds:0.000} s");
            }

            text.AppendLine();
            if (peer.SkipReason is { } reason)
            {
                text.Append("    skipped: ").AppendLine(reason);
            }
        }

        text.AppendLine();
        text.Append(c, $"goal: OvnAcl within {DumpGoalRatio}x of dump: ").AppendLine(Verdict(DumpGoalMet, Ratio(OvnAclName, DumpName)));
        text.Append("goal: OvnAcl faster than ovsdbapp: ").AppendLine(Verdict(OvsdbappGoalMet, Ratio(OvnAclName, OvsdbappName)));
        return text.ToString();

        string Verdict(bool? met, double? ratio) => met switch
        {
            true => string.Create(c, $"met ({ratio:0.00}x)"),
            false => string.Create(c, $"NOT met ({ratio:0.00}x)"),
            null => "not measured",
        };
    }

    /// <summary>
    /// The figures as one JSON object: <c>remotes</c>, <c>database</c>, <c>tables</c>, <c>runs</c>, <c>warmup_runs</c>,
    /// <c>goals</c> {<c>dump_ratio_max</c>, <c>dump_met</c>, <c>ovsdbapp_met</c>} and <c>peers</c>, an array of
    /// {<c>name</c>, <c>description</c>, <c>measured</c>, <c>skip_reason</c>, <c>median_s</c>, <c>min_s</c>, <c>max_s</c>,
    /// <c>runs_s</c>, <c>cold_s</c>, <c>ratio_to_dump</c>, <c>ratio_to_ovsdbapp</c>, <c>rows</c>,
    /// <c>managed_bytes</c>, <c>peak_rss_bytes</c>}; absent figures are null.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, new SyncReportJson(Remotes, Database, Tables, Runs, WarmupRuns, new SyncGoalsJson(DumpGoalRatio, DumpGoalMet, OvsdbappGoalMet),
            [.. Peers.Select(peer => new SyncPeerJson(peer.Name, peer.Description, peer.Measured, peer.SkipReason,
                peer.Measured ? peer.MedianSeconds : null, peer.Measured ? peer.MinSeconds : null, peer.Measured ? peer.MaxSeconds : null,
                [.. peer.Samples.Select(sample => sample.Elapsed.TotalSeconds)], peer.Cold?.Elapsed.TotalSeconds,
                Ratio(peer.Name, DumpName), Ratio(peer.Name, OvsdbappName), peer.Measured ? peer.Rows : null, peer.MedianManagedBytes, peer.MedianPeakRssBytes))]),
            BenchJson.Context.SyncReportJson);
    }

    private static string FormatRatio(double? ratio) => ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
}

internal sealed record SyncReportJson(string Remotes, string Database, string Tables, int Runs, int WarmupRuns, SyncGoalsJson Goals, IReadOnlyList<SyncPeerJson> Peers);

internal sealed record SyncGoalsJson(double DumpRatioMax, bool? DumpMet, bool? OvsdbappMet);

internal sealed record SyncPeerJson(
    string Name,
    string Description,
    bool Measured,
    string? SkipReason,
    [property: JsonPropertyName("median_s")] double? MedianSeconds,
    [property: JsonPropertyName("min_s")] double? MinSeconds,
    [property: JsonPropertyName("max_s")] double? MaxSeconds,
    [property: JsonPropertyName("runs_s")] IReadOnlyList<double> RunsSeconds,
    [property: JsonPropertyName("cold_s")] double? ColdSeconds,
    double? RatioToDump,
    double? RatioToOvsdbapp,
    long? Rows,
    double? ManagedBytes,
    double? PeakRssBytes);
