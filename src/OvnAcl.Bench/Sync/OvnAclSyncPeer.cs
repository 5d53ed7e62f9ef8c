using System.Diagnostics;
using OvnAcl.Ovsdb;

namespace OvnAcl.Benchmarking;

/// <summary>OvnAcl's own client: from <c>new OvsdbClient</c> to <see cref="OvsdbClient.StartAsync(CancellationToken)"/> returning with the replica synchronized.</summary>
internal sealed class OvnAclSyncPeer(SyncBenchmarkOptions options) : SyncPeer
{
    public override string Name => SyncBenchmarkReport.OvnAclName;

    public override string Description =>
        "OvsdbClient, new to StartAsync returning (schema, _Server check, monitor_cond_since reply decoded into the replica); "
        + "memory = managed heap growth over the run with the client alive (full collections before and after)";

    public override bool InProcess => true;

    public override async Task<SyncSample> MeasureAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RunTimeout);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var stopwatch = Stopwatch.StartNew();
        var client = new OvsdbClient(options.Remotes, OvsdbClientOptions.Default with
        {
            Database = options.Database,
            Tables = null,
            Connection = options.Connection,
        });
        try
        {
            try
            {
                await client.StartAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchmarkException($"OvnAcl's client did not synchronize with {options.Remotes} within {options.RunTimeout.TotalSeconds:0} s");
            }

            stopwatch.Stop();
            var rows = client.Replica.TotalRows;
            var after = GC.GetTotalMemory(forceFullCollection: true);
            return new SyncSample(stopwatch.Elapsed, rows, ManagedBytes: after - before);
        }
        finally
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
