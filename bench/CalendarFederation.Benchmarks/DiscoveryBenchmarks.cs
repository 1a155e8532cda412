using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Benchmarks
{
    /// <summary>Discovery's CPU and allocations: the SOAP request, the SOAP answer, and one whole discovery against an in-memory endpoint.</summary>
    [MemoryDiagnoser]
    public class DiscoveryBenchmarks
    {
        private static readonly Uri Endpoint = new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc");
        private static readonly Guid MessageId = Guid.Parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        private byte[] _response = Array.Empty<byte>();
        private FederationDiscoveryClient? _client;

        [GlobalSetup]
        public void Setup()
        {
            _response = Fixtures.FederationResponse;
            var options = new DiscoveryOptions
            {
                AutodiscoverUri = new Uri("http://127.0.0.1/autodiscover/autodiscover.svc"),
                MaxConcurrentRequests = 16,
            };
            _client = new FederationDiscoveryClient(options, new CannedHandler(_response));
        }

        [GlobalCleanup]
        public void Cleanup() => _client?.Dispose();

        [Benchmark(Description = "SOAP request: build")]
        public string BuildSoapRequest() => AutodiscoverSoap.BuildRequest(Endpoint, "contoso.com", MessageId);

        [Benchmark(Description = "SOAP response: parse")]
        public AutodiscoverResponse ParseSoapResponse() => AutodiscoverSoap.Parse(_response, _response.Length);

        [Benchmark(Description = "One discovery, in-memory endpoint")]
        public Task<DiscoveryOutcome> DiscoverOne() => _client!.DiscoverAsync("contoso.com", CalendarFederation.Engine.NullEngineEvents.Instance, CancellationToken.None);

        /// <summary>Answers every request with the captured response, as the sandbox would, without a socket.</summary>
        private sealed class CannedHandler : HttpMessageHandler
        {
            private readonly byte[] _body;

            public CannedHandler(byte[] body) => _body = body;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(_body), RequestMessage = request };
                response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/xml; charset=utf-8");
                return Task.FromResult(response);
            }
        }
    }
}
