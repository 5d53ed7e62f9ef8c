using OvnAcl;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

// ovnacl-consumer NB_REMOTE INPUT...: the README's embedding API from the packages alone. Compiles INPUT, applies the
// rows to NB_REMOTE through the reconciler, and prints what it wrote as "port_groups=N address_sets=N acls=N" for
// scripts/consumer-test.sh to compare with the database. Exit 1 when compiling or applying fails.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ovnacl-consumer NB_REMOTE INPUT...");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var compilation = await PolicyCompiler.CompileAsync(args[1..], cancellationToken: timeout.Token);
foreach (var diagnostic in compilation.Diagnostics)
{
    Console.Error.WriteLine(diagnostic);
}

if (compilation.Rows is not { } rows)
{
    return 1;
}

var desired = new DesiredState("ovnacl-consumer");
desired.Load(rows);
await using var nb = new OvsdbClient(args[0], OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
await nb.StartAsync(timeout.Token);
Console.Error.WriteLine($"acl_tiers={NorthboundFeatures.HasAclTiers(nb.Schema)}"); // Debian's 23.03: False
await using var reconciler = new AclReconciler(nb, desired);
var result = await reconciler.ReconcileOnceAsync(timeout.Token);
if (!result.Converged)
{
    Console.Error.WriteLine("the database did not take every change: " + result.Error);
    return 1;
}

Console.WriteLine($"port_groups={rows.PortGroups.Count} address_sets={rows.AddressSets.Count} acls={rows.PortGroups.Sum(p => p.Acls.Count)}");
return 0;
