namespace OvnAcl.Ovsdb;

/// <summary>
/// TLS material for <c>ssl:</c> remotes, as OVS's PKI (<c>ovs-pki</c>) issues it: PEM files for the client's
/// private key and certificate, and the CA certificate that signed the server's certificate. OVS
/// certificates are not bound to host names, so the server is verified by its chain to this CA alone.
/// </summary>
public sealed record OvsdbTlsOptions
{
    /// <summary>PEM file with the client's private key (<c>--private-key</c> in OVS tools).</summary>
    public required string PrivateKeyFile { get; init; }
    /// <summary>PEM file with the client's certificate (<c>--certificate</c>).</summary>
    public required string CertificateFile { get; init; }
    /// <summary>PEM file with the CA certificate(s) to trust for the server (<c>--ca-cert</c>).</summary>
    public required string CaCertificateFile { get; init; }
}
