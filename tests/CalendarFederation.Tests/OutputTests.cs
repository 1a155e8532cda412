using System.Management.Automation;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>What Get-FederationInformation outputs, and how it takes its input, against the in-process sandbox.</summary>
[Collection(SandboxCollection.Name)]
public sealed class OutputTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly CmdletHost _host = new();

    public OutputTests(SandboxFixture sandbox)
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

    [Fact]
    public void ReturnsFabrikamsFederationInformation()
    {
        _sandbox.State.LatencyMs = 100;
        (List<FederationInformation> output, List<ErrorRecord> errors) = _host.Invoke(Parameters("fabrikam.com"));

        Assert.Empty(errors);
        FederationInformation info = Assert.Single(output);
        string endpoint = _sandbox.AutodiscoverUri.AbsoluteUri;
        Assert.Equal("fabrikam.com", info.DomainName);
        Assert.Equal("fabrikam.com", info.Identity);
        Assert.Equal("outlook.com", info.TargetApplicationUri.OriginalString);
        Assert.False(info.TargetApplicationUri.IsAbsoluteUri);
        Assert.Equal(new[] { "fabrikam.com" }, info.DomainNames);
        Assert.Equal(endpoint + "/WSSecurity", info.TargetAutodiscoverEpr.AbsoluteUri);
        Assert.Equal(new[] { "urn:federation:MicrosoftOnline" }, info.TokenIssuerUris.Select(u => u.OriginalString));
        Assert.Equal(endpoint, info.AnsweredBy.AbsoluteUri);
        Assert.Equal("Explicit", info.AnsweredByCandidate);
        // Duration spans the whole exchange, so it cannot be shorter than the time the sandbox held the answer; the
        // sandbox holds it at least 100 ms by Stopwatch (tests/CalendarFederation.Sandbox/Faults/SandboxDelay.cs).
        Assert.True(info.Duration >= TimeSpan.FromMilliseconds(100), $"Duration {info.Duration} is shorter than the sandbox's 100 ms latency.");
        Assert.True(info.IsValid);
        Assert.Equal("Unchanged", info.ObjectState);
        Assert.Equal("Exchange2015", info.ServerVersion);
        Assert.Equal("fabrikam.com", info.ToString());

        var request = Assert.Single(_sandbox.State.Requests);
        Assert.Equal("fabrikam.com", request.Domain);
        Assert.Equal("AutodiscoverClient", request.UserAgent);
        Assert.Equal("\"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation\"", request.SoapAction);
        Assert.False(request.HasAuthorization || request.HasCookie || request.HasClientCertificate);
        Assert.Empty(_sandbox.State.Violations);
    }

    [Fact]
    public void ReportsTheEndpointAtTheEndOfARedirect()
    {
        _sandbox.AddFault(new FaultRule { Port = _sandbox.State.Ports[0], Redirect = "http://127.0.0.1:{port:2}/somewhere/else" });
        FederationInformation info = Assert.Single(_host.Invoke(Parameters("contoso.com")).Output);
        Assert.Equal(_sandbox.EndpointOnPort(2).AbsoluteUri, info.AnsweredBy.AbsoluteUri);
        Assert.Equal(_sandbox.EndpointOnPort(2).AbsoluteUri + "/WSSecurity", info.TargetAutodiscoverEpr.AbsoluteUri);
        Assert.Equal(new[] { _sandbox.State.Ports[0], _sandbox.State.Ports[2] }, _sandbox.State.Requests.Select(r => r.Port));
    }

    [Fact]
    public void BindsDomainNamesFromThePipelineByValue()
    {
        var parameters = new Dictionary<string, object?> { ["AutodiscoverUri"] = _sandbox.AutodiscoverUri };
        (List<FederationInformation> output, List<ErrorRecord> errors) = _host.Invoke(parameters, new object[] { "contoso.com", "fabrikam.co.uk" });
        Assert.Empty(errors);
        Assert.Equal(new[] { "contoso.com", "fabrikam.co.uk" }, output.Select(o => o.DomainName).OrderBy(d => d, StringComparer.Ordinal));
    }

    [Fact]
    public void BindsDomainNameFromThePipelineByPropertyName()
    {
        static PSObject WithDomainName(object value)
        {
            var o = new PSObject();
            o.Properties.Add(new PSNoteProperty("DomainName", value));
            o.Properties.Add(new PSNoteProperty("Other", "ignored"));
            return o;
        }

        var parameters = new Dictionary<string, object?> { ["AutodiscoverUri"] = _sandbox.AutodiscoverUri };
        (List<FederationInformation> output, List<ErrorRecord> errors) = _host.Invoke(parameters,
            new object[] { WithDomainName("sales.contoso.com"), WithDomainName(new[] { "fabrikam.com", "contoso.com" }) });
        Assert.Empty(errors);
        Assert.Equal(new[] { "contoso.com", "fabrikam.com", "sales.contoso.com" }, output.Select(o => o.DomainName).OrderBy(d => d, StringComparer.Ordinal));
        Assert.Equal(new[] { "contoso.com", "fabrikam.com", "sales.contoso.com" },
            _sandbox.State.Requests.Select(r => r.Domain!).OrderBy(d => d, StringComparer.Ordinal));
    }

    [Fact]
    public void BindsItsOwnOutputByPropertyName()
    {
        FederationInformation first = Assert.Single(_host.Invoke(Parameters("FABRIKAM.onmicrosoft.com")).Output);
        Assert.Equal("fabrikam.onmicrosoft.com", first.DomainName);
        Assert.Equal(new[] { "FABRIKAM.onmicrosoft.com" }, first.DomainNames);

        var parameters = new Dictionary<string, object?> { ["AutodiscoverUri"] = _sandbox.AutodiscoverUri };
        FederationInformation again = Assert.Single(_host.Invoke(parameters, new object[] { first }).Output);
        Assert.Equal("fabrikam.onmicrosoft.com", again.DomainName);
    }

    [Fact]
    public void KeepsEveryDomainOfAMixedList()
    {
        (List<FederationInformation> output, List<ErrorRecord> errors) =
            _host.Invoke(Parameters("contoso.com", "tailspintoys.com", "not a domain", "fabrikam.com"));
        Assert.Equal(new[] { "contoso.com", "fabrikam.com" }, output.Select(o => o.DomainName).OrderBy(d => d, StringComparer.Ordinal));
        Assert.Equal(new[] { "not a domain", "tailspintoys.com" }, errors.Select(e => (string)e.TargetObject).OrderBy(d => d, StringComparer.Ordinal));
    }
}
