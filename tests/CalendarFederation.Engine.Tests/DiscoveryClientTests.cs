using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Tests.Support;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Engine.Tests;

public class DiscoveryClientTests : IClassFixture<SandboxFixture>
{
    private static readonly Uri Cloud = new("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc");
    private readonly SandboxServer _sandbox;
    private readonly RoutingHandler _routing;
    private readonly RecordingEvents _events = new();

    public DiscoveryClientTests(SandboxFixture fixture)
    {
        _sandbox = fixture.Server;
        _sandbox.State.ClearFaults();
        _sandbox.State.ClearRequests();
        _sandbox.State.ClearViolations();
        _routing = new RoutingHandler(_sandbox.BaseUri, SandboxFixture.VirtualHosts);
    }

    private FederationDiscoveryClient Client(Action<DiscoveryOptions>? configure = null)
    {
        var options = new DiscoveryOptions { AttemptTimeout = TimeSpan.FromSeconds(10) };
        configure?.Invoke(options);
        return new FederationDiscoveryClient(options, _routing);
    }

    private Task<DiscoveryOutcome> Discover(FederationDiscoveryClient client, string domain) =>
        client.DiscoverAsync(domain, _events, CancellationToken.None);

    [Fact]
    public async Task Asks_candidates_in_exchange_order_and_never_a_parent_or_tld()
    {
        using var client = Client(o => o.CloudEndpoint = Cloud);
        DiscoveryOutcome outcome = await Discover(client, "sub.nowhere.example");

        Assert.False(outcome.Succeeded);
        Assert.Equal(new[]
        {
            "POST https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc",
            "POST https://autodiscover.sub.nowhere.example/autodiscover/autodiscover.svc",
            "POST https://sub.nowhere.example/autodiscover/autodiscover.svc",
            "GET http://autodiscover.sub.nowhere.example/autodiscover/autodiscover.xml",
            "GET http://sub.nowhere.example/autodiscover/autodiscover.xml",
        }, _routing.SentList);
        Assert.Equal(DiscoveryFailureKind.NotFederated, outcome.FailureKind);
        Assert.StartsWith("Discovery for domain 'sub.nowhere.example' failed: POST https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc: Domain isn't federated",
            outcome.FailureMessage);
        Assert.Contains("Federation information could not be received from the external organization. 5 requests were made", outcome.FailureMessage);
        Assert.Contains("the host name could not be resolved", outcome.FailureMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, outcome.Attempts.Count);
        // Each request was reported while it happened, in the order made.
        IReadOnlyList<string> verbose = _events.VerboseLines;
        Assert.Equal(5, verbose.Count);
        for (int i = 0; i < 5; i++) Assert.StartsWith("[sub.nowhere.example] " + _routing.SentList[i] + ": ", verbose[i], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stops_at_the_first_acceptable_answer()
    {
        using var client = Client(o => o.CloudEndpoint = Cloud);
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");

        Assert.True(outcome.Succeeded);
        Assert.Single(_routing.SentList);
        FederationInfo info = outcome.Result!;
        Assert.Equal(CandidateKind.Cloud, info.Candidate);
        Assert.Equal("outlook.com", info.ApplicationUri);
        Assert.Equal(new[] { "fabrikam.com" }, info.DomainNames);
        Assert.Equal("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity", info.TargetAutodiscoverEpr);
        Assert.Equal(new[] { "urn:federation:MicrosoftOnline" }, info.TokenIssuerUris);
    }

    [Fact]
    public async Task Falls_through_to_the_partner_autodiscover_host()
    {
        using var client = Client();
        DiscoveryOutcome outcome = await Discover(client, "FABRIKAM.COM");
        Assert.True(outcome.Succeeded);
        Assert.Equal(CandidateKind.AutodiscoverHost, outcome.Result!.Candidate);
        Assert.Equal("https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc/WSSecurity", outcome.Result.TargetAutodiscoverEpr);
    }

    [Fact]
    public async Task Sends_the_wire_form_anonymously_with_punycode()
    {
        using var client = Client(o => o.CloudEndpoint = Cloud);
        DiscoveryOutcome outcome = await Discover(client, "bücher.example");
        Assert.True(outcome.Succeeded);
        RequestRecord record = Assert.Single(_sandbox.State.Requests);
        Assert.Equal("xn--bcher-kva.example", record.Domain);
        Assert.Equal("AutodiscoverClient", record.UserAgent);
        Assert.Equal("\"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation\"", record.SoapAction);
        Assert.Equal("1.1", record.SoapVersion);
        Assert.False(record.HasAuthorization);
        Assert.False(record.HasCookie);
        Assert.Empty(_sandbox.State.Violations);
    }

    [Fact]
    public async Task Production_http_stack_sends_no_credentials_or_cookies()
    {
        using var client = new FederationDiscoveryClient(new DiscoveryOptions { AutodiscoverUri = _sandbox.AutodiscoverUri });
        for (int i = 0; i < 3; i++)
        {
            Assert.True((await Discover(client, "contoso.com")).Succeeded);
        }
        Assert.Equal(3, _sandbox.State.Requests.Count);
        Assert.All(_sandbox.State.Requests, r => Assert.False(r.HasAuthorization || r.HasCookie || r.HasClientCertificate));
        Assert.Empty(_sandbox.State.Violations);
    }

    [Fact]
    public async Task An_unsecured_redirect_to_an_untrusted_host_becomes_an_alternate_and_is_not_followed()
    {
        using var client = Client();
        DiscoveryOutcome outcome = await Discover(client, "adatum.com");

        Assert.False(outcome.Succeeded);
        Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, outcome.FailureKind);
        DiscoveryAlternate alternate = Assert.Single(outcome.Alternates);
        Assert.Equal(AlternateKind.UnsecuredRedirect, alternate.Kind);
        Assert.Equal("mail.adatum.com", alternate.Host);
        Assert.Equal("https://mail.adatum.com/autodiscover/autodiscover.svc", alternate.Endpoint.AbsoluteUri);
        Assert.StartsWith("The Autodiscover request for federation information sent to 'http://autodiscover.adatum.com/autodiscover/autodiscover.xml' returned an unsecure redirect to 'https://mail.adatum.com/autodiscover/autodiscover.xml'. If you trust host name mail.adatum.com", alternate.Prompt);
        Assert.DoesNotContain(_routing.SentList, s => s.Contains("mail.adatum.com"));
        // Nobody said yes (RecordingEvents answers no): the question was asked once, and nothing was posted to the host.
        ConfirmRequest question = Assert.Single(_events.Questions);
        Assert.Equal(alternate.Prompt, question.Query);
    }

    [Fact]
    public async Task An_unsecured_redirect_to_a_trusted_host_is_followed()
    {
        using var client = Client(o => o.TrustedHostnames = new[] { "*.adatum.com" });
        DiscoveryOutcome outcome = await Discover(client, "adatum.com");
        Assert.True(outcome.Succeeded);
        Assert.Equal(CandidateKind.UnsecuredAutodiscoverHost, outcome.Result!.Candidate);
        Assert.Equal("https://mail.adatum.com/autodiscover/autodiscover.svc", outcome.Result.AnsweredBy.AbsoluteUri);
        Assert.Contains("POST https://mail.adatum.com/autodiscover/autodiscover.svc", _routing.SentList);
    }

    [Theory]
    [InlineData("http://mail.probe.example/autodiscover/autodiscover.xml", 302, DiscoveryFailureKind.InsecureRedirect, "isn't HTTPS")]
    [InlineData("https://mail.probe.example/somewhere/else.xml", 302, DiscoveryFailureKind.InvalidRedirect, "doesn't have expected path")]
    [InlineData("/autodiscover/autodiscover.xml", 302, DiscoveryFailureKind.InvalidRedirect, "malformed URL")]
    [InlineData("https://autodiscover.com/autodiscover/autodiscover.xml", 302, DiscoveryFailureKind.UntrustedRedirect, "autodiscover.<top-level domain>")]
    public async Task Applies_exchange_rules_to_the_unsecured_probe(string location, int status, DiscoveryFailureKind expected, string text)
    {
        _sandbox.State.AddFault(new FaultRule { Method = "GET", Host = "autodiscover.probe.example", Redirect = location, RedirectStatus = status });
        using var client = Client(o => o.TrustedHostnames = new[] { "mail.probe.example" });
        DiscoveryOutcome outcome = await Discover(client, "probe.example");
        Assert.False(outcome.Succeeded);
        DiscoveryAttempt probe = outcome.Attempts.Single(a => a.Candidate == CandidateKind.UnsecuredAutodiscoverHost);
        Assert.Equal(expected, probe.Failure);
        Assert.Contains(text, probe.Result);
        Assert.Empty(outcome.Alternates);
        Assert.DoesNotContain(_routing.SentList, s => s.StartsWith("POST https://autodiscover.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_probe_that_does_not_redirect_is_an_unexpected_status()
    {
        _sandbox.State.AddFault(new FaultRule { Method = "GET", Host = "autodiscover.probe.example", Status = 200, RawBody = "<Autodiscover/>" });
        using var client = Client();
        DiscoveryOutcome outcome = await Discover(client, "probe.example");
        DiscoveryAttempt probe = outcome.Attempts.Single(a => a.Candidate == CandidateKind.UnsecuredAutodiscoverHost);
        Assert.Equal("Unexpected status code in response: 200.", probe.Result);
    }

    [Fact]
    public async Task A_secure_redirect_is_rebuilt_on_the_location_host()
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.redirect.example", Redirect = "https://mail.fabrikam.com/owa/ignored/path?x=1" });
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.redirect.example/autodiscover/autodiscover.svc"));
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.True(outcome.Succeeded);
        Assert.Equal("https://mail.fabrikam.com/autodiscover/autodiscover.svc", outcome.Result!.AnsweredBy.AbsoluteUri);
        Assert.Equal(CandidateKind.Explicit, outcome.Result.Candidate);
        Assert.Equal(2, _routing.SentList.Count);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Treats_301_307_308_as_redirects(int status)
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.redirect.example", Redirect = "https://mail.fabrikam.com/", RedirectStatus = status });
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.redirect.example/autodiscover/autodiscover.svc"));
        Assert.True((await Discover(client, "fabrikam.com")).Succeeded);
    }

    [Fact]
    public async Task Never_follows_a_redirect_from_https_to_http()
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.redirect.example", Redirect = "http://mail.fabrikam.com/autodiscover/autodiscover.svc" });
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.redirect.example/autodiscover/autodiscover.svc"));
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.InsecureRedirect, outcome.FailureKind);
        Assert.Contains("The response URL in the Location header isn't HTTPS: http://mail.fabrikam.com/", outcome.FailureMessage);
        Assert.Single(_routing.SentList);
    }

    [Fact]
    public async Task Detects_a_redirect_loop()
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.redirect.example", Redirect = "https://autodiscover.redirect.example/elsewhere" });
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.redirect.example/autodiscover/autodiscover.svc"));
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.TooManyRedirects, outcome.FailureKind);
        Assert.Contains("loop", outcome.FailureMessage);
        Assert.Single(_routing.SentList);
    }

    [Fact]
    public async Task Follows_at_most_five_redirects()
    {
        for (int i = 1; i <= 6; i++)
        {
            _sandbox.State.AddFault(new FaultRule { Host = $"hop{i}.example", Redirect = $"https://hop{i + 1}.example/" });
        }
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://hop1.example/autodiscover/autodiscover.svc"));
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.TooManyRedirects, outcome.FailureKind);
        Assert.Contains("gave up after 5", outcome.FailureMessage);
        Assert.Equal(6, _routing.SentList.Count); // the first request plus five followed redirects
        Assert.DoesNotContain(_routing.SentList, s => s.Contains("hop7"));
    }

    [Fact]
    public async Task A_redirect_to_a_parent_domain_needs_trust()
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.sales.contoso.com", Redirect = "https://autodiscover.contoso.com/" });
        using (var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.sales.contoso.com/autodiscover/autodiscover.svc")))
        {
            DiscoveryOutcome outcome = await Discover(client, "sales.contoso.com");
            Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, outcome.FailureKind);
            Assert.Equal(AlternateKind.ParentDomainRedirect, Assert.Single(outcome.Alternates).Kind);
            Assert.Single(_routing.SentList);
        }
        using (var trusting = Client(o =>
               {
                   o.AutodiscoverUri = new Uri("https://autodiscover.sales.contoso.com/autodiscover/autodiscover.svc");
                   o.TrustedHostnames = new[] { "autodiscover.contoso.com" };
               }))
        {
            Assert.True((await Discover(trusting, "sales.contoso.com")).Succeeded);
        }
    }

    [Fact]
    public async Task Refuses_a_redirect_to_an_autodiscover_tld_host()
    {
        _sandbox.State.AddFault(new FaultRule { Host = "autodiscover.redirect.example", Redirect = "https://autodiscover.com/autodiscover/autodiscover.svc" });
        using var client = Client(o => o.AutodiscoverUri = new Uri("https://autodiscover.redirect.example/autodiscover/autodiscover.svc"));
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.UntrustedRedirect, outcome.FailureKind);
        Assert.Empty(outcome.Alternates);
        Assert.DoesNotContain(_routing.SentList, s => s.Contains("//autodiscover.com"));
    }

    [Theory]
    [InlineData("NotFederated", DiscoveryFailureKind.NotFederated)]
    [InlineData("InvalidDomain", DiscoveryFailureKind.NotFederated)]
    [InlineData("ServerBusy", DiscoveryFailureKind.ServerBusy)]
    [InlineData("InvalidRequest", DiscoveryFailureKind.Rejected)]
    [InlineData("InternalServerError", DiscoveryFailureKind.Rejected)]
    [InlineData("RedirectUrl", DiscoveryFailureKind.Rejected)]
    [InlineData("RedirectAddress", DiscoveryFailureKind.Rejected)]
    [InlineData("InvalidUser", DiscoveryFailureKind.Rejected)]
    [InlineData("InvalidSetting", DiscoveryFailureKind.Rejected)]
    [InlineData("SettingIsNotAvailable", DiscoveryFailureKind.Rejected)]
    public async Task Every_error_code_is_a_failure_with_its_kind(string code, DiscoveryFailureKind expected)
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", ErrorCode = code });
        using var client = Client(o => o.AutodiscoverUri = _sandbox.AutodiscoverUri);
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(expected, outcome.FailureKind);
        Assert.Contains(code, outcome.FailureMessage);
    }

    [Fact]
    public async Task The_sandbox_produces_not_federated_invalid_domain_and_invalid_request_itself()
    {
        using var client = Client(o => o.AutodiscoverUri = _sandbox.AutodiscoverUri);
        Assert.Contains("NotFederated: The organization is not federated.", (await Discover(client, "tailspintoys.com")).FailureMessage);
        Assert.Contains("InvalidDomain: The domain is invalid.", (await Discover(client, "unknown.example")).FailureMessage);
    }

    [Fact]
    public async Task A_declared_oversized_body_is_refused_before_reading()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", RawBody = new string('x', 3 * 1024 * 1024) });
        using var client = Client(o => o.AutodiscoverUri = _sandbox.AutodiscoverUri);
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.ResponseTooLarge, outcome.FailureKind);
        Assert.Contains("The response is 3145728 bytes", outcome.FailureMessage);
    }

    [Fact]
    public async Task Slow_headers_hit_the_attempt_timeout()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", SlowHeadersMs = 5000 });
        using var client = Client(o =>
        {
            o.AutodiscoverUri = _sandbox.AutodiscoverUri;
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        });
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.Timeout, outcome.FailureKind);
        Assert.Contains("No answer within", outcome.FailureMessage);
    }

    [Fact]
    public async Task A_slow_body_hits_the_attempt_timeout()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", SlowBodyMs = 400 });
        using var client = Client(o =>
        {
            o.AutodiscoverUri = _sandbox.AutodiscoverUri;
            o.AttemptTimeout = TimeSpan.FromMilliseconds(1000);
        });
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.Timeout, outcome.FailureKind);
        Assert.Contains("body did not arrive", outcome.FailureMessage);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A_dropped_connection_is_a_connection_failure(bool abort, bool resetMidBody)
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", Abort = abort, ResetMidBody = resetMidBody });
        using var client = Client(o => o.AutodiscoverUri = _sandbox.AutodiscoverUri);
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.ConnectionFailed, outcome.FailureKind);
    }

    [Fact]
    public async Task Connection_refused_is_reported_in_plain_words()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var client = new FederationDiscoveryClient(new DiscoveryOptions { AutodiscoverUri = new Uri($"http://127.0.0.1:{port}/autodiscover/autodiscover.svc") });
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.ConnectionFailed, outcome.FailureKind);
        Assert.Contains("refused", outcome.FailureMessage);
    }

    [Fact]
    public async Task Keeps_other_returned_domains_only_when_they_validate()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "litware.net", ErrorCode = "NotFederated" });
        using var client = Client(o => o.CloudEndpoint = Cloud);
        DiscoveryOutcome outcome = await Discover(client, "litware.com");
        Assert.True(outcome.Succeeded);
        Assert.Equal(new[] { "litware.com", "litware.onmicrosoft.com" }, outcome.Result!.DomainNames);
        Assert.Equal(new[] { "litware.net" }, outcome.Result.DroppedDomainNames);
        Assert.Contains(outcome.Notes, n => n.Contains("litware.net") && n.Contains("BypassAdditionalDomainValidation"));
    }

    [Fact]
    public async Task Bypass_keeps_every_returned_domain_without_extra_requests()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "litware.net", ErrorCode = "NotFederated" });
        using var client = Client(o =>
        {
            o.CloudEndpoint = Cloud;
            o.BypassAdditionalDomainValidation = true;
        });
        DiscoveryOutcome outcome = await Discover(client, "litware.com");
        Assert.Equal(new[] { "litware.com", "litware.onmicrosoft.com", "litware.net" }, outcome.Result!.DomainNames);
        Assert.Single(_routing.SentList);
    }

    [Fact]
    public async Task Cancellation_stops_a_request_in_flight()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "fabrikam.com", LatencyMs = 10_000 });
        using var client = Client(o => o.AutodiscoverUri = _sandbox.AutodiscoverUri);
        using var cts = new CancellationTokenSource(200);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DiscoverAsync("fabrikam.com", _events, cts.Token));
    }

    [Theory]
    [InlineData("selfsigned", "not issued by a trusted authority")]
    [InlineData("expired", "expired")]
    [InlineData("mismatch", "not issued by a trusted authority")]
    public async Task Real_tls_failures_are_refused_with_the_reason(string kind, string reason)
    {
        var endpoint = new Uri(_sandbox.HttpsUri(kind), "/autodiscover/autodiscover.svc");
        using var client = new FederationDiscoveryClient(new DiscoveryOptions { AutodiscoverUri = endpoint, TrustedHostnames = new[] { "wrong.example" } });
        DiscoveryOutcome outcome = await Discover(client, "fabrikam.com");
        Assert.Equal(DiscoveryFailureKind.CertificateValidationFailed, outcome.FailureKind);
        Assert.Contains(reason, outcome.FailureMessage);
        Assert.Empty(_sandbox.State.Requests); // nothing was posted over a connection we did not trust
    }
}
