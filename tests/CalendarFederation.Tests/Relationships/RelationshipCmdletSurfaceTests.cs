using System.Management.Automation;
using System.Reflection;
using CalendarFederation.Commands;
using Xunit;

namespace CalendarFederation.Tests.Relationships;

/// <summary>
/// The public surface of the relationship cmdlets against Exchange's (docs/protocol.md §3.1-§3.3): parameter names,
/// types, positions, pipeline binding, ShouldProcess, ConfirmImpact and output types. A change here is a change to
/// the public surface: review it against docs/protocol.md §3, then update the expectation.
/// </summary>
public sealed class RelationshipCmdletSurfaceTests
{
    private static readonly Type New = typeof(NewOrganizationRelationshipCommand);
    private static readonly Type Set = typeof(SetOrganizationRelationshipCommand);
    private static readonly Type Get = typeof(GetOrganizationRelationshipCommand);
    private static readonly Type Remove = typeof(RemoveOrganizationRelationshipCommand);
    private static readonly Type Enable = typeof(EnableOrganizationCustomizationCommand);

    /// <summary>Every New-OrganizationRelationship option in docs/protocol.md §3.1, with the .NET type Exchange's value maps to.</summary>
    private static readonly (string Name, Type Type)[] ExchangeOptions =
    {
        ("Enabled", typeof(bool)),
        ("FreeBusyAccessEnabled", typeof(bool)),
        ("FreeBusyAccessLevel", typeof(FreeBusyAccessLevel)),
        ("FreeBusyAccessScope", typeof(string)),
        ("MailTipsAccessEnabled", typeof(bool)),
        ("MailTipsAccessLevel", typeof(MailTipsAccessLevel)),
        ("MailTipsAccessScope", typeof(string)),
        ("DeliveryReportEnabled", typeof(bool)),
        ("ArchiveAccessEnabled", typeof(bool)),
        ("PhotosEnabled", typeof(bool)),
        ("MailboxMoveEnabled", typeof(bool)),
        ("MailboxMoveCapability", typeof(MailboxMoveCapability)),
        ("MailboxMovePublishedScopes", typeof(string[])),
        ("OAuthApplicationId", typeof(string)),
        ("OrganizationContact", typeof(string)),
        ("TargetApplicationUri", typeof(Uri)),
        ("TargetAutodiscoverEpr", typeof(Uri)),
        ("TargetOwaURL", typeof(Uri)),
        ("TargetSharingEpr", typeof(Uri)),
    };

    [Theory]
    [InlineData(typeof(NewOrganizationRelationshipCommand), "New", "OrganizationRelationship")]
    [InlineData(typeof(GetOrganizationRelationshipCommand), "Get", "OrganizationRelationship")]
    [InlineData(typeof(SetOrganizationRelationshipCommand), "Set", "OrganizationRelationship")]
    [InlineData(typeof(RemoveOrganizationRelationshipCommand), "Remove", "OrganizationRelationship")]
    [InlineData(typeof(EnableOrganizationCustomizationCommand), "Enable", "OrganizationCustomization")]
    public void Cmdlets_have_exchanges_names(Type cmdlet, string verb, string noun)
    {
        CmdletAttribute attribute = Assert.Single(cmdlet.GetCustomAttributes<CmdletAttribute>());
        Assert.Equal(verb, attribute.VerbName);
        Assert.Equal(noun, attribute.NounName);
        Assert.True(cmdlet.IsSealed);
        Assert.True(typeof(PSCmdlet).IsAssignableFrom(cmdlet));
    }

