using System.CommandLine;
using OvnAcl.Cli.Commands;

var root = new RootCommand("ovnacl: compile, check and reconcile OVN ACLs (Kubernetes NetworkPolicy, Neutron security groups)");
root.Add(DbCommands.Create());
root.Add(BenchCommands.Create());
root.Add(MatchCommand.Create());
root.Add(CompileCommand.Create());
root.Add(ExplainCommand.Create());
root.Add(ApplyCommand.Create());
root.Add(ShowCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
