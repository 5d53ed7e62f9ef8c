namespace OvnAcl.Testing;

public sealed record ScriptedPeerOptions
{
    public static ScriptedPeerOptions Default { get; } = new();

    /// <summary>Also listen on <c>127.0.0.1:0</c> (exposed as <see cref="ScriptedPeer.TcpRemote"/>).</summary>
    public bool Tcp { get; init; }

    /// <summary>A message from the client longer than this fails the read instead of buffering without end.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>How long <see cref="ScriptedPeer.AcceptAsync"/> and <see cref="ScriptedConnection.ReadJsonMessageAsync"/> wait by default.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
