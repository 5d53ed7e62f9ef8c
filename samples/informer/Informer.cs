using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace OvnAcl.Samples.Informer;

/// <summary>
/// List, then watch from the list's resourceVersion, forever: the informer pattern of client-go, written out over
/// KubernetesClient. Every object seen is handed to <paramref name="upsert"/>, every deletion to
/// <paramref name="delete"/>; after a watch ends or the server answers 410 Gone, it lists again and reports as deleted
/// what vanished in between, so the consumer converges whatever was missed. An <paramref name="optional"/> resource the
/// server does not serve (404: a custom resource whose CRD is not installed) counts as listed and empty.
/// </summary>
public sealed class Informer<T, TList>(
    string kind,
    Func<CancellationToken, Task<TList>> list,
    Func<string?, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
    Action<T> upsert,
    Action<T> delete,
    ILogger logger,
    bool optional = false)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IItems<T>, IMetadata<V1ListMeta>
{
    private readonly Dictionary<string, T> _known = new(StringComparer.Ordinal);

    /// <summary>Completes once the first list has been handed over (the consumer then has the whole cluster).</summary>
    public Task Synced => _synced.Task;

    /// <summary>How often an optional resource the server does not serve is asked for again.</summary>
    public static TimeSpan OptionalRetry { get; set; } = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await ListAsync(cancellationToken).ConfigureAwait(false);
                _synced.TrySetResult();
                delay = TimeSpan.FromMilliseconds(200);
                await WatchAsync(version, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException ex) when (optional && ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // The resource is not served (a CRD not installed): there are none of it, which the consumer may
                // act on; asked again in a while.
                foreach (var gone in _known.Values.ToList())
                {
                    Delete(gone);
                }

                if (_synced.TrySetResult())
                {
                    logger.LogInformation("{Kind}: not served by this cluster (404), taken as none; asking again every {Delay}", kind, OptionalRetry);
                }

                await Task.Delay(OptionalRetry, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                logger.LogInformation("{Kind}: watch expired (410 Gone), listing again", kind);
            }
            catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException)
            {
                logger.LogWarning("{Kind}: {Message}; retrying in {Delay}", kind, ex.Message, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task<string?> ListAsync(CancellationToken cancellationToken)
    {
        var response = await list(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in response.Items)
        {
            seen.Add(Key(item));
            Upsert(item);
        }

        foreach (var gone in _known.Where(k => !seen.Contains(k.Key)).ToList())
        {
            Delete(gone.Value);
        }

        logger.LogInformation("{Kind}: listed {Count}", kind, seen.Count);
        return response.Metadata?.ResourceVersion;
    }

    private async Task WatchAsync(string? version, CancellationToken cancellationToken)
    {
        var events = watch(version, ex => logger.LogWarning("{Kind}: watch error: {Message}", kind, ex.Message), cancellationToken);
        await foreach (var (type, item) in events.ConfigureAwait(false))
        {
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    Upsert(item);
                    break;
                case WatchEventType.Deleted:
                    Delete(item);
                    break;
                case WatchEventType.Error:
                    return;
            }
        }
    }

    private void Upsert(T item)
    {
        _known[Key(item)] = item;
        upsert(item);
    }

    private void Delete(T item)
    {
        _known.Remove(Key(item));
        delete(item);
    }

    private static string Key(T item) => item.Metadata.NamespaceProperty + "/" + item.Metadata.Name;
}
