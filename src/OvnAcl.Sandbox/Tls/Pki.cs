namespace OvnAcl.Sandbox;

/// <summary>
/// A throw-away PKI made with openssl in a temp dir: a CA with a server and a client certificate, a second,
/// unrelated CA with its own pair (for "a certificate from the wrong CA is refused"), and certificates from the
/// first CA whose validity ended in 2020. Keys are unencrypted PEM (PKCS#8, EC P-256: quick to generate, and
/// accepted by OVS and .NET alike); no certificate names a host, since OVS checks the CA, not host names.
/// </summary>
public sealed class Pki : IDisposable
{
    private readonly SandboxDirectory _directory;

    private Pki(SandboxDirectory directory) => _directory = directory;

    public string Dir => _directory.Path;

    public string CaCert => File("ca", "cert");
    public string ServerCert => File("server", "cert");
    public string ServerKey => File("server", "key");
    public string ClientCert => File("client", "cert");
    public string ClientKey => File("client", "key");

    /// <summary>A second CA that signed nothing of the first one's.</summary>
    public string OtherCaCert => File("other-ca", "cert");
    public string OtherServerCert => File("other-server", "cert");
    public string OtherServerKey => File("other-server", "key");
    public string OtherClientCert => File("other-client", "cert");
    public string OtherClientKey => File("other-client", "key");

    /// <summary>Signed by <see cref="CaCert"/>, valid only from 2020-01-01 to 2020-01-02.</summary>
    public string ExpiredClientCert => File("expired-client", "cert");
    public string ExpiredClientKey => File("expired-client", "key");
    public string ExpiredServerCert => File("expired-server", "cert");
    public string ExpiredServerKey => File("expired-server", "key");

    /// <summary>ovsdb-server options serving <see cref="ServerCert"/> and trusting <see cref="CaCert"/> for clients.</summary>
    public IReadOnlyList<string> ServerOptions => Options(ServerKey, ServerCert, CaCert);

    /// <summary>ovsdb-client / ovn-nbctl options presenting <see cref="ClientCert"/> and trusting <see cref="CaCert"/>.</summary>
    public IReadOnlyList<string> ClientOptions => Options(ClientKey, ClientCert, CaCert);

    /// <summary>The other CA's client certificate while trusting <see cref="CaCert"/>: the server must refuse the client.</summary>
    public IReadOnlyList<string> OtherClientOptions => Options(OtherClientKey, OtherClientCert, CaCert);

    /// <summary>The expired client certificate while trusting <see cref="CaCert"/>: the server must refuse the client.</summary>
    public IReadOnlyList<string> ExpiredClientOptions => Options(ExpiredClientKey, ExpiredClientCert, CaCert);

    /// <summary>The right client certificate while trusting only <see cref="OtherCaCert"/>: the client must refuse the server.</summary>
    public IReadOnlyList<string> ClientTrustingOtherCaOptions => Options(ClientKey, ClientCert, OtherCaCert);

    /// <summary>The three OVS TLS options (<c>--private-key</c>, <c>--certificate</c>, <c>--ca-cert</c>) for any mix of files.</summary>
    public static IReadOnlyList<string> SslOptions(string privateKey, string certificate, string caCert) => Options(privateKey, certificate, caCert);

    public static async Task<Pki> CreateAsync(CancellationToken cancellationToken = default)
    {
        var pki = new Pki(SandboxDirectory.Create("pki"));
        try
        {
            await pki.CreateCaAsync("ca", "OvnAcl test CA", cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("ca", "server", validity: null, cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("ca", "client", validity: null, cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("ca", "expired-client", ("20200101000000Z", "20200102000000Z"), cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("ca", "expired-server", ("20200101000000Z", "20200102000000Z"), cancellationToken).ConfigureAwait(false);
            await pki.CreateCaAsync("other-ca", "OvnAcl unrelated CA", cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("other-ca", "other-server", validity: null, cancellationToken).ConfigureAwait(false);
            await pki.IssueAsync("other-ca", "other-client", validity: null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            pki.Dispose();
            throw;
        }

        return pki;
    }

    public void Dispose() => _directory.Dispose();

    private static string[] Options(string key, string cert, string ca) => [$"--private-key={key}", $"--certificate={cert}", $"--ca-cert={ca}"];

    private string File(string name, string kind) => _directory.File($"{name}-{kind}.pem");

    private async Task CreateCaAsync(string ca, string commonName, CancellationToken cancellationToken)
    {
        // `openssl ca` keeps its issued-certificate database in files; one directory per CA.
        var caDir = Directory.CreateDirectory(_directory.File(ca + ".db")).FullName;
        await System.IO.File.WriteAllTextAsync(Path.Combine(caDir, "index.txt"), "", cancellationToken).ConfigureAwait(false);
        await System.IO.File.WriteAllTextAsync(Path.Combine(caDir, "serial"), "1000\n", cancellationToken).ConfigureAwait(false);
        await System.IO.File.WriteAllTextAsync(Config(ca), ConfigText(caDir), cancellationToken).ConfigureAwait(false);
        await OpensslAsync(
            ["req", "-x509", "-config", Config(ca), "-extensions", "ca_ext", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", File(ca, "key"), "-out", File(ca, "cert"), "-days", "3650", "-subj", "/CN=" + commonName],
            cancellationToken).ConfigureAwait(false);
    }

    private async Task IssueAsync(string ca, string name, (string Start, string End)? validity, CancellationToken cancellationToken)
    {
        var request = _directory.File(name + ".csr");
        await OpensslAsync(
            ["req", "-new", "-config", Config(ca), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", File(name, "key"), "-out", request, "-subj", $"/CN=OvnAcl test {name}"],
            cancellationToken).ConfigureAwait(false);

        // `openssl ca` is the one openssl 3.0 command that takes an explicit validity window, which is how a
        // certificate that expired years ago is made without faking the clock.
        string[] window = validity is { } v ? ["-startdate", v.Start, "-enddate", v.End] : ["-days", "3650"];
        await OpensslAsync(
            ["ca", "-batch", "-config", Config(ca), "-cert", File(ca, "cert"), "-keyfile", File(ca, "key"), "-extensions", "leaf_ext",
             "-notext", "-in", request, "-out", File(name, "cert"), .. window],
            cancellationToken).ConfigureAwait(false);
    }

    private string Config(string ca) => _directory.File(ca + ".cnf");

    private static Task<ToolResult> OpensslAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        OvsdbTool.RunAsync("openssl", args, cancellationToken: cancellationToken);

    private static string ConfigText(string caDir) => $"""
        [ req ]
        distinguished_name = dn
        prompt = no

        [ dn ]
        CN = unused

        [ ca_ext ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash

        [ leaf_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature, keyEncipherment
        extendedKeyUsage = serverAuth, clientAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        [ ca ]
        default_ca = this_ca

        [ this_ca ]
        database = {caDir}/index.txt
        new_certs_dir = {caDir}
        serial = {caDir}/serial
        default_md = sha256
        policy = any_name
        unique_subject = no
        copy_extensions = none

        [ any_name ]
        commonName = supplied
        """;
}
