using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace OvnAcl.Hosting.Tests.Samples;

/// <summary>
/// Just enough of a Kubernetes API server for an informer: list and watch (chunked JSON lines) of Namespaces, Pods,
/// Nodes, NetworkPolicies and, when asked, the cluster-scoped policy custom resources over HTTP on loopback, with objects the test puts and deletes. KubernetesClient talks to it as to a
/// real server; there is no Kubernetes on these machines to talk to instead.
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal)
    {
        ["/api/v1/namespaces"] = new("NamespaceList", "v1"),
        ["/api/v1/pods"] = new("PodList", "v1"),
        ["/api/v1/nodes"] = new("NodeList", "v1"),
        ["/apis/networking.k8s.io/v1/networkpolicies"] = new("NetworkPolicyList", "networking.k8s.io/v1"),
    };

    private readonly Task _serving;
    private long _version = 1;

    /// <param name="clusterPolicies">Also serve the network-policy-api custom resources (ANP, BANP, CNP), as a cluster with their CRDs installed.</param>
    public FakeKubernetesApi(bool clusterPolicies = false)
    {
        if (clusterPolicies)
        {
            foreach (var (version, plural) in OvnAcl.Samples.Informer.ClusterPolicyResources.All)
            {
                _resources[$"/apis/{OvnAcl.Samples.Informer.ClusterPolicyResources.Group}/{version}/{plural}"] = new("List", $"{OvnAcl.Samples.Informer.ClusterPolicyResources.Group}/{version}");
            }
        }

        // A free port can be taken by another test's server between the probe and the bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                (_listener, Url) = (listener, url);
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }

        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public int Watchers
    {
        get
        {
            lock (_lock)
            {
                return _resources.Values.Sum(r => r.Watchers.Count);
            }
        }
    }

    public IKubernetes CreateClient() => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Url });

    public void Put(IKubernetesObject<V1ObjectMeta> item) => Publish(item, deleted: false);

    public void Delete(IKubernetesObject<V1ObjectMeta> item) => Publish(item, deleted: true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var watcher in _resources.Values.SelectMany(r => r.Watchers))
            {
                watcher.Writer.TryComplete();
            }
        }

        _listener.Stop();
        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _listener.Close();
        _stop.Dispose();
    }

    private void Publish(IKubernetesObject<V1ObjectMeta> item, bool deleted)
    {
        var path = item switch
        {
            V1Namespace => "/api/v1/namespaces",
            V1Pod => "/api/v1/pods",
            V1Node => "/api/v1/nodes",
            V1NetworkPolicy => "/apis/networking.k8s.io/v1/networkpolicies",
            OvnAcl.Samples.Informer.ClusterPolicyResource policy => $"/apis/{policy.ApiVersion}/{policy.Kind.ToLowerInvariant()[..^1]}ies", // ...Policy: ...policies
            _ => throw new ArgumentException("not served: " + item.GetType().Name, nameof(item)),
        };
        lock (_lock)
        {
            var resource = _resources[path];
            var key = item.Metadata.NamespaceProperty + "/" + item.Metadata.Name;
            item.Metadata.ResourceVersion = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var type = deleted ? "DELETED" : resource.Items.ContainsKey(key) ? "MODIFIED" : "ADDED";
            if (deleted)
            {
                resource.Items.Remove(key);
            }
            else
            {
                resource.Items[key] = item;
            }

            var line = "{\"type\":\"" + type + "\",\"object\":" + KubernetesJson.Serialize(item) + "}\n";
            foreach (var watcher in resource.Watchers)
            {
                watcher.Writer.TryWrite(line);
            }
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            if (!_resources.TryGetValue(context.Request.Url!.AbsolutePath, out var resource))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            response.ContentType = "application/json";
            if (context.Request.QueryString["watch"] != "true")
            {
                string body;
                lock (_lock)
                {
                    body = "{\"kind\":\"" + resource.ListKind + "\",\"apiVersion\":\"" + resource.ApiVersion + "\",\"metadata\":{\"resourceVersion\":\""
                           + _version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"},\"items\":["
                           + string.Join(',', resource.Items.Values.Select(i => KubernetesJson.Serialize(i))) + "]}";
                }

                var bytes = Encoding.UTF8.GetBytes(body);
                await response.OutputStream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
                response.Close();
                return;
            }

            // A watch from the list's version: the test publishes only after the informer listed, so nothing is missed.
            var channel = Channel.CreateUnbounded<string>();
            lock (_lock)
            {
                resource.Watchers.Add(channel);
            }

            response.SendChunked = true;
            try
            {
                await foreach (var line in channel.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    var bytes = Encoding.UTF8.GetBytes(line);
                    await response.OutputStream.WriteAsync(bytes, _stop.Token).ConfigureAwait(false);
                    await response.OutputStream.FlushAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                lock (_lock)
                {
                    resource.Watchers.Remove(channel);
                }
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            response.Abort();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private sealed class Resource(string listKind, string apiVersion)
    {
        public string ListKind { get; } = listKind;

        public string ApiVersion { get; } = apiVersion;

        public Dictionary<string, object> Items { get; } = new(StringComparer.Ordinal);

        public List<Channel<string>> Watchers { get; } = [];
    }
}
