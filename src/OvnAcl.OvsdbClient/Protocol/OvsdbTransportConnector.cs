using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OvnAcl.Ovsdb.Protocol;

/// <summary>Opens the byte stream under a JSON-RPC session: TCP, a unix socket, or TLS over TCP.</summary>
internal static class OvsdbTransportConnector
{
    public static async Task<Stream> ConnectAsync(OvsdbRemote remote, OvsdbTlsOptions? tls, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        try
        {
            EndPoint endPoint;
            if (remote.Transport == OvsdbTransport.Unix)
            {
                socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                endPoint = new UnixDomainSocketEndPoint(remote.Path);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                endPoint = IPAddress.TryParse(remote.Host, out var address)
                    ? new IPEndPoint(address, remote.Port)
                    : new DnsEndPoint(remote.Host, remote.Port);
            }

            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            if (remote.Transport != OvsdbTransport.Ssl)
            {
                return stream;
            }

            return await AuthenticateAsync(remote, stream, tls, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex) when (remote.Transport == OvsdbTransport.Unix && !File.Exists(remote.Path))
        {
            throw new OvsdbConnectionException(remote.Text, $"no socket at {remote.Path} (is ovsdb-server running with --remote=punix:{remote.Path}?)", ex);
        }
        catch (SocketException ex)
        {
            throw new OvsdbConnectionException(remote.Text, $"cannot connect: {ex.Message}", ex);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static async Task<Stream> AuthenticateAsync(OvsdbRemote remote, NetworkStream stream, OvsdbTlsOptions? tls, CancellationToken cancellationToken)
    {
        if (tls is null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new OvsdbConnectionException(remote.Text, "an ssl: remote needs TLS options (private key, certificate and CA certificate)");
        }

        var material = TlsMaterial.Load(remote, tls);
        string? validationFailure = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = remote.Host,
            ClientCertificates = [material.ClientCertificate],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.None,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                validationFailure = material.ValidateServer(certificate, errors);
                return validationFailure is null;
            },
            LocalCertificateSelectionCallback = (_, _, _, _, _) => material.ClientCertificate,
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var reason = validationFailure is not null
                ? $"server certificate refused: {validationFailure}"
                : $"TLS handshake failed (the server may have refused our certificate {tls.CertificateFile}): {ex.Message}";
            throw new OvsdbConnectionException(remote.Text, reason, ex);
        }
    }

    /// <summary>Client certificate and CA loaded once per connection attempt; private keys are never logged.</summary>
    private sealed class TlsMaterial
    {
        private readonly X509Certificate2Collection _trusted;
        private readonly string _caFile;

        private TlsMaterial(X509Certificate2 clientCertificate, X509Certificate2Collection trusted, string caFile)
        {
            ClientCertificate = clientCertificate;
            _trusted = trusted;
            _caFile = caFile;
        }

        public X509Certificate2 ClientCertificate { get; }

        public static TlsMaterial Load(OvsdbRemote remote, OvsdbTlsOptions tls)
        {
            foreach (var (file, what) in new[] { (tls.PrivateKeyFile, "private key"), (tls.CertificateFile, "certificate"), (tls.CaCertificateFile, "CA certificate") })
            {
                if (!File.Exists(file))
                {
                    throw new OvsdbConnectionException(remote.Text, $"TLS {what} file '{file}' does not exist");
                }
            }

            X509Certificate2 client;
            try
            {
                client = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.PrivateKeyFile);
            }
            catch (CryptographicException ex)
            {
                throw new OvsdbConnectionException(remote.Text,
                    $"cannot load the client certificate '{tls.CertificateFile}' with private key '{tls.PrivateKeyFile}': {ex.Message}", ex);
            }

            // Checked here rather than left to the server: it would only close the connection, naming nothing.
            if (OutOfValidity(client) is { } invalid)
            {
                client.Dispose();
                throw new OvsdbConnectionException(remote.Text, $"the client certificate '{tls.CertificateFile}' {invalid}");
            }

            var trusted = new X509Certificate2Collection();
            try
            {
                trusted.ImportFromPemFile(tls.CaCertificateFile);
            }
            catch (CryptographicException ex)
            {
                throw new OvsdbConnectionException(remote.Text, $"cannot load the CA certificate '{tls.CaCertificateFile}': {ex.Message}", ex);
            }

            if (trusted.Count == 0)
            {
                throw new OvsdbConnectionException(remote.Text, $"the CA certificate file '{tls.CaCertificateFile}' holds no certificate");
            }

            return new TlsMaterial(client, trusted, tls.CaCertificateFile);
        }

        private static string? OutOfValidity(X509Certificate2 certificate)
        {
            var now = DateTime.Now;
            return now > certificate.NotAfter ? "expired on " + Utc(certificate.NotAfter)
                : now < certificate.NotBefore ? "is not valid before " + Utc(certificate.NotBefore)
                : null;

            static string Utc(DateTime local) => local.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Verifies the chain against the configured CA only. Host names are not checked: OVS PKI certificates do not carry them.</summary>
        public string? ValidateServer(X509Certificate? certificate, SslPolicyErrors errors)
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                return "the server sent no certificate";
            }

            var server = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
            if (OutOfValidity(server) is { } invalid)
            {
                return $"'{server.Subject}' {invalid}";
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain.Build(server))
            {
                return null;
            }

            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"'{server.Subject}' does not chain to the CA in '{_caFile}' ({status})";
        }
    }
}
