using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OvnAcl.Benchmarking;

/// <summary>One shape under one formulation: what the chassis installed and how fast changes reached all of them.</summary>
internal sealed record EnforceSample
{
    public required string Shape { get; init; }
    public required string Formulation { get; init; }
    public int PortGroups { get; init; }
    public int AddressSets { get; init; }
    public int Acls { get; init; }
    /// <summary>OpenFlow flows the shape's rows added on br-int, summed over the chassis (flows minus the empty-NB baseline).</summary>
    public int OpenflowFlows { get; init; }
    /// <summary>The most flows the shape added on one chassis.</summary>
    public int OpenflowFlowsMaxChassis { get; init; }
    /// <summary>Every flow on br-int, summed over the chassis, baseline included.</summary>
    public int OpenflowFlowsTotal { get; init; }
    public int Events { get; init; }
    /// <summary>Per event, NB_Global.nb_cfg_timestamp (northd saw the commit) to the last Chassis_Private.nb_cfg_timestamp (installed), ms; ascending.</summary>
    public required double[] EnforceMs { get; init; }
    /// <summary>Per event, the <c>ovn-nbctl --wait=hv</c> call from start to return, ms; ascending.</summary>
    public required double[] WallMs { get; init; }
    public double NorthdCpuMsPerChange { get; init; }
    /// <summary>CPU of every ovn-controller together, per change.</summary>
    public double ControllerCpuMsPerChange { get; init; }
    /// <summary>Full recomputes of northd's <c>northd</c> engine node over the events (<c>inc-engine/show-stats</c>), or null.</summary>
    public long? NorthdRecomputes { get; init; }
    /// <summary>The enforce p50 of each round, in the order run, ms: how much the pooled p50 moves with the machine's noise.</summary>
    public double[] EnforceP50ByRound { get; init; } = [];

    /// <summary>
    /// One shape and formulation's rounds as one sample: events, times and recomputes pooled, CPU per change averaged
    /// over all events; the flows are the rounds' most (each round installs the same rows from an empty NB).
    /// </summary>
    public static EnforceSample Pool(IReadOnlyList<EnforceSample> rounds)
    {
        if (rounds.Count == 0)
        {
            throw new ArgumentException("no rounds to pool", nameof(rounds));
        }

        var first = rounds[0];
        var events = rounds.Sum(r => r.Events);
        return first with
        {
            OpenflowFlows = rounds.Max(r => r.OpenflowFlows),
            OpenflowFlowsMaxChassis = rounds.Max(r => r.OpenflowFlowsMaxChassis),
            OpenflowFlowsTotal = rounds.Max(r => r.OpenflowFlowsTotal),
            Events = events,
            EnforceMs = [.. rounds.SelectMany(r => r.EnforceMs).Order()],
            WallMs = [.. rounds.SelectMany(r => r.WallMs).Order()],
            NorthdCpuMsPerChange = rounds.Sum(r => r.NorthdCpuMsPerChange * r.Events) / events,
            ControllerCpuMsPerChange = rounds.Sum(r => r.ControllerCpuMsPerChange * r.Events) / events,
            NorthdRecomputes = rounds.All(r => r.NorthdRecomputes is not null) ? rounds.Sum(r => r.NorthdRecomputes!.Value) : null,
            EnforceP50ByRound = [.. rounds.Select(r => r.EnforceMs.Length == 0 ? 0 : ChurnSample.Percentile(r.EnforceMs, 0.5))],
        };
    }
}

internal sealed record EnforceReport(int Chassis, int Pods, int Events, int Rounds, double SandboxStartupSeconds, int BaselineFlows, IReadOnlyList<EnforceSample> Samples)
{
    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Chassis} chassis, {Pods} pods, {Rounds} round(s) of {Events} events per sample, formulations' order alternating; baseline {BaselineFlows} flows over all chassis; sandbox up in {SandboxStartupSeconds:0.0} s");
        text.AppendLine("shape              formulation      ACLs   flows  max/chassis  enforce p50/p99/max ms     northd ms/chg  controllers ms/chg  northd recomputes");
        foreach (var s in Samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{s.Shape,-18} {s.Formulation,-15} {s.Acls,5} {s.OpenflowFlows,7} {s.OpenflowFlowsMaxChassis,12}  {P(s.EnforceMs, 0.5),7:0.0} {P(s.EnforceMs, 0.99),7:0.0} {Max(s.EnforceMs),7:0.0}   {s.NorthdCpuMsPerChange,12:0.0}  {s.ControllerCpuMsPerChange,17:0.0}  {(s.NorthdRecomputes is { } r ? r.ToString(CultureInfo.InvariantCulture) : "?"),17}");
        }

        return text.ToString();
    }

    /// <summary>The report as JSON (docs/benchmarks.md), written as every <c>--json</c> output is: <see cref="BenchJson"/>.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        JsonSerializer.Serialize(writer, new EnforceReportJson(Chassis, Pods, Events, Rounds, SandboxStartupSeconds, BaselineFlows,
            [.. Samples.Select(s => new EnforceSampleJson(s.Shape, s.Formulation, s.PortGroups, s.AddressSets, s.Acls, s.OpenflowFlows, s.OpenflowFlowsMaxChassis,
                s.OpenflowFlowsTotal, s.Events, Latency(s.EnforceMs), Latency(s.WallMs), s.NorthdCpuMsPerChange, s.ControllerCpuMsPerChange, s.NorthdRecomputes, s.EnforceP50ByRound))]),
            BenchJson.Context.EnforceReportJson);
    }

    private static EnforceLatencyJson Latency(double[] sorted) => new(P(sorted, 0.5), P(sorted, 0.99), Max(sorted));

    private static double P(double[] sorted, double fraction) => sorted.Length == 0 ? 0 : ChurnSample.Percentile(sorted, fraction);

    private static double Max(double[] sorted) => sorted.Length == 0 ? 0 : sorted[^1];
}

internal sealed record EnforceReportJson(int Chassis, int Pods, int Events, int Rounds, double SandboxStartupSeconds, int BaselineFlows, IReadOnlyList<EnforceSampleJson> Samples);

internal sealed record EnforceSampleJson(
    string Shape, string Formulation, int PortGroups, int AddressSets, int Acls, int OpenflowFlows, int OpenflowFlowsMaxChassis, int OpenflowFlowsTotal, int Events,
    EnforceLatencyJson EnforceMs, EnforceLatencyJson WaitHvWallMs, double NorthdCpuMsPerChange, double ControllerCpuMsPerChange, long? NorthdRecomputes, double[] EnforceP50ByRound);

internal sealed record EnforceLatencyJson(double P50, double P99, double Max);
