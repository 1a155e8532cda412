using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Tests.Support;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Engine.Tests;

/// <summary>
/// THE fault-to-error-id matrix (the cmdlet and Pester tests keep only a few representative cases): what each fault the
/// sandbox can serve becomes as the engine's one exception shape, and what its message says.
/// </summary>
public class DiscoveryErrorTests : IClassFixture<SandboxFixture>
{
    private const string ExchangeMessage = "Federation information could not be received from the external organization.";
    private readonly SandboxServer _sandbox;

    public DiscoveryErrorTests(SandboxFixture fixture)
    {
        _sandbox = fixture.Server;
        _sandbox.State.ClearFaults();
        _sandbox.State.ClearRequests();
    }

    private FederationDiscoveryClient Client(TimeSpan? timeout = null) =>
        new(new DiscoveryOptions { AutodiscoverUri = _sandbox.AutodiscoverUri, AttemptTimeout = timeout ?? TimeSpan.FromSeconds(10) });

    [Theory]
    [InlineData(DiscoveryFailureKind.NotFederated, "DomainNotFederated", ErrorKind.ObjectNotFound)]
    [InlineData(DiscoveryFailureKind.UntrustedRedirect, "UntrustedRedirect", ErrorKind.SecurityError)]
    [InlineData(DiscoveryFailureKind.InsecureRedirect, "InsecureRedirect", ErrorKind.SecurityError)]
    [InlineData(DiscoveryFailureKind.CertificateValidationFailed, "CertificateValidationFailed", ErrorKind.SecurityError)]
    [InlineData(DiscoveryFailureKind.InvalidRedirect, "InvalidRedirect", ErrorKind.InvalidResult)]
    [InlineData(DiscoveryFailureKind.ResponseTooLarge, "ResponseTooLarge", ErrorKind.LimitsExceeded)]
    [InlineData(DiscoveryFailureKind.MalformedResponse, "MalformedResponse", ErrorKind.InvalidData)]
    [InlineData(DiscoveryFailureKind.TooManyRedirects, "TooManyRedirects", ErrorKind.LimitsExceeded)]
    [InlineData(DiscoveryFailureKind.ServerBusy, "ServerBusy", ErrorKind.ResourceBusy)]
    [InlineData(DiscoveryFailureKind.Timeout, "DiscoveryTimeout", ErrorKind.OperationTimeout)]
    [InlineData(DiscoveryFailureKind.ConnectionFailed, "FederationInformationNotFound", ErrorKind.ConnectionError)]
    [InlineData(DiscoveryFailureKind.UnexpectedStatus, "FederationInformationNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(DiscoveryFailureKind.Rejected, "FederationInformationNotFound", ErrorKind.ObjectNotFound)]
    public void Each_failure_kind_has_one_id_and_kind(DiscoveryFailureKind failure, string errorId, ErrorKind kind)
    {
        Assert.Equal((errorId, kind), DiscoveryErrors.Classify(failure));
    }

    [Fact]
    public void Every_failure_kind_is_in_the_matrix()
    {
        // A new kind must be added to the theory above: this counts them.
        Assert.Equal(13, Enum.GetValues<DiscoveryFailureKind>().Count(k => k != DiscoveryFailureKind.None));
    }

    public static TheoryData<string, FaultRule, string, ErrorKind, DiscoveryFailureKind, string> Faults => new()
    {
        { "Malformed", new FaultRule { Body = FaultBody.Malformed }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "not well-formed" },
        { "Truncated", new FaultRule { Body = FaultBody.Truncated }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "truncated" },
        { "Dtd", new FaultRule { Body = FaultBody.Dtd }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "DTD" },
        { "BillionLaughs", new FaultRule { Body = FaultBody.BillionLaughs }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "DTD" },
        { "ExternalEntity", new FaultRule { Body = FaultBody.ExternalEntity }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "DTD" },
        { "Html", new FaultRule { Body = FaultBody.Html }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "not a SOAP envelope" },
        { "Empty", new FaultRule { Body = FaultBody.Empty }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "Response is empty." },
        { "Oversized", new FaultRule { Body = FaultBody.Oversized }, "ResponseTooLarge", ErrorKind.LimitsExceeded, DiscoveryFailureKind.ResponseTooLarge, "larger than the limit" },
        { "RedirectLoop", new FaultRule { Redirect = "{origin}/autodiscover/autodiscover.svc" }, "TooManyRedirects", ErrorKind.LimitsExceeded, DiscoveryFailureKind.TooManyRedirects, "Redirect loop" },
        { "InsecureRedirect", new FaultRule { Redirect = "http://example.invalid/autodiscover/autodiscover.svc" }, "InsecureRedirect", ErrorKind.SecurityError, DiscoveryFailureKind.InsecureRedirect, "isn't HTTPS: http://example.invalid/" },
        { "TldRedirect", new FaultRule { Redirect = "https://autodiscover.com/autodiscover/autodiscover.svc" }, "UntrustedRedirect", ErrorKind.SecurityError, DiscoveryFailureKind.UntrustedRedirect, "autodiscover.com" },
        { "BadLocation", new FaultRule { Redirect = "/relative" }, "InvalidRedirect", ErrorKind.InvalidResult, DiscoveryFailureKind.InvalidRedirect, "malformed URL in Location" },
        { "SlowHeaders", new FaultRule { SlowHeadersMs = 3000 }, "DiscoveryTimeout", ErrorKind.OperationTimeout, DiscoveryFailureKind.Timeout, "No answer within 1 s." },
        { "SlowBody", new FaultRule { SlowBodyMs = 300 }, "DiscoveryTimeout", ErrorKind.OperationTimeout, DiscoveryFailureKind.Timeout, "body did not arrive within 1 s" },
        { "ServerBusy", new FaultRule { ErrorCode = "ServerBusy" }, "ServerBusy", ErrorKind.ResourceBusy, DiscoveryFailureKind.ServerBusy, "ServerBusy" },
        { "Status503", new FaultRule { Status = 503 }, "ServerBusy", ErrorKind.ResourceBusy, DiscoveryFailureKind.ServerBusy, "HTTP 503" },
        { "Status429", new FaultRule { Status = 429 }, "ServerBusy", ErrorKind.ResourceBusy, DiscoveryFailureKind.ServerBusy, "HTTP 429" },
        { "NotSoap", new FaultRule { Body = FaultBody.NotSoap }, "MalformedResponse", ErrorKind.InvalidData, DiscoveryFailureKind.MalformedResponse, "not a SOAP envelope" },
        { "DeepNesting", new FaultRule { Body = FaultBody.DeepNesting }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.Rejected, "no valid ApplicationUri" },
        { "Status500", new FaultRule { Status = 500 }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.UnexpectedStatus, "Unexpected status code in response: 500." },
        { "Status401", new FaultRule { Status = 401 }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.UnexpectedStatus, "Unexpected status code in response: 401." },
        { "Status404", new FaultRule { Status = 404 }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.UnexpectedStatus, "Unexpected status code in response: 404." },
        { "SoapFault", new FaultRule { Body = FaultBody.SoapFault }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.Rejected, "SOAP fault" },
        { "WrongDomain", new FaultRule { Body = FaultBody.WrongDomain }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.Rejected, "does not list the requested domain fabrikam.com" },
        { "MissingApplicationUri", new FaultRule { Body = FaultBody.MissingApplicationUri }, "FederationInformationNotFound", ErrorKind.ObjectNotFound, DiscoveryFailureKind.Rejected, "no valid ApplicationUri" },
        { "NotFederated", new FaultRule { ErrorCode = "NotFederated" }, "DomainNotFederated", ErrorKind.ObjectNotFound, DiscoveryFailureKind.NotFederated, "Domain isn't federated (NotFederated" },
        { "InvalidDomain", new FaultRule { ErrorCode = "InvalidDomain" }, "DomainNotFederated", ErrorKind.ObjectNotFound, DiscoveryFailureKind.NotFederated, "Domain isn't federated (InvalidDomain" },
        { "Abort", new FaultRule { Abort = true }, "FederationInformationNotFound", ErrorKind.ConnectionError, DiscoveryFailureKind.ConnectionFailed, "POST" },
        { "ResetMidBody", new FaultRule { ResetMidBody = true }, "FederationInformationNotFound", ErrorKind.ConnectionError, DiscoveryFailureKind.ConnectionFailed, "POST" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_becomes_one_error_with_its_id_kind_target_and_a_headline_that_names_the_domain(
        string name, FaultRule fault, string errorId, ErrorKind kind, DiscoveryFailureKind reason, string detail)
    {
        Assert.NotNull(name);
        string faultId = _sandbox.State.AddFault(fault);
        bool slow = fault.SlowHeadersMs > 0 || fault.SlowBodyMs > 0;
        using FederationDiscoveryClient client = Client(slow ? TimeSpan.FromSeconds(1) : null);

        DiscoveryOutcome outcome = await client.DiscoverAsync("Fabrikam.com", NullEngineEvents.Instance, CancellationToken.None);
        EngineException error = outcome.ToException();

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(reason, outcome.FailureKind);
        Assert.Equal("Fabrikam.com", error.Target);
        Assert.Equal(reason is DiscoveryFailureKind.ServerBusy or DiscoveryFailureKind.Timeout or DiscoveryFailureKind.ConnectionFailed, error.IsRetryable);
        string[] lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("Discovery for domain 'Fabrikam.com' failed: POST http://127.0.0.1:", lines[0], StringComparison.Ordinal);
        Assert.Contains(detail, lines[0], StringComparison.Ordinal);
        Assert.StartsWith(ExchangeMessage, lines[1], StringComparison.Ordinal);
        // The sandbox really served the fault: the error is the fault's doing.
        Assert.True(SpinWait.SpinUntil(() => _sandbox.State.Requests.Count > 0, TimeSpan.FromSeconds(5)), "The sandbox logged no request.");
        Assert.Equal(faultId, _sandbox.State.Requests.First().Fault);
    }

    [Fact]
    public async Task The_headline_names_an_idn_as_typed_with_its_punycode()
    {
        _sandbox.State.AddFault(new FaultRule { Domain = "xn--bcher-kva.example", ErrorCode = "NotFederated" });
        using FederationDiscoveryClient client = Client();
        DiscoveryOutcome outcome = await client.DiscoverAsync("Bücher.example", NullEngineEvents.Instance, CancellationToken.None);
        Assert.Equal("xn--bcher-kva.example", outcome.Domain);
        Assert.Equal("Bücher.example", outcome.Input);
        Assert.StartsWith("Discovery for domain 'Bücher.example' (xn--bcher-kva.example) failed: POST ", outcome.ToException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ids_go_into_their_own_property_not_the_message()
    {
        _sandbox.State.AddFault(new FaultRule { Status = 500, Headers = new() { ["request-id"] = "5f0c6a1e-0000-4000-8000-00000000abcd" } });
        using FederationDiscoveryClient client = Client();
        DiscoveryOutcome outcome = await client.DiscoverAsync("fabrikam.com", NullEngineEvents.Instance, CancellationToken.None);
        EngineException error = outcome.ToException();
        Assert.Equal("request-id 5f0c6a1e-0000-4000-8000-00000000abcd", error.RequestIds);
        Assert.DoesNotContain("5f0c6a1e", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_over_five_candidates_is_still_two_lines_with_each_attempt_kept()
    {
        var routing = new RoutingHandler(_sandbox.BaseUri, SandboxFixture.VirtualHosts);
        using var client = new FederationDiscoveryClient(new DiscoveryOptions(), routing);
        DiscoveryOutcome outcome = await client.DiscoverAsync("nowhere.example", NullEngineEvents.Instance, CancellationToken.None);
        EngineException error = outcome.ToException();
        Assert.Equal(4, outcome.Attempts.Count);
        Assert.Equal(2, error.Message.Split(Environment.NewLine).Length);
        Assert.EndsWith("4 requests were made; the exception's Attempts lists each.", error.Message, StringComparison.Ordinal);
        Assert.Contains("POST https://autodiscover.nowhere.example/autodiscover/autodiscover.svc: The host name could not be resolved.", error.Message, StringComparison.Ordinal);
        Assert.Null(error.RequestIds);
    }

    [Fact]
    public async Task A_success_is_not_an_error()
    {
        using FederationDiscoveryClient client = Client();
        DiscoveryOutcome outcome = await client.DiscoverAsync("fabrikam.com", NullEngineEvents.Instance, CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => outcome.ToException());
    }
}
