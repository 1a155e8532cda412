using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Infrastructure;
using CalendarFederation.Tests.SignIn;
using Xunit;

namespace CalendarFederation.Tests.Relationships;

/// <summary>
/// New-OrganizationRelationship in a hosted runspace, with -WhatIf and no connection: what binds from the pipeline by
/// property name, and the checks made before anything is sent. A command that tried to reach a tenant here would stop
/// with AuthenticationRequired, so these also show that nothing is sent.
/// </summary>
public sealed class RelationshipPipelineBindingTests : IDisposable
{
    private const string NewId = ",CalendarFederation.Commands.NewOrganizationRelationshipCommand";
    private readonly TestPSHost _host = new();
    private readonly Runspace _runspace;

    public RelationshipPipelineBindingTests()
    {
        _runspace = SignInFixture.OpenRunspace(_host);
    }

    public void Dispose() => _runspace.Dispose();

    private (Collection<PSObject> Output, List<ErrorRecord> Errors, List<string> Warnings) Run(string script)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        Collection<PSObject> output = ps.Invoke();
        return (output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList());
    }

    private static FederationInformation Fabrikam(params string[] domains) => new(
        "fabrikam.com", new Uri("outlook.com", UriKind.RelativeOrAbsolute), domains.Length == 0 ? new[] { "fabrikam.com" } : domains,
        new Uri("https://autodiscover.fabrikam.com/autodiscover/autodiscover.svc/WSSecurity"),
        new[] { new Uri("urn:federation:MicrosoftOnline") }, new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc"),
        "Cloud", TimeSpan.FromMilliseconds(10), "Exchange2015");

    [Fact]
    public void Federation_information_binds_domain_names_and_both_targets_by_property_name()
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand("New-OrganizationRelationship").AddParameter("Name", "Fabrikam").AddParameter("WhatIf");
        ps.Invoke(new[] { Fabrikam("fabrikam.com", "fabrikam.onmicrosoft.com") });

        Assert.Empty(ps.Streams.Error);
        Assert.Contains("Creating organization relationship \"Fabrikam\" with domains \"fabrikam.com, fabrikam.onmicrosoft.com\".", _host.Written);
        // TargetApplicationUri and TargetAutodiscoverEpr came from the pipeline: no advice to set them.
        Assert.DoesNotContain(ps.Streams.Warning, w => w.Message.Contains("TargetApplicationUri", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_domain_from_the_pipeline_is_refused_before_anything_is_sent()
    {
        var (_, errors, _) = Run("[pscustomobject]@{ DomainNames = @('fabrikam.com', 'not a domain') } | New-OrganizationRelationship -Name Fabrikam -WhatIf");
        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("InvalidDomainName" + NewId, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("not a domain", error.TargetObject);
        Assert.DoesNotContain("What if", _host.Written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TargetAutodiscoverEpr")]
    [InlineData("TargetOwaURL")]
    public void A_relative_target_from_the_pipeline_is_refused(string property)
    {
        var (_, errors, _) = Run($"[pscustomobject]@{{ DomainNames = 'fabrikam.com'; {property} = 'autodiscover/autodiscover.svc' }} | New-OrganizationRelationship -Name Fabrikam -WhatIf");
        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("InvalidTargetUri" + NewId, error.FullyQualifiedErrorId);
        Assert.StartsWith("-" + property + " must be an absolute URI", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("autodiscover/autodiscover.svc", ((Uri)error.TargetObject).OriginalString);
    }

    [Fact]
    public void A_relative_target_application_uri_is_allowed()
    {
        var (_, errors, warnings) = Run("New-OrganizationRelationship -Name Fabrikam -DomainNames fabrikam.com -TargetApplicationUri outlook.com " +
            "-TargetAutodiscoverEpr https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity -WhatIf");
        Assert.Empty(errors);
        Assert.DoesNotContain(warnings, w => w.Contains("TargetApplicationUri", StringComparison.Ordinal));
    }

    [Fact]
    public void Name_and_target_sharing_epr_do_not_bind_from_the_pipeline()
    {
        // A relative TargetSharingEpr would be refused if it bound; Name comes from -Name, not the object.
        var (_, errors, warnings) = Run("[pscustomobject]@{ Name = 'FromPipeline'; DomainNames = 'fabrikam.com'; TargetSharingEpr = 'relative/ews' } | " +
            "New-OrganizationRelationship -Name Given -WhatIf");
        Assert.Empty(errors);
        Assert.Contains("Creating organization relationship \"Given\" with domains \"fabrikam.com\".", _host.Written);
        Assert.Contains(warnings, w => w.Contains("your users cannot ask the partner", StringComparison.Ordinal));
    }

    [Fact]
    public void A_name_over_64_characters_is_refused_before_anything_else()
    {
        string name = new('n', 65);
        var (_, errors, _) = Run($"New-OrganizationRelationship -Name {name} -DomainNames 'not a domain' -WhatIf");
        ErrorRecord error = Assert.Single(errors);
        Assert.Equal("OrganizationRelationshipNameTooLong" + NewId, error.FullyQualifiedErrorId);
        Assert.Contains("65 characters", error.Exception.Message, StringComparison.Ordinal);
        var (_, ok, _) = Run($"New-OrganizationRelationship -Name {new string('n', 64)} -DomainNames fabrikam.com -WhatIf");
        Assert.Empty(ok);
    }

    [Fact]
    public void Duplicate_domains_are_sent_once()
    {
        Run("New-OrganizationRelationship -Name Fabrikam -DomainNames fabrikam.com, FABRIKAM.com, fabrikam.com. -WhatIf");
        Assert.Contains("with domains \"fabrikam.com\".", _host.Written, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_whatif_and_without_a_connection_it_stops_with_authentication_required()
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddCommand("New-OrganizationRelationship").AddParameter("Name", "Fabrikam").AddParameter("DomainNames", new[] { "fabrikam.com" })
            .AddParameter("WarningAction", ActionPreference.SilentlyContinue);
        var ex = Assert.ThrowsAny<RuntimeException>(() => ps.Invoke());
        Assert.Equal("AuthenticationRequired" + NewId, ex.ErrorRecord.FullyQualifiedErrorId);
    }

    [Fact]
    public void Settings_are_read_from_the_bound_parameters_in_exchanges_names_and_order()
    {
        var bound = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["TargetSharingEpr"] = new Uri("https://outlook.office365.com/EWS/Exchange.asmx"),
            ["TargetApplicationUri"] = new Uri("outlook.com", UriKind.RelativeOrAbsolute),
            ["FreeBusyAccessLevel"] = PSObject.AsPSObject(FreeBusyAccessLevel.LimitedDetails),
            ["MailboxMoveCapability"] = MailboxMoveCapability.RemoteOutbound,
            ["MailboxMovePublishedScopes"] = new[] { "A", "B" },
            ["Enabled"] = false,
            ["FreeBusyAccessScope"] = null,
            ["Name"] = "not a setting",
            ["Identity"] = "not a setting",
            ["Force"] = new SwitchParameter(true),
        };
        List<KeyValuePair<string, object?>> settings = RelationshipSettings.FromBound(bound);
        Assert.Equal(new[] { "Enabled", "FreeBusyAccessLevel", "FreeBusyAccessScope", "MailboxMoveCapability", "MailboxMovePublishedScopes", "TargetApplicationUri", "TargetSharingEpr" },
            settings.Select(s => s.Key));
        Assert.Equal(false, settings[0].Value);
        Assert.Equal("LimitedDetails", settings[1].Value);
        Assert.Null(settings[2].Value);
        Assert.Equal("RemoteOutbound", settings[3].Value);
        Assert.Equal(new[] { "A", "B" }, (string[])settings[4].Value!);
        Assert.Equal("outlook.com", settings[5].Value);
        Assert.Equal("https://outlook.office365.com/EWS/Exchange.asmx", settings[6].Value);
        Assert.Equal(RelationshipSettings.Names.OrderBy(n => n), new[]
        {
            "ArchiveAccessEnabled", "DeliveryReportEnabled", "Enabled", "FreeBusyAccessEnabled", "FreeBusyAccessLevel", "FreeBusyAccessScope",
            "MailboxMoveCapability", "MailboxMoveEnabled", "MailboxMovePublishedScopes", "MailTipsAccessEnabled", "MailTipsAccessLevel", "MailTipsAccessScope",
            "OAuthApplicationId", "OrganizationContact", "PhotosEnabled", "TargetApplicationUri", "TargetAutodiscoverEpr", "TargetOwaURL", "TargetSharingEpr",
        }.OrderBy(n => n));
    }
}
