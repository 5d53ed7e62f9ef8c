using OvnAcl.Testing;

namespace OvnAcl.Cli.Tests;

[CollectionDefinition(FixtureCollections.StandaloneNb)]
public sealed class StandaloneNbCollection : ICollectionFixture<StandaloneNbFixture>;

[CollectionDefinition(FixtureCollections.OvnSandbox)]
public sealed class OvnSandboxCollection : ICollectionFixture<OvnSandboxFixture>;
