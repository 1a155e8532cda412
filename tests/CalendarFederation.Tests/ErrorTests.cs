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
        "Truncated" => new FaultRule { Body = FaultBody.Truncated },
        "Dtd" => new FaultRule { Body = FaultBody.Dtd },
        "BillionLaughs" => new FaultRule { Body = FaultBody.BillionLaughs },
        "ExternalEntity" => new FaultRule { Body = FaultBody.ExternalEntity },
        "Oversized" => new FaultRule { Body = FaultBody.Oversized },
        "RedirectLoop" => new FaultRule { Redirect = "{origin}/autodiscover/autodiscover.svc" },
        "InsecureRedirect" => new FaultRule { Redirect = "http://example.invalid/autodiscover/autodiscover.svc" },
        "AutodiscoverTld" => new FaultRule { Redirect = "https://autodiscover.com/autodiscover/autodiscover.svc" },
        "Html" => new FaultRule { Body = FaultBody.Html },
        "Empty" => new FaultRule { Body = FaultBody.Empty },
        "MissingApplicationUri" => new FaultRule { Body = FaultBody.MissingApplicationUri },
        "SlowHeaders" => new FaultRule { SlowHeadersMs = 3000 },
        "SlowBody" => new FaultRule { SlowBodyMs = 300 },
        "ServerBusy" => new FaultRule { ErrorCode = "ServerBusy" },
        "Status503" => new FaultRule { Status = 503 },
        "Status404" => new FaultRule { Status = 404 },
        "SoapFault" => new FaultRule { Body = FaultBody.SoapFault },
        "WrongDomain" => new FaultRule { Body = FaultBody.WrongDomain },
        "Abort" => new FaultRule { Abort = true },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such fault."),
    };

    // The whole fault -> error matrix of Get-FederationInformation, as a host sees it (tests/Pester keeps a few of these
    // end to end through the built module; the reliability suite times them): id, category, target, the reason, and
    // the part of the message that says why.
    [Theory]
    [InlineData("Malformed", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "not well-formed XML")]
    [InlineData("Truncated", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "truncated")]
    [InlineData("Dtd", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "document type definition")]
    [InlineData("BillionLaughs", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "document type definition")]
    [InlineData("ExternalEntity", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "document type definition")]
    [InlineData("Html", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "not a SOAP envelope")]
    [InlineData("Empty", "MalformedResponse", ErrorCategory.InvalidData, "MalformedResponse", "Response is empty.")]
    [InlineData("Oversized", "ResponseTooLarge", ErrorCategory.LimitsExceeded, "ResponseTooLarge", "larger than the limit")]
    [InlineData("RedirectLoop", "TooManyRedirects", ErrorCategory.LimitsExceeded, "TooManyRedirects", "Redirect loop")]
    [InlineData("InsecureRedirect", "InsecureRedirect", ErrorCategory.SecurityError, "InsecureRedirect", "isn't HTTPS: http://example.invalid/")]
    [InlineData("AutodiscoverTld", "UntrustedRedirect", ErrorCategory.SecurityError, "UntrustedRedirect", "autodiscover.com")]
    [InlineData("SlowHeaders", "DiscoveryTimeout", ErrorCategory.OperationTimeout, "Timeout", "No answer within 1 s")]
    [InlineData("SlowBody", "DiscoveryTimeout", ErrorCategory.OperationTimeout, "Timeout", "body did not arrive within 1 s")]
    [InlineData("ServerBusy", "ServerBusy", ErrorCategory.ResourceBusy, "ServerBusy", "ServerBusy")]
    [InlineData("Status503", "ServerBusy", ErrorCategory.ResourceBusy, "ServerBusy", "HTTP 503")]
    [InlineData("Status404", "FederationInformationNotFound", ErrorCategory.ObjectNotFound, "UnexpectedStatus", "Unexpected status code in response: 404")]
    [InlineData("SoapFault", "FederationInformationNotFound", ErrorCategory.ObjectNotFound, "Rejected", "SOAP fault")]
    [InlineData("WrongDomain", "FederationInformationNotFound", ErrorCategory.ObjectNotFound, "Rejected", "does not list the requested domain fabrikam.com")]
    [InlineData("MissingApplicationUri", "FederationInformationNotFound", ErrorCategory.ObjectNotFound, "Rejected", "no valid ApplicationUri")]
    [InlineData("Abort", "FederationInformationNotFound", ErrorCategory.ConnectionError, "ConnectionFailed", "POST")]
    public void ReportsAFaultWithItsIdCategoryAndTarget(string fault, string errorId, ErrorCategory category, string reason, string detail)
    {
        string faultId = _sandbox.AddFault(Fault(fault));
        Dictionary<string, object?> parameters = Parameters("Fabrikam.com");
        if (fault is "SlowHeaders" or "SlowBody") parameters["TimeoutSec"] = 1; // the sandbox takes 3 s

        (List<FederationInformation> output, List<ErrorRecord> errors) = _host.Invoke(parameters);

        Assert.Empty(output);
        ErrorRecord record = Assert.Single(errors);
        Assert.Equal(errorId + CmdletHost.ErrorIdSuffix, record.FullyQualifiedErrorId);
        Assert.Equal(category, record.CategoryInfo.Category);
        Assert.Equal("Fabrikam.com", record.TargetObject);
        Assert.StartsWith(ExchangeMessage, record.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(detail, record.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(record.Exception.Message, record.ErrorDetails?.Message);
        Assert.False(string.IsNullOrWhiteSpace(record.ErrorDetails?.RecommendedAction));
        // An external entity is refused, never expanded into the message (it points at a local file).
        Assert.DoesNotContain("root:", record.Exception.Message, StringComparison.Ordinal);

        var exception = Assert.IsType<FederationInformationException>(record.Exception);
        Assert.Equal("fabrikam.com", exception.DomainName);
        Assert.Equal(reason, exception.Reason);
        Assert.NotEmpty(exception.Attempts);
        Assert.All(exception.Attempts, a => Assert.StartsWith("POST http://127.0.0.1:", a, StringComparison.Ordinal));
        // The sandbox served the fault. An answer that never starts (slow headers, abort) is logged when its handler
        // ends, which can be just after the client has given up: wait for that event (SandboxState.Record).
        Assert.True(_sandbox.WaitUntil(() => _sandbox.State.RequestCount > 0, TimeSpan.FromSeconds(30)), "The sandbox logged no request.");
        Assert.Equal(faultId, _sandbox.State.Requests.First().Fault);
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
