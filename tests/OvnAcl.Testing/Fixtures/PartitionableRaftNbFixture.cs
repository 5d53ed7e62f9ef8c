using Xunit;

namespace OvnAcl.Testing;

/// <summary>
/// A 3-node NB cluster whose node <see cref="PartitionedNode"/> runs in its own network namespace, so that tests can
/// partition it for real (<see cref="RaftNb.PartitionAsync"/>). Needs root: without it the fixture throws.
/// </summary>
public sealed class PartitionableRaftNbFixture : IAsyncLifetime
{
    public const int PartitionedNode = 2;

    private RaftNb? _cluster;

    public RaftNb Cluster => _cluster ?? throw new InvalidOperationException("the fixture has not been initialized");

    public async Task InitializeAsync() =>
        _cluster = await RaftNb.StartAsync(RaftNbOptions.Default with { NamespacedNode = PartitionedNode }).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }
}
