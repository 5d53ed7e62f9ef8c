using Xunit;

namespace OvnAcl.Testing;

/// <summary>
/// One 3-node NB cluster shared by a collection. Tests that kill, restart or move nodes should begin with
/// <see cref="RaftNb.EnsureHealthyAsync"/> rather than assume what the previous test left.
/// </summary>
public sealed class RaftNbFixture : IAsyncLifetime
{
    private RaftNb? _cluster;

    public RaftNb Cluster => _cluster ?? throw new InvalidOperationException("the fixture has not been initialized");

    public async Task InitializeAsync() => _cluster = await RaftNb.StartAsync(RaftNbOptions.Default).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }
}
