namespace OvnAcl.Testing;

/// <summary>
/// Names of the xUnit collections that share one real server per test assembly. xUnit only honours a
/// <c>[CollectionDefinition]</c> in the test assembly itself, so each test project declares its own with these names.
/// </summary>
public static class FixtureCollections
{
    public const string StandaloneNb = "standalone-nb";
    public const string RaftNb = "raft-nb";
    public const string PartitionableRaftNb = "raft-nb-netns";
    public const string OvnSandbox = "ovn-sandbox";
    public const string TlsNb = "tls-nb";
    public const string OvnChassis = "ovn-chassis";
}
