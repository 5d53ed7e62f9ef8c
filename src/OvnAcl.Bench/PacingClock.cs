namespace OvnAcl.Benchmarking;

/// <summary>
/// A tick about every millisecond, for pacing an offered load. <c>Task.Delay(1)</c> is not one: the runtime's timer
/// wakes it after about 4 ms on Linux, so a loop paced by it offers 1,000 events/s as bursts of four every 4 ms, and
/// each event waits for its burst. A thread of its own sleeping 1 ms at a time wakes about every 1.1 ms.
/// </summary>
internal sealed class PacingClock : IDisposable
{
    private readonly Thread _thread;
    private TaskCompletionSource _tick = NewTick();
    private volatile bool _disposed;

    public PacingClock()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "ovnacl pacing clock" };
        _thread.Start();
    }

    /// <summary>Completes at the next tick.</summary>
    public Task NextAsync(CancellationToken cancellationToken) => Volatile.Read(ref _tick).Task.WaitAsync(cancellationToken);

    public void Dispose()
    {
        _disposed = true;
        _thread.Join();
        Volatile.Read(ref _tick).TrySetResult();
    }

    private void Run()
    {
        while (!_disposed)
        {
            Thread.Sleep(1);
            Interlocked.Exchange(ref _tick, NewTick()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewTick() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
