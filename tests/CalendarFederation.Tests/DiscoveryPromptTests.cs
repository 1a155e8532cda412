using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Commands;
using CalendarFederation.Sandbox.Faults;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// The question Get-FederationInformation asks about an untrusted host, through a host that records each PromptForChoice and
/// answers as told (by default: Enter, the default choice). sales.fabrikam.invalid's endpoint redirects to its parent domain's
/// host, which needs the admin's trust; .invalid never resolves (RFC 2606), so a Yes reaches nothing off this machine.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class DiscoveryPromptTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly ChoiceHost _host = new();
    private readonly Runspace _runspace;

    public DiscoveryPromptTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _sandbox.Reset();
        foreach (string partner in new[] { "fabrikam", "contoso" })
        {
            _sandbox.AddFault(new FaultRule { Domain = $"sales.{partner}.invalid", Redirect = $"https://autodiscover.{partner}.invalid/autodiscover/autodiscover.svc" });
        }
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry(CmdletHost.CmdletName, typeof(GetFederationInformationCommand), null));
        _runspace = RunspaceFactory.CreateRunspace(_host, iss);
        _runspace.Open();
    }

    public void Dispose() => _runspace.Dispose();

    private List<ErrorRecord> Discover(bool force = false, params string[] domains)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(CmdletHost.CmdletName).AddParameter("DomainName", domains.Length == 0 ? new[] { "sales.fabrikam.invalid" } : domains)
            .AddParameter("AutodiscoverUri", _sandbox.AutodiscoverUri).AddParameter("ThrottleLimit", 1);
        if (force) ps.AddParameter("Force");
        Assert.Empty(ps.Invoke());
        return ps.Streams.Error.ToList();
    }

    private static bool Asked(ErrorRecord e, string host) =>
        ((FederationInformationException)e.Exception).Attempts.Any(a => a.StartsWith($"POST https://{host}/", StringComparison.Ordinal));

    [Fact]
    public void The_trust_prompt_defaults_to_No()
    {
        ErrorRecord error = Assert.Single(Discover());

        Prompt prompt = Assert.Single(_host.Prompts);
        Assert.Equal("Untrusted host name", prompt.Caption);
        Assert.Contains("a parent domain of sales.fabrikam.invalid. If you trust host name autodiscover.fabrikam.invalid", prompt.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "&Yes", "Yes to &All", "&No", "No to A&ll" }, prompt.Labels);
        // Enter answers the default: it must be No, so that trusting a stranger takes a deliberate answer.
        Assert.Equal("&No", prompt.Labels[prompt.DefaultChoice]);
        Assert.Equal("UntrustedRedirect" + CmdletHost.ErrorIdSuffix, error.FullyQualifiedErrorId);
        Assert.False(Asked(error, "autodiscover.fabrikam.invalid"));
    }

    [Fact]
    public void Yes_goes_on_at_the_alternate_in_the_same_call()
    {
        _host.Answer = (_, _) => 0;
        ErrorRecord error = Assert.Single(Discover());
        Assert.Single(_host.Prompts);
        // The approved host was asked (and, being .invalid, could not be resolved).
        Assert.True(Asked(error, "autodiscover.fabrikam.invalid"));
        Assert.Equal("FederationInformationNotFound" + CmdletHost.ErrorIdSuffix, error.FullyQualifiedErrorId);
        Assert.Contains("could not be resolved", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yes_to_all_covers_the_hosts_of_the_other_domains()
    {
        _host.Answer = (_, _) => 1;
        List<ErrorRecord> errors = Discover(false, "sales.fabrikam.invalid", "sales.contoso.invalid");
        Assert.Single(_host.Prompts);
        Assert.Equal(2, errors.Count);
        Assert.True(Asked(errors.Single(e => (string)e.TargetObject == "sales.fabrikam.invalid"), "autodiscover.fabrikam.invalid"));
        Assert.True(Asked(errors.Single(e => (string)e.TargetObject == "sales.contoso.invalid"), "autodiscover.contoso.invalid"));
    }

    [Fact]
    public void No_to_all_refuses_the_hosts_of_the_other_domains_without_asking()
    {
        _host.Answer = (_, _) => 3;
        List<ErrorRecord> errors = Discover(false, "sales.fabrikam.invalid", "sales.contoso.invalid");
        Assert.Single(_host.Prompts);
        Assert.All(errors, e => Assert.Equal("UntrustedRedirect" + CmdletHost.ErrorIdSuffix, e.FullyQualifiedErrorId));
    }

    [Fact]
    public void Force_asks_nothing_and_still_refuses_the_untrusted_host()
    {
        _host.Answer = (_, _) => 0;
        ErrorRecord error = Assert.Single(Discover(force: true));
        Assert.Empty(_host.Prompts);
        Assert.Equal("UntrustedRedirect" + CmdletHost.ErrorIdSuffix, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.False(Asked(error, "autodiscover.fabrikam.invalid"));
        Assert.Contains("'autodiscover.fabrikam.invalid', add it to -TrustedHostnames", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_listed_in_trusted_hostnames_is_not_asked_about()
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand(CmdletHost.CmdletName).AddParameter("DomainName", "sales.fabrikam.invalid").AddParameter("AutodiscoverUri", _sandbox.AutodiscoverUri)
            .AddParameter("TrustedHostnames", new[] { "*.fabrikam.invalid" });
        ps.Invoke();
        Assert.Empty(_host.Prompts);
        Assert.True(Asked(Assert.Single(ps.Streams.Error), "autodiscover.fabrikam.invalid"));
    }
}
