using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>
/// Issue 14 §6: no question the module asks defaults to Yes. Get-FederationInformation's trust question is covered by
/// DiscoveryPromptTests; this is Set-OrganizationRelationship's enable/disable question, against the sandbox's admin API.
/// </summary>
[Collection(SignInCollection.Name)]
public sealed class ConfirmationDefaultTests : IDisposable
{
    private readonly ChoiceHost _host = new();
    private readonly Runspace _runspace;

    public ConfirmationDefaultTests(SignInFixture fixture)
    {
        fixture.Reset();
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    public void Dispose() => _runspace.Dispose();

    private PSDataStreams Run(string script, out List<PSObject> output)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        output = ps.Invoke().ToList();
        return ps.Streams;
    }

    [Fact]
    public void Disabling_a_relationship_asks_with_No_as_the_default()
    {
        Assert.Empty(Run("$s = ConvertTo-SecureString 'contoso-sandbox-secret' -AsPlainText -Force; " +
            "Connect-CalendarFederation -AppId 'c0a5e000-0000-4000-8000-000000000001' -Organization contoso.onmicrosoft.com -ClientSecret $s " +
            $"-ExchangeEnvironmentName {SignInFixture.EnvironmentName} -WarningAction SilentlyContinue", out _).Error);
        Assert.Empty(Run("New-OrganizationRelationship -Name Partner -DomainNames fabrikam.com -TargetApplicationUri outlook.com " +
            "-TargetAutodiscoverEpr https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity -Confirm:$false -WarningAction SilentlyContinue", out _).Error);
        _host.Prompts.Clear();

        // Enter: the default answer.
        Assert.Empty(Run("Set-OrganizationRelationship -Identity Partner -Enabled $false -Confirm:$false", out _).Error);

        Prompt prompt = Assert.Single(_host.Prompts);
        Assert.Contains("disable", prompt.Message, StringComparison.Ordinal);
        Assert.Equal("&No", prompt.Labels[prompt.DefaultChoice]);
        Run("(Get-OrganizationRelationship -Identity Partner).Enabled", out List<PSObject> enabled);
        Assert.True((bool)Assert.Single(enabled).BaseObject);
    }
}
