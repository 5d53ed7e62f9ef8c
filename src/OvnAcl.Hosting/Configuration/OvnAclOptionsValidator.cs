using Microsoft.Extensions.Options;
using OvnAcl.Ovsdb;

namespace OvnAcl.Hosting.Configuration;

/// <summary>
/// Checks <see cref="OvnAclOptions"/> when the host starts (ValidateOnStart), every problem at once, each message
/// naming the configuration key (<c>OvnAcl:Northbound</c>) so that the fix is obvious from the failed start.
/// </summary>
internal sealed class OvnAclOptionsValidator(string sectionPath) : IValidateOptions<OvnAclOptions>
{
    public ValidateOptionsResult Validate(string? name, OvnAclOptions options)
    {
        var failures = new List<string>();
        var remotes = new List<OvsdbRemote>();
        if (string.IsNullOrWhiteSpace(options.Northbound))
        {
            failures.Add($"{Key("Northbound")} is missing: set it to the Northbound database's remote(s), comma-separated: tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH");
        }
        else
        {
            foreach (var part in options.Northbound.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (OvsdbRemote.TryParse(part, out var remote, out var error))
                {
                    remotes.Add(remote);
                }
                else
                {
                    failures.Add($"{Key("Northbound")}: {error}");
                }
            }

            if (remotes.Count == 0 && failures.Count == 0)
            {
                failures.Add($"{Key("Northbound")} '{options.Northbound}' names no remote");
            }
        }

        if (remotes.FirstOrDefault(r => r.Transport == OvsdbTransport.Ssl) is { } ssl)
        {
            var tls = options.Tls ?? new OvnAclTlsOptions();
            CheckFile(failures, "Tls:PrivateKeyFile", tls.PrivateKeyFile, ssl);
            CheckFile(failures, "Tls:CertificateFile", tls.CertificateFile, ssl);
            CheckFile(failures, "Tls:CaCertificateFile", tls.CaCertificateFile, ssl);
        }

        if (string.IsNullOrWhiteSpace(options.ControllerName))
        {
            failures.Add($"{Key("ControllerName")} is empty: it is the owner-controller of the rows this instance writes");
        }

        if (options.LockName is { } lockName && string.IsNullOrWhiteSpace(lockName))
        {
            failures.Add($"{Key("LockName")} is empty: name the lock, or leave the key out for no lock");
        }
        else if (options.LockName is { } named && !IsId(named))
        {
            // RFC 7047 §4.1.8: the server takes a lock name only as an <id>; the client would fail every session.
            failures.Add($"{Key("LockName")} '{named}' is not an OVSDB lock name: letters, digits and '_', not starting with a digit");
        }

        AtLeastOne(failures, "MaxChangesPerTransaction", options.MaxChangesPerTransaction);
        AtLeastOne(failures, "MaxTransactionsInFlight", options.MaxTransactionsInFlight);
        Positive(failures, "ConnectTimeout", options.ConnectTimeout);
        Positive(failures, "MinBackoff", options.MinBackoff);
        Positive(failures, "RetryBackoff", options.RetryBackoff);
        Positive(failures, "ConvergenceProbeTimeout", options.ConvergenceProbeTimeout);
        if (options.ProbeInterval < TimeSpan.Zero)
        {
            failures.Add($"{Key("ProbeInterval")} is negative ({options.ProbeInterval}); zero disables the probe");
        }

        if (options.MaxBackoff < options.MinBackoff)
        {
            failures.Add($"{Key("MaxBackoff")} ({options.MaxBackoff}) is less than {Key("MinBackoff")} ({options.MinBackoff})");
        }

        if (options.MaxRetryBackoff < options.RetryBackoff)
        {
            failures.Add($"{Key("MaxRetryBackoff")} ({options.MaxRetryBackoff}) is less than {Key("RetryBackoff")} ({options.RetryBackoff})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsId(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private string Key(string key) => sectionPath.Length == 0 ? key : sectionPath + ":" + key;

    private void CheckFile(List<string> failures, string key, string? path, OvsdbRemote ssl)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{Key(key)} is missing: {ssl} is an ssl: remote");
        }
        else if (!File.Exists(path))
        {
            failures.Add($"{Key(key)}: '{path}' does not exist");
        }
    }

    private void AtLeastOne(List<string> failures, string key, int value)
    {
        if (value < 1)
        {
            failures.Add($"{Key(key)} is {value}; it must be at least 1");
        }
    }

    private void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Key(key)} is {value}; it must be more than zero");
        }
    }
}
