using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using static OvnAcl.Core.Tests.Reconciliation.ReconcilerHarness;

namespace OvnAcl.Core.Tests.Reconciliation;

public sealed partial class AclReconcilerTests
{
    [Fact]
    public async Task A_transaction_sent_behind_a_refused_one_does_not_claim_the_refused_change()
    {
        // Two transactions in flight at once (the server frozen while they are sent): the first inserts an address set
        // whose name an unowned, unmonitored row already has, so the server refuses it; the second adds a member to
        // another set and commits. The second was planned while the first held its change, so it must not report a
        // covered version that includes the refused insert.
        await NbctlAsync(_nb.UnixRemote, "create", "Address_Set", "name=as_hidden3", "external_ids:owner-controller=someone-else");
        var ownedOnly = new OvsdbTableMonitor("Address_Set")
        {
            Where = [OvsdbCondition.Includes("external_ids", OvsdbDatum.StringMap([new(DesiredState.OwnerControllerKey, Controller)]))],
        };
        await using var h = await StartAsync(_nb.UnixRemote, AclReconcilerOptions.Default with
        {
            MaxTransactionsInFlight = 4,
            MaxChangesPerTransaction = 1,
            RetryBackoff = TimeSpan.FromMilliseconds(5),
        }, [ownedOnly]);
        LoadInitial(h.State);
        h.Run();
        await h.ConvergeAsync();
        h.Transactions.Clear();

        long refusedVersion;
        _nb.Process.Freeze();
        try
        {
            h.State.PutAddressSet("as_hidden3", Ids());
            refusedVersion = h.State.Version;
            await Task.Delay(300);
            h.State.AddAddress("as_b", "fd00::2");
            await Task.Delay(300);
        }
        finally
        {
            _nb.Process.Thaw();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!h.Transactions.Any(t => t.Status == OvsdbTransactionStatus.Committed && t.Plan.Rows.Any(r => r.Name == "as_b")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var committed = h.Transactions.Where(t => t.Status == OvsdbTransactionStatus.Committed && t.Plan.Rows.Any(r => r.Name == "as_b")).ToList();
        Assert.NotEmpty(committed);
        Assert.Contains(h.Transactions, t => t.Status == OvsdbTransactionStatus.Failed);
        Assert.All(committed, t => Assert.True(t.CoversDesiredVersion is null || t.CoversDesiredVersion < refusedVersion,
            $"the member's transaction claims version {t.CoversDesiredVersion}, the refused insert is version {refusedVersion}"));
    }
}
