using System.Diagnostics.Metrics;

namespace OvnAcl.Reconciliation;

/// <summary>Counters of every <see cref="AclReconciler"/>, published on the <c>OvnAcl.Reconciler</c> meter.</summary>
internal static class ReconcilerMetrics
{
    public const string MeterName = "OvnAcl.Reconciler";

    private static readonly Meter s_meter = new(MeterName);

    public static readonly Counter<long> Transactions = s_meter.CreateCounter<long>("ovnacl.reconciler.transactions", "{transaction}", "Transactions by status (committed, failed, unknown).");
    public static readonly Counter<long> Operations = s_meter.CreateCounter<long>("ovnacl.reconciler.operations", "{operation}");
    public static readonly Counter<long> BytesSent = s_meter.CreateCounter<long>("ovnacl.reconciler.bytes_sent", "By", "Size of the transact params sent.");
    public static readonly Counter<long> Changes = s_meter.CreateCounter<long>("ovnacl.reconciler.changes", "{change}", "Member, ACL and row changes committed.");
    public static readonly Counter<long> FullResyncs = s_meter.CreateCounter<long>("ovnacl.reconciler.full_resyncs", "{resync}");
    public static readonly Counter<long> Conflicts = s_meter.CreateCounter<long>("ovnacl.reconciler.conflicts", "{row}");
    public static readonly Histogram<double> Latency = s_meter.CreateHistogram<double>("ovnacl.reconciler.transaction.duration", "ms");
}
