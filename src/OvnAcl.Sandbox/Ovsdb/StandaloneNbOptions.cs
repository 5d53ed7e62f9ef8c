namespace OvnAcl.Sandbox;

public sealed record StandaloneNbOptions
{
    public static StandaloneNbOptions Default { get; } = new();

    /// <summary>The schema the database is created with: the installed one, or e.g. <see cref="OvnSchemas.WriteNorthboundWithAclTiers"/>'s.</summary>
    public string SchemaPath { get; init; } = OvnSchemas.Northbound;

    /// <summary>Also listen on <c>ptcp:0:127.0.0.1</c> (exposed as <see cref="StandaloneNb.TcpRemote"/>).</summary>
    public bool Tcp { get; init; } = true;

    /// <summary>
    /// When set, also listen on <c>pssl:0:127.0.0.1</c> with this PKI's server certificate, trusting its CA for
    /// client certificates (exposed as <see cref="StandaloneNb.SslRemote"/>).
    /// </summary>
    public Pki? Ssl { get; init; }

    /// <summary>Extra ovsdb-server arguments, e.g. <c>--ssl-protocols=TLSv1.2</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Overrides <see cref="ServerProcessOptions.LogLevels"/>, e.g. <c>["console:off", "file:dbg"]</c>.</summary>
    public IReadOnlyList<string>? LogLevels { get; init; }
}
