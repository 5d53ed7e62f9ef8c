using OvnAcl.Testing;

namespace OvnAcl.Core.Tests;

[CollectionDefinition(FixtureCollections.StandaloneNb)]
public sealed class StandaloneNbCollection : ICollectionFixture<StandaloneNbFixture>;
