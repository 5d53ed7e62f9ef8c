using Xunit;

namespace OvnAcl.Testing;

/// <summary>A <see cref="OvnAcl.Sandbox.Pki"/> and a standalone NB server listening on <c>pssl:</c> with its server certificate.</summary>
public sealed class TlsNbFixture : IAsyncLifetime
{
    private Pki? _pki;
    private StandaloneNb? _nb;

    public Pki Pki => _pki ?? throw new InvalidOperationException("the fixture has not been initialized");

    public StandaloneNb Nb => _nb ?? throw new InvalidOperationException("the fixture has not been initialized");

    /// <summary><c>ssl:127.0.0.1:PORT</c>.</summary>
    public string SslRemote => Nb.SslRemote ?? throw new InvalidOperationException("the server was started without TLS");

    public async Task InitializeAsync()
    {
        _pki = await Pki.CreateAsync().ConfigureAwait(false);
        _nb = await StandaloneNb.StartAsync(new StandaloneNbOptions { Tcp = true, Ssl = _pki }).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (_nb is not null)
        {
            await _nb.DisposeAsync().ConfigureAwait(false);
        }

        _pki?.Dispose();
    }
}
