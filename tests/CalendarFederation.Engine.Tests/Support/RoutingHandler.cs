using System.Collections.Concurrent;
using System.Net.Sockets;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Tests.Support;

/// <summary>
/// Stands in for DNS and TLS in discovery tests: requests to hosts the sandbox plays are sent to it over loopback
/// http with the original Host header; any other host fails as an unresolvable name. Records every request.
/// </summary>
internal sealed class RoutingHandler : DelegatingHandler
{
    private readonly Uri _sandbox;
    private readonly HashSet<string> _reachable;

    public RoutingHandler(Uri sandbox, IEnumerable<string> reachableHosts)
        : base(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        _sandbox = sandbox;
        _reachable = new HashSet<string>(reachableHosts, StringComparer.OrdinalIgnoreCase);
    }

    public ConcurrentQueue<string> Sent { get; } = new();

    public IReadOnlyList<string> SentList => Sent.ToArray();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri original = request.RequestUri!;
        Sent.Enqueue($"{request.Method} {original.AbsoluteUri}");
        if (Loopback.IsLoopback(original)) return base.SendAsync(request, cancellationToken);
        if (!_reachable.Contains(original.Host))
        {
            throw new HttpRequestException($"Name or service not known ({original.Host}:{original.Port})", new SocketException((int)SocketError.HostNotFound));
        }
        request.RequestUri = new UriBuilder(original) { Scheme = "http", Host = _sandbox.Host, Port = _sandbox.Port }.Uri;
        request.Headers.Host = original.Host;
        return base.SendAsync(request, cancellationToken);
    }
}
