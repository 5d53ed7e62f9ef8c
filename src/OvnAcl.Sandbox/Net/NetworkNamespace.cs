using System.Globalization;

namespace OvnAcl.Sandbox;

/// <summary>
/// A network namespace joined to the host by a veth pair on a private /30 (<c>10.231.N.1</c> on the host end,
/// <c>10.231.N.2</c> inside), so that a server started in it (<see cref="Exec"/>) can be cut off by a real network
/// partition: <see cref="PartitionAsync"/> drops every packet arriving on either end of the veth (iptables
/// <c>INPUT … DROP</c> on both sides), so TCP connections hang silently, as behind a failed switch, instead of being
/// reset; the server itself keeps running. Needs root (CAP_NET_ADMIN).
/// </summary>
/// <remarks>
/// N is claimed by creating the veth (<c>ip link add</c> fails when the name exists), so fixtures in parallel, even
/// in other test hosts, get different addresses. The namespace is named <c>ovnacl-part-N-PID</c> after the test
/// host's pid: what a host that crashed left behind (its pid gone) is removed by the next <see cref="CreateAsync"/>.
/// </remarks>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private const string NamePrefix = "ovnacl-part-";

    private readonly List<IReadOnlyList<string>> _hostRules = [];
    private readonly List<IReadOnlyList<string>> _namespaceRules = [];
    private bool _disposed;

    private NetworkNamespace(int subnet)
    {
        Subnet = subnet;
        Name = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{subnet}-{Environment.ProcessId}");
    }

    /// <summary>The N of <c>10.231.N.0/30</c>, 1 to 254.</summary>
    public int Subnet { get; }

    /// <summary><c>ovnacl-part-N-PID</c>, as <c>ip netns</c> knows it.</summary>
    public string Name { get; }

    public string HostAddress => $"10.231.{Subnet}.1";

    public string NamespaceAddress => $"10.231.{Subnet}.2";

    /// <summary>The host end of the veth (<c>ovpNh</c>: interface names have at most 15 characters).</summary>
    public string HostDevice => $"ovp{Subnet}h";

    /// <summary>The end inside the namespace (<c>ovpNn</c>).</summary>
    public string NamespaceDevice => $"ovp{Subnet}n";

    /// <summary>The command prefix that runs a program inside: <c>ip netns exec NAME</c> (which execs, so the pid is the program's).</summary>
    public IReadOnlyList<string> Exec => ["ip", "netns", "exec", Name];

    public bool IsPartitioned => _hostRules.Count > 0;

    public static async Task<NetworkNamespace> CreateAsync(CancellationToken cancellationToken = default)
    {
        await RemoveLeftoversAsync(cancellationToken).ConfigureAwait(false);
        var start = Random.Shared.Next(254);
        for (var i = 0; i < 254; i++)
        {
            var network = new NetworkNamespace((start + i) % 254 + 1);
            var claim = await OvsdbTool.TryRunAsync("ip",
                ["link", "add", network.HostDevice, "type", "veth", "peer", "name", network.NamespaceDevice], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!claim.Succeeded)
            {
                if (claim.Stderr.Contains("exists", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                throw new SandboxException(
                    "could not create a veth pair for a network namespace (partition tests need root, CAP_NET_ADMIN and veth support): " + claim.Describe());
            }

            try
            {
                await network.SetUpAsync(cancellationToken).ConfigureAwait(false);
                return network;
            }
            catch
            {
                await network.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw new SandboxException("every veth name ovp1h…ovp254h is taken: are that many partition fixtures running?");
    }

    /// <summary>
    /// Cuts the namespace off: every packet in either direction over the veth is dropped. With
    /// <paramref name="exceptTcpPort"/>, TCP to and from that port inside the namespace still flows (a server's client
    /// port: its clients stay on its side of the partition while it loses its peers).
    /// </summary>
    public async Task PartitionAsync(int? exceptTcpPort = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsPartitioned)
        {
            throw new InvalidOperationException($"{Name} is already partitioned");
        }

        var port = exceptTcpPort?.ToString(CultureInfo.InvariantCulture);
        IReadOnlyList<string> hostRule = port is null
            ? ["INPUT", "-i", HostDevice, "-m", "comment", "--comment", Name, "-j", "DROP"]
            : ["INPUT", "-i", HostDevice, "-p", "tcp", "!", "--sport", port, "-m", "comment", "--comment", Name, "-j", "DROP"];
        IReadOnlyList<string> namespaceRule = port is null
            ? ["INPUT", "-i", NamespaceDevice, "-j", "DROP"]
            : ["INPUT", "-i", NamespaceDevice, "-p", "tcp", "!", "--dport", port, "-j", "DROP"];
        _hostRules.Add(hostRule);
        await RunAsync("iptables", ["-w", "-I", .. hostRule], cancellationToken).ConfigureAwait(false);
        _namespaceRules.Add(namespaceRule);
        await RunAsync("ip", [.. Exec.Skip(1), "iptables", "-w", "-I", .. namespaceRule], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the rules <see cref="PartitionAsync"/> added; connections that hung resume (or time out on their own).</summary>
    public async Task HealAsync(CancellationToken cancellationToken = default)
    {
        foreach (var rule in _namespaceRules)
        {
            await RunAsync("ip", [.. Exec.Skip(1), "iptables", "-w", "-D", .. rule], cancellationToken).ConfigureAwait(false);
        }

        _namespaceRules.Clear();
        foreach (var rule in _hostRules)
        {
            await RunAsync("iptables", ["-w", "-D", .. rule], cancellationToken).ConfigureAwait(false);
        }

        _hostRules.Clear();
    }

    /// <summary>Removes the host's rules, the veth and the namespace; stop the processes inside first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var rule in _hostRules)
        {
            _ = await OvsdbTool.TryRunAsync("iptables", ["-w", "-D", .. rule]).ConfigureAwait(false);
        }

        _hostRules.Clear();
        _namespaceRules.Clear();
        await RemoveAsync(Name, HostDevice, CancellationToken.None).ConfigureAwait(false);
    }

    public override string ToString() => $"{Name} ({HostDevice} {HostAddress} <-> {NamespaceDevice} {NamespaceAddress})";

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        await RunAsync("ip", ["netns", "add", Name], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", ["link", "set", NamespaceDevice, "netns", Name], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", ["addr", "add", HostAddress + "/30", "dev", HostDevice], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", ["link", "set", HostDevice, "up"], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", [.. Exec.Skip(1), "ip", "addr", "add", NamespaceAddress + "/30", "dev", NamespaceDevice], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", [.. Exec.Skip(1), "ip", "link", "set", NamespaceDevice, "up"], cancellationToken).ConfigureAwait(false);
        await RunAsync("ip", [.. Exec.Skip(1), "ip", "link", "set", "lo", "up"], cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunAsync(string executable, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = await OvsdbTool.TryRunAsync(executable, args, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new SandboxException("network namespace set-up failed (partition tests need root and iptables): " + result.Describe());
        }
    }

    /// <summary>Namespaces and host rules named after a test host that no longer runs: a crashed run's.</summary>
    private static async Task RemoveLeftoversAsync(CancellationToken cancellationToken)
    {
        var namespaces = await OvsdbTool.TryRunAsync("ip", ["netns", "list"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!namespaces.Succeeded)
        {
            throw new SandboxException("`ip netns` does not work here (partition tests need root and network namespaces): " + namespaces.Describe());
        }

        foreach (var name in namespaces.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]))
        {
            if (IsLeftover(name, out _))
            {
                // Not the host device by name: once the veth is gone another test host may have claimed that name.
                // The namespace takes its end of the veth, and so the pair, with it.
                await RemoveAsync(name, hostDevice: null, cancellationToken).ConfigureAwait(false);
            }
        }

        var rules = await OvsdbTool.TryRunAsync("iptables", ["-w", "-S", "INPUT"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!rules.Succeeded)
        {
            throw new SandboxException("`iptables` does not work here (partition tests need root and iptables): " + rules.Describe());
        }

        foreach (var line in rules.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var comment = Array.IndexOf(words, "--comment");
            if (words is ["-A", ..] && comment > 0 && comment + 1 < words.Length && IsLeftover(words[comment + 1].Trim('"'), out _))
            {
                _ = await OvsdbTool.TryRunAsync("iptables", ["-w", "-D", .. words.Skip(1).Select(w => w.Trim('"'))], cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    private static bool IsLeftover(string name, out int subnet)
    {
        subnet = 0;
        if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[NamePrefix.Length..].Split('-');
        return parts.Length == 2 &&
               int.TryParse(parts[0], CultureInfo.InvariantCulture, out subnet) &&
               int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid) &&
               pid != Environment.ProcessId &&
               !Directory.Exists($"/proc/{pid}");
    }

    private static async Task RemoveAsync(string name, string? hostDevice, CancellationToken cancellationToken)
    {
        // Deleting one end of a veth deletes both; the namespace takes its end along too, but only once the kernel
        // gets round to it, and the name should be free at once for the next claim.
        if (hostDevice is not null)
        {
            _ = await OvsdbTool.TryRunAsync("ip", ["link", "del", hostDevice], cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _ = await OvsdbTool.TryRunAsync("ip", ["netns", "del", name], cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
