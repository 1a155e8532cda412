using System.Management.Automation;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>Error ids, categories and target objects, as a host sees them in ErrorRecords and exceptions.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ErrorTests : IDisposable
{
    private const string ExchangeMessage = "Federation information could not be received from the external organization.";

    private readonly SandboxFixture _sandbox;
    private readonly CmdletHost _host = new();

    public ErrorTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _sandbox.Reset();
    }

    public void Dispose() => _host.Dispose();

    private Dictionary<string, object?> Parameters(params string[] domains) => new()
    {
        ["DomainName"] = domains,
        ["AutodiscoverUri"] = _sandbox.AutodiscoverUri,
    };

    private static FaultRule Fault(string name) => name switch
    {
        "Malformed" => new FaultRule { Body = FaultBody.Malformed },
        "InsecureRedirect" => new FaultRule { Redirect = "http://example.invalid/autodiscover/autodiscover.svc" },
        "AutodiscoverTld" => new FaultRule { Redirect = "https://autodiscover.com/autodiscover/autodiscover.svc" },
        "Html" => new FaultRule { Body = FaultBody.Html },
        "Empty" => new FaultRule { Body = FaultBody.Empty },
        "MissingApplicationUri" => new FaultRule { Body = FaultBody.MissingApplicationUri },
        "SlowHeaders" => new FaultRule { SlowHeadersMs = 3000 },
        "Status404" => new FaultRule { Status = 404 },
        "Abort" => new FaultRule { Abort = true },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such fault."),
    };

    // A few representative faults: the whole fault-to-id matrix is the engine's (DiscoveryErrorTests). These show that the
    // cmdlet carries the engine's id and kind into the ErrorRecord, with the input as typed as the target.
    [Theory]
    [InlineData("Malformed", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse")]
    [InlineData("InsecureRedirect", "InsecureRedirect", ErrorCategory.SecurityError, "InsecureRedirect")]
    [InlineData("SlowHeaders", "DiscoveryTimeout", ErrorCategory.OperationTimeout, "Timeout")]
    [InlineData("Status404", "FederationInformationNotFound", ErrorCategory.ObjectNotFound, "UnexpectedStatus")]
    [InlineData("Abort", "FederationInformationNotFound", ErrorCategory.ConnectionError, "ConnectionFailed")]
    public void ReportsAFaultWithItsIdCategoryAndTarget(string fault, string errorId, ErrorCategory category, string reason)
    {
        string faultId = _sandbox.AddFault(Fault(fault));
        Dictionary<string, object?> parameters = Parameters("Fabrikam.com");
        if (fault is "SlowHeaders") parameters["TimeoutSec"] = 1; // the sandbox takes 3 s

        (List<FederationInformation> output, List<ErrorRecord> errors) = _host.Invoke(parameters);

        Assert.Empty(output);
        ErrorRecord record = Assert.Single(errors);
        Assert.Equal(errorId + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(category, record.CategoryInfo.Category);
        Assert.Equal("Fabrikam.com", record.TargetObject);
        Assert.StartsWith("Discovery for domain 'Fabrikam.com' failed: POST http://127.0.0.1:", record.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(ExchangeMessage, record.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(record.Exception.Message, record.ErrorDetails?.Message);
        Assert.False(string.IsNullOrWhiteSpace(record.ErrorDetails?.RecommendedAction));
        // An external entity is refused, never expanded into the message (it points at a local file).
        Assert.DoesNotContain("root:", record.Exception.Message, StringComparison.Ordinal);

        var exception = Assert.IsType<FederationInformationException>(record.Exception);
        Assert.Equal("fabrikam.com", exception.DomainName);
        Assert.Equal(reason, exception.Reason);
        Assert.NotEmpty(exception.Attempts);
        Assert.All(exception.Attempts, a => Assert.StartsWith("POST http://127.0.0.1:", a, StringComparison.Ordinal));
        Assert.Equal(errorId, Assert.IsType<Engine.EngineException>(exception.InnerException).ErrorId);
        // The sandbox served the fault. An answer that never starts (slow headers, abort) is logged when its handler
        // ends, which can be just after the client has given up: wait for that event (SandboxState.Record).
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.RequestCount > 0, TimeSpan.FromSeconds(30)), "The sandbox logged no request.");
        Assert.Equal(faultId, _sandbox.State.Requests.First().Fault);
    }

    [Fact]
    public void TwentyFailedDomainsGiveTwentyHeadlinesEachNamingItsDomain()
    {
        string[] domains = Enumerable.Range(1, 20).Select(i => $"Partner{i}.example").ToArray();
        (_, List<ErrorRecord> errors) = _host.Invoke(Parameters(domains));

        Assert.Equal(20, errors.Count);
        string[] headlines = errors.Select(e => e.Exception.Message.Split(Environment.NewLine)[0]).ToArray();
        Assert.Equal(20, headlines.Distinct().Count());
        foreach (ErrorRecord e in errors)
        {
            string typed = (string)e.TargetObject;
            Assert.StartsWith($"Discovery for domain '{typed}' failed: POST ", e.Exception.Message, StringComparison.Ordinal);
            // Two lines, however many endpoints were asked: each request is in Attempts (and was verbose output).
            Assert.Equal(2, e.Exception.Message.Split(Environment.NewLine).Length);
        }
    }

    [Fact]
    public void TheHeadlineNamesAnIdnAsTypedWithItsPunycode()
    {
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters("Bücher.example")).Errors);
        Assert.Equal("DomainNotFederated" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal("Bücher.example", record.TargetObject);
        Assert.StartsWith("Discovery for domain 'Bücher.example' (xn--bcher-kva.example) failed: POST ", record.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("xn--bcher-kva.example", ((FederationInformationException)record.Exception).DomainName);
    }

    [Fact]
    public void RequestIdsGoIntoTheirOwnPropertyNotTheRecommendation()
    {
        _sandbox.AddFault(new FaultRule { Status = 500, Headers = new() { ["request-id"] = "0d4b3c2a-1111-4222-8333-444455556666" } });
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters("fabrikam.com")).Errors);
        Assert.Equal("request-id 0d4b3c2a-1111-4222-8333-444455556666", ((FederationInformationException)record.Exception).RequestIds);
        Assert.DoesNotContain("0d4b3c2a", record.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain("0d4b3c2a", record.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedExplicitEndpointIsNotToldToNameAnEndpoint()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = new[] { "fabrikam.com" },
            ["AutodiscoverUri"] = new Uri($"http://127.0.0.1:{port}/autodiscover/autodiscover.svc"),
        };
        ErrorRecord record = Assert.Single(_host.Invoke(parameters).Errors);
        Assert.Equal("FederationInformationNotFound" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, record.CategoryInfo.Category);
        Assert.Contains("The connection was refused.", record.Exception.Message, StringComparison.Ordinal);
        string action = record.ErrorDetails!.RecommendedAction;
        Assert.DoesNotContain("name an endpoint with -AutodiscoverUri", action, StringComparison.Ordinal);
        Assert.StartsWith("Check the URL given with -AutodiscoverUri, its port", action, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tailspintoys.com", "NotFederated")]
    [InlineData("unknown-partner.example", "InvalidDomain")]
    public void ReportsDomainNotFederated(string domain, string serverCode)
    {
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters(domain)).Errors);
        Assert.Equal("DomainNotFederated" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
        Assert.Equal(domain, record.TargetObject);
        Assert.Contains(serverCode + ":", record.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("NotFederated", Assert.IsType<FederationInformationException>(record.Exception).Reason);
    }

    [Fact]
    public void ReportsTooManyRedirectsAfterFiveHops()
    {
        for (int i = 0; i < 7; i++)
        {
            _sandbox.AddFault(new FaultRule { Port = _sandbox.State.Ports[i], Redirect = "http://127.0.0.1:{port:" + (i + 1) + "}/x" });
        }
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters("fabrikam.com")).Errors);
        Assert.Equal("TooManyRedirects" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, record.CategoryInfo.Category);
        Assert.Contains("Too many redirects: gave up after 5", record.Exception.Message, StringComparison.Ordinal);
        // The start plus five followed redirects were asked, each answered 302; the sixth target never was.
        Assert.Equal(_sandbox.State.Ports.Take(6), _sandbox.State.Requests.Select(r => r.Port));
        Assert.All(_sandbox.State.Requests, r => Assert.Equal(302, r.Status));
        Assert.Equal(6, Assert.IsType<FederationInformationException>(record.Exception).Attempts.Length);
    }

    [Theory]
    [InlineData("fab rikam.com")]
    [InlineData("admin@fabrikam.com")]
    [InlineData("*.fabrikam.com")]
    [InlineData("<x>")]
    [InlineData("fabrikam")]
    [InlineData("fabrikam..com")]
    public void RefusesAnInvalidDomainNameBeforeSendingAnything(string domain)
    {
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters(domain)).Errors);
        Assert.Equal("InvalidDomainName" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        Assert.Equal(domain, record.TargetObject);
        Assert.IsType<ArgumentException>(record.Exception);
        Assert.False(string.IsNullOrWhiteSpace(record.ErrorDetails?.RecommendedAction));
        Assert.Empty(_sandbox.State.Requests);
    }

    [Fact]
    public void RefusesADomainNameOver253Characters()
    {
        string domain = string.Join(".", Enumerable.Repeat(new string('a', 60), 5)) + ".com";
        ErrorRecord record = Assert.Single(_host.Invoke(Parameters(domain)).Errors);
        Assert.Equal("InvalidDomainName" + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Contains("the limit is 253", record.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(_sandbox.State.Requests);
    }

    [Fact]
    public void ErrorActionStopThrowsWithTheErrorRecord()
    {
        Dictionary<string, object?> parameters = Parameters("tailspintoys.com", "fabrikam.com");
        parameters["ErrorAction"] = ActionPreference.Stop;
        parameters["ThrottleLimit"] = 1;
        using PowerShell ps = _host.Command(parameters);

        RuntimeException ex = Assert.ThrowsAny<RuntimeException>(() => ps.Invoke());

        Assert.IsType<ActionPreferenceStopException>(ex);
        Assert.Equal("DomainNotFederated" + CmdletHost.ErrorIdSuffix, ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Equal("tailspintoys.com", ex.ErrorRecord.TargetObject);
        Assert.IsType<FederationInformationException>(ex.ErrorRecord.Exception);
        Assert.Equal(PSInvocationState.Failed, ps.InvocationStateInfo.State);
    }

    [Fact]
    public void PlainHttpToANonLoopbackHostIsAnInvalidAutodiscoverUri()
    {
        // .invalid never resolves (RFC 2606): even a regression could not reach the internet.
        var parameters = new Dictionary<string, object?>
        {
            ["DomainName"] = new[] { "fabrikam.com" },
            ["AutodiscoverUri"] = new Uri("http://autodiscover.fabrikam.invalid/autodiscover/autodiscover.svc"),
        };
        using PowerShell ps = _host.Command(parameters);

        RuntimeException ex = Assert.ThrowsAny<RuntimeException>(() => ps.Invoke());

        Assert.Equal("InvalidAutodiscoverUri" + CmdletHost.ErrorIdSuffix, ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Equal(new Uri("http://autodiscover.fabrikam.invalid/autodiscover/autodiscover.svc"), ex.ErrorRecord.TargetObject);
        Assert.IsType<ArgumentException>(ex.ErrorRecord.Exception);
    }

    [Theory]
    [InlineData("ThrottleLimit", 0)]
    [InlineData("ThrottleLimit", 513)]
    [InlineData("TimeoutSec", 0)]
    public void OutOfRangeValuesFailParameterValidation(string parameter, int value)
    {
        Dictionary<string, object?> parameters = Parameters("fabrikam.com");
        parameters[parameter] = value;
        using PowerShell ps = _host.Command(parameters);

        ParameterBindingException ex = Assert.ThrowsAny<ParameterBindingException>(() => ps.Invoke());

        Assert.Equal("ParameterArgumentValidationError" + CmdletHost.ErrorIdSuffix, ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, ex.ErrorRecord.CategoryInfo.Category);
        Assert.Equal(parameter, ex.ParameterName);
        Assert.Empty(_sandbox.State.Requests);
    }
}
