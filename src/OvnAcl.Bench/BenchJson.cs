using System.Text.Json;
using System.Text.Json.Serialization;

namespace OvnAcl.Benchmarking;

/// <summary>
/// The bench reports' JSON, written as every <c>--json</c> output of <c>ovnacl</c> is (README, "JSON output"):
/// snake_case names from a source-generated context, not a hand-written writer per report.
/// </summary>
internal static class BenchJson
{
    public static BenchJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    });
}

[JsonSerializable(typeof(ChurnReportJson))]
[JsonSerializable(typeof(ChurnSoakReportJson))]
[JsonSerializable(typeof(SyncReportJson))]
[JsonSerializable(typeof(EnforceReportJson))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
