using System.Net;
using System.Text;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Http;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>The split discovery units on their own: acceptance rules, the bounded transport, and candidate order.</summary>
public class DiscoveryUnitTests
{
    private static AutodiscoverResponse Answer(string errorCode = "NoError", string? applicationUri = "outlook.com", params string[] domains)
    {
        var r = new AutodiscoverResponse { ErrorCode = errorCode, ApplicationUri = applicationUri };
        r.Domains.AddRange(domains);
        return r;
    }

    [Fact]
    public void Accepts_noerror_with_the_requested_domain_in_any_case_and_dedupes_domains()
    {
        AnswerVerdict v = AnswerEvaluator.Evaluate("fabrikam.com", Answer("NoError", "outlook.com", "FABRIKAM.com", "fabrikam.com", "fabrikam.onmicrosoft.com"));
        Assert.True(v.Accepted);
        Assert.Equal(new[] { "FABRIKAM.com", "fabrikam.onmicrosoft.com" }, v.Domains);
        Assert.Equal("NoError: ApplicationUri outlook.com, 2 domain(s)", v.Message);
    }

    [Theory]
    [InlineData("NotFederated", "outlook.com", "fabrikam.com", DiscoveryFailureKind.NotFederated, "Domain isn't federated (NotFederated")]
    [InlineData("InvalidDomain", "outlook.com", "fabrikam.com", DiscoveryFailureKind.NotFederated, "Domain isn't federated (InvalidDomain")]
    [InlineData("ServerBusy", "outlook.com", "fabrikam.com", DiscoveryFailureKind.ServerBusy, "ServerBusy")]
    [InlineData("InternalServerError", "outlook.com", "fabrikam.com", DiscoveryFailureKind.Rejected, "The server answered InternalServerError")]
    [InlineData("", "outlook.com", "fabrikam.com", DiscoveryFailureKind.Rejected, "no ErrorCode")]
    [InlineData("NoError", null, "fabrikam.com", DiscoveryFailureKind.Rejected, "no valid ApplicationUri")]
    [InlineData("NoError", "http://[bad", "fabrikam.com", DiscoveryFailureKind.Rejected, "no valid ApplicationUri")]
    [InlineData("NoError", "outlook.com", null, DiscoveryFailureKind.Rejected, "lists no domains")]
    [InlineData("NoError", "outlook.com", "contoso.com", DiscoveryFailureKind.Rejected, "does not list the requested domain fabrikam.com")]
    public void Refuses_what_exchange_refuses(string code, string? applicationUri, string? domain, DiscoveryFailureKind failure, string message)
    {
        AnswerVerdict v = AnswerEvaluator.Evaluate("fabrikam.com", domain == null ? Answer(code, applicationUri) : Answer(code, applicationUri, domain));
        Assert.False(v.Accepted);
        Assert.Equal(failure, v.Failure);
        Assert.Contains(message, v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_are_exchanges_order_and_an_explicit_uri_is_the_only_one()
    {
        var cloud = new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc");
        Assert.Equal(new[] { CandidateKind.Cloud, CandidateKind.AutodiscoverHost, CandidateKind.DomainHost, CandidateKind.UnsecuredAutodiscoverHost, CandidateKind.UnsecuredDomainHost },
            Candidate.For("fabrikam.com", new DiscoveryOptions { CloudEndpoint = cloud }).Select(c => c.Kind));
        Assert.Equal(new[] { false, false, false, true, true }, Candidate.For("fabrikam.com", new DiscoveryOptions { CloudEndpoint = cloud }).Select(c => c.IsProbe));
        Candidate only = Assert.Single(Candidate.For("fabrikam.com", new DiscoveryOptions { AutodiscoverUri = cloud, CloudEndpoint = cloud }));
        Assert.Equal(CandidateKind.Explicit, only.Kind);
    }

    [Fact]
    public async Task The_attempt_timeout_covers_the_headers_on_a_fake_clock()
    {
        var time = new FakeTimeProvider();
        var handler = new StallingHandler();
        using var http = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://slow.example/");

        Task<BoundedResponse> sending = BoundedRequest.SendAsync(http, request, TimeSpan.FromSeconds(30), 1024, time, CancellationToken.None);
        await handler.Received.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(sending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        BoundedResponse response = await sending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(BoundedFailure.Timeout, response.Failure);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Elapsed);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_timeout()
    {
        var handler = new StallingHandler();
        using var http = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://slow.example/");
        using var cts = new CancellationTokenSource();
        Task<BoundedResponse> sending = BoundedRequest.SendAsync(http, request, TimeSpan.FromSeconds(30), 1024, new FakeTimeProvider(), cts.Token);
        await handler.Received.WaitAsync(TimeSpan.FromSeconds(10));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
    }

    [Theory]
    [InlineData(true, BoundedFailure.DeclaredTooLarge)]
    [InlineData(false, BoundedFailure.TooLarge)]
    public async Task The_size_cap_holds_whether_or_not_the_length_is_declared(bool declared, BoundedFailure expected)
    {
        byte[] body = Encoding.ASCII.GetBytes(new string('x', 5000));
        using var http = new HttpMessageInvoker(new CannedHandler(() =>
        {
            HttpContent content = declared ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://big.example/");
        BoundedResponse response = await BoundedRequest.SendAsync(http, request, TimeSpan.FromSeconds(5), 1024, TimeProvider.System, CancellationToken.None);
        Assert.Equal(expected, response.Failure);
        Assert.True(response.Length <= 1025);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_reported_not_followed_and_its_body_not_read(int status)
    {
        using var http = new HttpMessageInvoker(new CannedHandler(() =>
        {
            var r = new HttpResponseMessage((HttpStatusCode)status) { Content = new StreamContent(new UnknownLengthStream(new byte[10_000_000])) };
            r.Headers.Location = new Uri("https://elsewhere.example/x");
            r.Headers.TryAddWithoutValidation("request-id", "abc");
            return r;
        }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://here.example/");
        BoundedResponse response = await BoundedRequest.SendAsync(http, request, TimeSpan.FromSeconds(5), 1024, TimeProvider.System, CancellationToken.None);
        Assert.Equal(BoundedFailure.None, response.Failure);
        Assert.True(response.IsRedirect);
        Assert.Equal("https://elsewhere.example/x", response.Location);
        Assert.Equal(0, response.Length);
        Assert.Equal(new[] { "request-id abc" }, response.RequestIds);
    }

    private sealed class StallingHandler : HttpMessageHandler
    {
        private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Received => _received.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _received.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class CannedHandler : HttpMessageHandler
    {
        private readonly Func<HttpResponseMessage> _respond;
        public CannedHandler(Func<HttpResponseMessage> respond) => _respond = respond;
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(_respond());
    }

    /// <summary>A body whose length the response does not declare.</summary>
    private sealed class UnknownLengthStream : MemoryStream
    {
        public UnknownLengthStream(byte[] data) : base(data) { }
        public override bool CanSeek => false;
    }
}
