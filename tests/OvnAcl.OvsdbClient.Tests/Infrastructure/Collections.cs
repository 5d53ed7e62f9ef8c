using OvnAcl.Testing;

namespace OvnAcl.OvsdbClient.Tests.Infrastructure;

[CollectionDefinition(FixtureCollections.StandaloneNb)]
public sealed class StandaloneNbCollection : ICollectionFixture<StandaloneNbFixture>;

[CollectionDefinition(FixtureCollections.RaftNb)]
public sealed class RaftNbCollection : ICollectionFixture<RaftNbFixture>;

[CollectionDefinition(FixtureCollections.OvnSandbox)]
public sealed class OvnSandboxCollection : ICollectionFixture<OvnSandboxFixture>;

[CollectionDefinition(FixtureCollections.TlsNb)]
public sealed class TlsNbCollection : ICollectionFixture<TlsNbFixture>;
