using OvnAcl.Testing;

namespace OvnAcl.Core.Tests;

[CollectionDefinition(FixtureCollections.StandaloneNb)]
public sealed class StandaloneNbCollection : ICollectionFixture<StandaloneNbFixture>;

[CollectionDefinition(FixtureCollections.RaftNb)]
public sealed class RaftNbCollection : ICollectionFixture<RaftNbFixture>;

[CollectionDefinition(FixtureCollections.PartitionableRaftNb)]
public sealed class PartitionableRaftNbCollection : ICollectionFixture<PartitionableRaftNbFixture>;

[CollectionDefinition(FixtureCollections.OvnChassis)]
public sealed class OvnChassisCollection : ICollectionFixture<OvnChassisFixture>;
