namespace OvnAcl.Benchmarking;

/// <summary>One program that reads the whole database, measured once per round.</summary>
internal abstract class SyncPeer
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>Runs inside this process, so it gets warm-up rounds; a child process starts cold every run anyway.</summary>
    public virtual bool InProcess => false;

    /// <summary>Why the peer cannot run here (program or module missing, transport not supported), or null.</summary>
    public virtual Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>One run; a <see cref="SyncPeerException"/> (or a tool that timed out) means this peer failed and is left out of the rest.</summary>
    public abstract Task<SyncSample> MeasureAsync(CancellationToken cancellationToken);
}

/// <summary>A peer failed in a way that says nothing about OvnAcl; it is reported as skipped with this message.</summary>
internal sealed class SyncPeerException(string message) : Exception(message);
