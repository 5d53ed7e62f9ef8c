using Xunit;

namespace OvnAcl.Testing;

/// <summary>One <see cref="OvnAcl.Sandbox.OvnSandbox"/> shared by a collection; tests call <see cref="OvnSandbox.ResetAsync"/>.</summary>
public sealed class OvnSandboxFixture : IAsyncLifetime
{
    private OvnSandbox? _sandbox;

    public OvnSandbox Sandbox => _sandbox ?? throw new InvalidOperationException("the fixture has not been initialized");

    public async Task InitializeAsync() => _sandbox = await OvnSandbox.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync().ConfigureAwait(false);
        }
    }
}
