namespace OvnAcl.Sandbox;

/// <summary>One member of a <see cref="RaftNb"/> cluster.</summary>
public sealed class RaftNode
{
    internal RaftNode(int index, string directory, int raftPort, string address = "127.0.0.1", NetworkNamespace? network = null)
    {
        Index = index;
        Name = $"node{index}";
        DbPath = Path.Combine(directory, Name + ".db");
        SocketPath = Path.Combine(directory, Name + ".sock");
        Address = address;
        RaftAddress = $"tcp:{address}:{raftPort}";
        Network = network;
    }

    /// <summary>The IPv4 address the node listens on, for its peers and for clients.</summary>
    public string Address { get; }

    /// <summary>The namespace the node runs in (<see cref="RaftNbOptions.NamespacedNode"/>), or null on the host.</summary>
    public NetworkNamespace? Network { get; }

    /// <summary>0-based position in <see cref="RaftNb.Nodes"/>.</summary>
    public int Index { get; }

    public string Name { get; }

    public string DbPath { get; }

    public string SocketPath { get; }

    /// <summary><c>unix:DIR/nodeN.sock</c>.</summary>
    public string UnixRemote => "unix:" + SocketPath;

    /// <summary><c>tcp:ADDRESS:PORT</c> for clients; the same port across restarts.</summary>
    public string TcpRemote { get; internal set; } = "";

    /// <summary>The address the RAFT peers use among themselves (not for OVSDB clients).</summary>
    public string RaftAddress { get; }

    /// <summary>The node's ovsdb-server; throws until the cluster has started the node.</summary>
    public ServerProcess Process => StartedProcess ?? throw new InvalidOperationException($"{Name} has not been started yet");

    /// <summary>True while the node's ovsdb-server runs.</summary>
    public bool IsRunning => StartedProcess?.IsRunning == true;

    internal ServerProcess? StartedProcess { get; set; }

    /// <summary>True after <see cref="RaftNb.LeaveAsync"/> until <see cref="RaftNb.EnsureHealthyAsync"/> rejoins it.</summary>
    public bool HasLeft { get; internal set; }

    /// <summary><c>cluster/status OVN_Northbound</c> parsed; throws when the node is down or has no such cluster.</summary>
    public async Task<RaftStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var result = await Process.AppctlAsync(["cluster/status", RaftNb.DatabaseName], cancellationToken).ConfigureAwait(false);
        return RaftStatus.Parse(result.Stdout);
    }

    public override string ToString() => $"{Name} ({TcpRemote}, raft {RaftAddress})";
}