    [Fact]
    public void New_has_every_parameter_of_exchange_with_its_type()
    {
        var metadata = new CommandMetadata(New);
        Assert.Equal(typeof(string), metadata.Parameters["Name"].ParameterType);
        Assert.Equal(typeof(string[]), metadata.Parameters["DomainNames"].ParameterType);
        foreach ((string name, Type type) in ExchangeOptions)
        {
            Assert.True(metadata.Parameters.ContainsKey(name), $"New-OrganizationRelationship has no -{name}.");
            Assert.Equal(type, metadata.Parameters[name].ParameterType);
            Assert.Equal(name, metadata.Parameters[name].Name); // Exchange's spelling, e.g. TargetOwaURL
        }
        // Exchange's parameters, plus the module's -Connection and nothing else.
        Assert.Equal(ExchangeOptions.Select(o => o.Name).Concat(new[] { "Name", "DomainNames", "Connection" }).OrderBy(n => n, StringComparer.Ordinal),
            metadata.Parameters.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Set_takes_every_new_parameter_plus_identity_name_force_and_passthru()
    {
        var metadata = new CommandMetadata(Set);
        foreach ((string name, Type type) in ExchangeOptions)
        {
            Assert.True(metadata.Parameters.ContainsKey(name), $"Set-OrganizationRelationship has no -{name}.");
            Assert.Equal(type, metadata.Parameters[name].ParameterType);
        }
        Assert.Equal(typeof(string), metadata.Parameters["Identity"].ParameterType);
        Assert.Equal(typeof(string), metadata.Parameters["Name"].ParameterType);
        Assert.Equal(typeof(SwitchParameter), metadata.Parameters["Force"].ParameterType);
        Assert.Equal(typeof(SwitchParameter), metadata.Parameters["PassThru"].ParameterType);
        // A list replaces, @{Add=...; Remove=...} changes: the type must take both.
        Assert.Equal(typeof(object), metadata.Parameters["DomainNames"].ParameterType);
        Assert.Equal(ExchangeOptions.Select(o => o.Name).Concat(new[] { "Identity", "Organization", "Name", "DomainNames", "Force", "PassThru", "Connection" }).OrderBy(n => n, StringComparer.Ordinal),
            metadata.Parameters.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Enum_values_are_exchanges_names_and_numbers()
    {
        Assert.Equal(new[] { "None", "AvailabilityOnly", "LimitedDetails" }, Enum.GetNames(typeof(FreeBusyAccessLevel)));
        Assert.Equal(new[] { 0, 1, 2 }, Enum.GetValues(typeof(FreeBusyAccessLevel)).Cast<object>().Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(new[] { "None", "Limited", "All" }, Enum.GetNames(typeof(MailTipsAccessLevel)));
        Assert.Equal(new[] { "None", "Inbound", "Outbound", "RemoteInbound", "RemoteOutbound" }, Enum.GetNames(typeof(MailboxMoveCapability)));
    }

    [Fact]
    public void New_defaults_are_exchanges()
    {
        var cmdlet = new NewOrganizationRelationshipCommand();
        Assert.True(cmdlet.Enabled);
        Assert.False(cmdlet.FreeBusyAccessEnabled);
        Assert.Equal(FreeBusyAccessLevel.None, cmdlet.FreeBusyAccessLevel);
        Assert.Null(cmdlet.FreeBusyAccessScope);
        Assert.False(cmdlet.MailTipsAccessEnabled);
        Assert.Equal(MailTipsAccessLevel.None, cmdlet.MailTipsAccessLevel);
        Assert.False(cmdlet.DeliveryReportEnabled);
        Assert.False(cmdlet.ArchiveAccessEnabled);
        Assert.False(cmdlet.PhotosEnabled);
        Assert.False(cmdlet.MailboxMoveEnabled);
        Assert.Equal(MailboxMoveCapability.None, cmdlet.MailboxMoveCapability);
        Assert.Null(cmdlet.TargetApplicationUri);
    }

    [Fact]
    public void Name_and_domain_names_are_mandatory_and_name_is_the_first_position()
    {
        var metadata = new CommandMetadata(New);
        ParameterSetMetadata name = Assert.Single(metadata.Parameters["Name"].ParameterSets.Values);
        Assert.True(name.IsMandatory);
        Assert.Equal(0, name.Position);
        ParameterSetMetadata domains = Assert.Single(metadata.Parameters["DomainNames"].ParameterSets.Values);
        Assert.True(domains.IsMandatory);
        Assert.Equal(int.MinValue, domains.Position);
        foreach ((string option, _) in ExchangeOptions)
        {
            ParameterSetMetadata o = Assert.Single(metadata.Parameters[option].ParameterSets.Values);
            Assert.False(o.IsMandatory, option);
            Assert.Equal(int.MinValue, o.Position);
        }
    }

    [Fact]
    public void New_binds_only_domain_names_and_the_target_uris_by_property_name()
    {
        Assert.Equal(new[] { "DomainNames", "TargetApplicationUri", "TargetAutodiscoverEpr", "TargetOwaURL" }, PipelineParameters(New, byValue: false));
        Assert.Empty(PipelineParameters(New, byValue: true));
    }

    [Theory]
    [InlineData(typeof(SetOrganizationRelationshipCommand), true)]
    [InlineData(typeof(RemoveOrganizationRelationshipCommand), true)]
    [InlineData(typeof(GetOrganizationRelationshipCommand), false)]
    public void Set_remove_and_get_take_only_identity_from_the_pipeline(Type cmdlet, bool mandatory)
    {
        // Set and Remove also take the relationship's Organization, so a piped relationship is never changed through another tenant's connection.
        string[] byName = cmdlet == typeof(GetOrganizationRelationshipCommand) ? new[] { "Identity" } : new[] { "Identity", "Organization" };
        Assert.Equal(byName, PipelineParameters(cmdlet, byValue: false));
        Assert.Equal(new[] { "Identity" }, PipelineParameters(cmdlet, byValue: true));
        var metadata = new CommandMetadata(cmdlet);
        ParameterSetMetadata identity = Assert.Single(metadata.Parameters["Identity"].ParameterSets.Values);
        Assert.Equal(mandatory, identity.IsMandatory);
        Assert.Equal(0, identity.Position);
        Assert.Equal(typeof(string), metadata.Parameters["Identity"].ParameterType);
        Assert.Contains(metadata.Parameters["Identity"].Attributes, a => a is ArgumentCompleterAttribute c && c.Type == typeof(Completion.RelationshipCompleter));
    }

    [Fact]
    public void Get_has_only_identity_and_connection()
    {
        Assert.Equal(new[] { "Connection", "Identity" }, new CommandMetadata(Get).Parameters.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { "Connection", "Identity", "Organization" }, new CommandMetadata(Remove).Parameters.Keys.OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(new[] { "Connection" }, new CommandMetadata(Enable).Parameters.Keys);
    }

    [Theory]
    [InlineData(typeof(NewOrganizationRelationshipCommand), true, ConfirmImpact.Medium)]
    [InlineData(typeof(SetOrganizationRelationshipCommand), true, ConfirmImpact.Medium)]
    [InlineData(typeof(RemoveOrganizationRelationshipCommand), true, ConfirmImpact.High)]
    [InlineData(typeof(EnableOrganizationCustomizationCommand), true, ConfirmImpact.Medium)]
    [InlineData(typeof(GetOrganizationRelationshipCommand), false, ConfirmImpact.Medium)]
    public void Writes_support_should_process_and_remove_confirms_by_default(Type cmdlet, bool supportsShouldProcess, ConfirmImpact impact)
    {
        var metadata = new CommandMetadata(cmdlet);
        Assert.Equal(supportsShouldProcess, metadata.SupportsShouldProcess);
        if (supportsShouldProcess) Assert.Equal(impact, metadata.ConfirmImpact);
        // Remove asks at the default $ConfirmPreference (High); the others do not.
        Assert.Equal(impact == ConfirmImpact.High, supportsShouldProcess && metadata.ConfirmImpact >= ConfirmImpact.High);
    }

    [Theory]
    [InlineData(typeof(NewOrganizationRelationshipCommand), typeof(OrganizationRelationship))]
    [InlineData(typeof(GetOrganizationRelationshipCommand), typeof(OrganizationRelationship))]
    [InlineData(typeof(SetOrganizationRelationshipCommand), typeof(OrganizationRelationship))]
    [InlineData(typeof(RemoveOrganizationRelationshipCommand), typeof(void))]
    [InlineData(typeof(EnableOrganizationCustomizationCommand), typeof(void))]
    public void Declares_its_output_type(Type cmdlet, Type output)
    {
        OutputTypeAttribute attribute = Assert.Single(cmdlet.GetCustomAttributes<OutputTypeAttribute>());
        Assert.Equal(output, Assert.Single(attribute.Type).Type);
    }

    [Fact]
    public void Get_command_in_a_runspace_reports_the_output_types()
    {
        using var runspace = SignIn.SignInFixture.OpenRunspace(null);
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        var info = (CmdletInfo)ps.AddCommand("Get-Command").AddArgument("Get-OrganizationRelationship").Invoke()[0].BaseObject;
        Assert.Equal(typeof(OrganizationRelationship), Assert.Single(info.OutputType).Type);
        ps.Commands.Clear();
        var remove = (CmdletInfo)ps.AddCommand("Get-Command").AddArgument("Remove-OrganizationRelationship").Invoke()[0].BaseObject;
        Assert.Contains(remove.Parameters.Keys, k => k == "WhatIf");
        Assert.Contains(remove.Parameters.Keys, k => k == "Confirm");
    }

    [Fact]
    public void Every_relationship_parameter_has_no_alias_that_hides_exchanges_name()
    {
        foreach (Type cmdlet in new[] { New, Set, Get, Remove, Enable })
        {
            foreach (ParameterMetadata p in new CommandMetadata(cmdlet).Parameters.Values)
            {
                Assert.Empty(p.Aliases);
            }
        }
    }

    private static string[] PipelineParameters(Type cmdlet, bool byValue) =>
        new CommandMetadata(cmdlet).Parameters.Values
            .Where(p => p.ParameterSets.Values.Any(s => byValue ? s.ValueFromPipeline : s.ValueFromPipelineByPropertyName))
            .Select(p => p.Name)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
}
