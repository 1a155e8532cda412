using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Readiness;
using CalendarFederation.Engine.Tenants;
using Xunit;

namespace CalendarFederation.Engine.Tests.Readiness;

/// <summary>How the report reads Exchange's objects, and the partner tenant lookups it makes.</summary>
public sealed class ReadinessInventoryTests
{
    private static AdminObject Obj(params (string Key, object? Value)[] properties) =>
        new(properties.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList());

    [Theory]
    [InlineData(null, EwsSetting.NotSet)]
    [InlineData("", EwsSetting.NotSet)]
    [InlineData(true, EwsSetting.True)]
    [InlineData(false, EwsSetting.False)]
    [InlineData("False", EwsSetting.False)]
    public void EwsEnabled_reads_True_False_and_blank(object? value, EwsSetting expected) =>
        Assert.Equal(expected, TenantInventory.ParseEws(Obj(("Name", "org"), ("EwsEnabled", value))));

    [Fact]
    public void EwsEnabled_without_the_organization_config_is_Unknown() => Assert.Equal(EwsSetting.Unknown, TenantInventory.ParseEws(null));

    [Fact]
    public void A_relationship_is_read_with_its_levels_scopes_kind_and_other_features()
    {
        AdminObject o = Obj(("Name", "Fabrikam"), ("DomainNames", new object?[] { "fabrikam.com", " ", "FABRIKAM.com" }), ("Enabled", true),
            ("FreeBusyAccessEnabled", true), ("FreeBusyAccessLevel", "LimitedDetails"), ("FreeBusyAccessScope", "FreeBusyShared"),
            ("MailTipsAccessEnabled", "True"), ("MailTipsAccessLevel", 1), ("MailboxMoveEnabled", true), ("TargetApplicationUri", "outlook.com"));

        LegacyRelationship r = LegacyRelationship.From(o, new[] { "contoso.com" }, null);

        Assert.Equal(new[] { "fabrikam.com" }, r.Domains);
        Assert.Equal(FreeBusyAccessLevel.LimitedDetails, r.FreeBusyLevel);
        Assert.Equal("FreeBusyShared", r.FreeBusyScope);
        Assert.Equal(MailTipsAccessLevel.Limited, r.MailTipsLevel);
        Assert.Equal(PartnerKind.Microsoft365, r.Kind);
        Assert.Equal(new[] { "mailbox moves" }, r.OtherFeatures);
        Assert.True(r.InEffect);
        Assert.Equal("free/busy LimitedDetails for FreeBusyShared and MailTips Limited", r.Exposure.ToString());
    }

    [Fact]
    public void A_relationship_for_the_tenant_s_own_domains_is_hybrid() =>
        Assert.Equal(PartnerKind.Hybrid, LegacyRelationship.From(Obj(("Name", "O365 to On-premises - 1"), ("DomainNames", new object?[] { "contoso.com" })),
            new[] { "contoso.com" }, null).Kind);

    [Theory]
    [InlineData("fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing", "fabrikam.com", CalendarSharingAccessLevel.Detail, "ContactsSharing")]
    [InlineData("anonymous: CalendarSharingFreeBusyReviewer", "Anonymous", CalendarSharingAccessLevel.Reviewer, "")]
    [InlineData("*:CalendarSharingFreeBusySimple", "*", CalendarSharingAccessLevel.Simple, "")]
    [InlineData("litware.com:ContactsSharing", "litware.com", CalendarSharingAccessLevel.None, "ContactsSharing")]
    public void Sharing_rules_are_parsed_as_Exchange_shows_them(string text, string domain, CalendarSharingAccessLevel level, string others)
    {
        SharingRule rule = SharingRule.Parse(text)!;

        Assert.Equal(domain, rule.Domain);
        Assert.Equal(level, rule.CalendarLevel);
        Assert.Equal(others, string.Join(",", rule.OtherActions));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fabrikam.com")]
    [InlineData(":CalendarSharingFreeBusySimple")]
    public void Text_that_is_not_a_sharing_rule_is_ignored(string text) => Assert.Null(SharingRule.Parse(text));

    [Fact]
    public void Mailboxes_count_for_their_own_policy_and_blank_for_the_default()
    {
        LegacySharingPolicy defaults = LegacySharingPolicy.From(Obj(("Name", "Default Sharing Policy"), ("Default", true), ("Domains", new object?[] { "*:CalendarSharingFreeBusySimple" })));
        LegacySharingPolicy partners = LegacySharingPolicy.From(Obj(("Name", "Partners"), ("Guid", "0c7a1f0e-6d34-4c55-9a61-58d0f2f6b0aa"), ("Enabled", true),
            ("Domains", "fabrikam.com:CalendarSharingFreeBusyDetail")));
        AdminObject[] mailboxes =
        {
            Obj(("SharingPolicy", null)), Obj(("SharingPolicy", "")), Obj(("SharingPolicy", "Default Sharing Policy")),
            Obj(("SharingPolicy", "partners")), Obj(("SharingPolicy", "0c7a1f0e-6d34-4c55-9a61-58d0f2f6b0aa")), Obj(("SharingPolicy", "Gone")),
        };

        TenantInventory.CountMailboxes(new[] { defaults, partners }, mailboxes);

        Assert.Equal(3, defaults.Mailboxes);
        Assert.Equal(2, partners.Mailboxes);
        Assert.True(partners.IsCandidate);
        Assert.Equal(CalendarSharingAccessLevel.Detail, Assert.Single(partners.Rules).CalendarLevel);
    }

    [Fact]
    public async Task Lookups_that_fail_come_back_with_the_reason_and_a_consumer_domain_has_no_tenant()
    {
        var lookup = new PartnerDomainLookup((domain, _) => domain switch
        {
            "outlook.com" => Task.FromResult(new PartnerTenant(domain, PartnerTenantResolver.MicrosoftAccountTenantId, "i", new Uri("https://login.example/"), null, null, null, null)),
            _ => throw new EngineException(ErrorIds.PartnerTenantLookupFailed, ErrorKind.ConnectionError, "The lookup failed.", domain),
        });

        IReadOnlyDictionary<string, DomainLookup> found = await lookup.LookupAllAsync(new[] { "outlook.com", "down.example", "not a domain", "DOWN.example" },
            NullEngineEvents.Instance, CancellationToken.None);

        Assert.True(found["outlook.com"].NoTenant);
        Assert.Equal(ErrorIds.PartnerTenantIsConsumer, found["outlook.com"].ErrorId);
        Assert.False(found["down.example"].NoTenant);
        Assert.Equal("The lookup failed", found["down.example"].Problem);
        Assert.Equal(ErrorIds.InvalidDomainName, found["not a domain"].ErrorId);
        Assert.Equal(2, lookup.Lookups);
    }
}
