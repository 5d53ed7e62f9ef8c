using Xunit;

namespace OvnAcl.Testing;

/// <summary>One standalone NB server (unix + loopback TCP) shared by a collection; tests call <see cref="StandaloneNb.ResetAsync"/>.</summary>
public sealed class StandaloneNbFixture : IAsyncLifetime
{
    private StandaloneNb? _nb;

    public StandaloneNb Nb => _nb ?? throw new InvalidOperationException("the fixture has not been initialized");

    public async Task InitializeAsync() => _nb = await StandaloneNb.StartAsync(StandaloneNbOptions.Default).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_nb is not null)
        {
            await _nb.DisposeAsync().ConfigureAwait(false);
        }
    }
}
