using System.Diagnostics.Metrics;

namespace OvnAcl.Ovsdb;

/// <summary>Counters of the client, published on the <c>OvnAcl.Ovsdb</c> meter.</summary>
internal static class OvsdbMetrics
{
    public const string MeterName = "OvnAcl.Ovsdb";

    private static readonly Meter s_meter = new(MeterName);

    public static readonly Counter<long> BytesSent = s_meter.CreateCounter<long>("ovsdb.client.bytes_sent", "By");
    public static readonly Counter<long> BytesReceived = s_meter.CreateCounter<long>("ovsdb.client.bytes_received", "By");
    public static readonly Counter<long> Transactions = s_meter.CreateCounter<long>("ovsdb.client.transactions", "{transaction}", "Transactions by outcome (committed, failed, unknown).");
    public static readonly Counter<long> Reconnects = s_meter.CreateCounter<long>("ovsdb.client.reconnects", "{connection}");
    public static readonly Counter<long> UnexpectedReplies = s_meter.CreateCounter<long>("ovsdb.client.unexpected_replies", "{message}");
    public static readonly UpDownCounter<long> ReplicaRows = s_meter.CreateUpDownCounter<long>("ovsdb.client.replica_rows", "{row}");
}
