using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Migration;
using Xunit;

namespace CalendarFederation.Engine.Tests.Migration;

/// <summary>The mapping table of docs/cross-tenant-access.md §1.3, the read-back check, and reading other legacy sharing: pure functions.</summary>
public sealed class MigrationMappingTests
{
    private static LegacyRelationship Relationship(bool freeBusyEnabled, string freeBusy, string? freeBusyScope, bool mailTipsEnabled, string mailTips, string? mailTipsScope) =>
        new FakeExchange("contoso.onmicrosoft.com").Relationship("Fabrikam", new[] { "FABRIKAM.com", "fabrikam.com." }, freeBusyEnabled: freeBusyEnabled, freeBusy: freeBusy,
            freeBusyScope: freeBusyScope, mailTipsEnabled: mailTipsEnabled, mailTips: mailTips, mailTipsScope: mailTipsScope)
            .GetRelationshipAsync("Fabrikam", NullEngineEvents.Instance, CancellationToken.None).Result!;

    [Theory]
    [InlineData(true, "AvailabilityOnly", FreeBusyAccessLevel.AvailabilityOnly, M365CapabilityNames.CalendarAvailabilityBasic)]
    [InlineData(true, "LimitedDetails", FreeBusyAccessLevel.LimitedDetails, M365CapabilityNames.CalendarAvailabilityLimitedDetails)]
    [InlineData(true, "None", FreeBusyAccessLevel.None, null)]
    [InlineData(false, "LimitedDetails", FreeBusyAccessLevel.None, null)]
    [InlineData(true, "SomethingNew", FreeBusyAccessLevel.None, null)]
    public void Free_busy_maps_to_one_availability_capability(bool enabled, string level, FreeBusyAccessLevel expected, string? capability)
    {
        PartnerAccessRequest request = MigrationDecisions.RequestFor(Relationship(enabled, level, "Visible", false, "All", null), Ids.Fabrikam, ExistingTrustHandling.Refuse);
        Assert.Equal(expected, request.FreeBusy);
        Assert.Equal(capability, request.FreeBusy is FreeBusyAccessLevel l && l != FreeBusyAccessLevel.None ? M365CapabilityNames.For(l) : null);
        // A scope only goes with a level that shares.
        Assert.Equal(expected == FreeBusyAccessLevel.None ? null : new[] { "Visible" }, request.FreeBusyScope);
        Assert.Equal(MailTipsAccessLevel.None, request.MailTips);
        Assert.Null(request.MailTipsScope);
    }

    [Theory]
    [InlineData(true, "Limited", MailTipsAccessLevel.Limited, M365CapabilityNames.MailTipsLimited)]
    [InlineData(true, "All", MailTipsAccessLevel.All, M365CapabilityNames.MailTipsAll)]
    [InlineData(false, "All", MailTipsAccessLevel.None, null)]
    public void MailTips_map_with_their_scope(bool enabled, string level, MailTipsAccessLevel expected, string? capability)
    {
        PartnerAccessRequest request = MigrationDecisions.RequestFor(Relationship(false, "None", null, enabled, level, "Tips"), Ids.Fabrikam, ExistingTrustHandling.Replace);
        Assert.Equal(expected, request.MailTips);
        Assert.Equal(capability, request.MailTips is MailTipsAccessLevel l && l != MailTipsAccessLevel.None ? M365CapabilityNames.For(l) : null);
        Assert.Equal(expected == MailTipsAccessLevel.None ? null : new[] { "Tips" }, request.MailTipsScope);
        Assert.Equal(ExistingTrustHandling.Replace, request.ExistingTrust);
        Assert.Equal(Ids.Fabrikam, request.PartnerTenantId);
    }

    [Fact]
    public void Domains_are_normalised_once_each()
    {
        LegacyRelationship r = Relationship(true, "AvailabilityOnly", null, false, "None", null);
        Assert.Equal(new[] { "fabrikam.com" }, r.DomainNames);
        Assert.True(r.Covers("Fabrikam.COM"));
    }

    private static PartnerAccessState State(params M365Capability[] capabilities) =>
        new(Ids.Fabrikam, new PartnerConfiguration(Ids.Fabrikam, CollaborationTrust.AllUsersAllowed), capabilities);

    private static M365Capability Capability(string name, bool allowed, ResourceScopes scopes) => new(name, null, new InboundAccess(allowed, scopes), null);

    [Fact]
    public void The_read_back_must_give_exactly_the_relationships_levels_and_scopes()
    {
        var request = new PartnerAccessRequest(Ids.Fabrikam) { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly, FreeBusyScope = new[] { "Visible" }, MailTips = MailTipsAccessLevel.None };
        var groups = new[] { new ScopeGroup("Visible", "f0000a00-0000-4000-8000-000000000001", "Visible", null, "MailUniversalSecurityGroup") };
        ResourceScopes group = ResourceScopes.Groups(new[] { "f0000a00-0000-4000-8000-000000000001" });

        Assert.Empty(RelationshipMigration.Differences(State(Capability(M365CapabilityNames.CalendarAvailabilityBasic, true, group)), request, groups));
        // A higher level left allowed beside it: the partner would get more than the relationship shares.
        Assert.Contains("free/busy is LimitedDetails, not AvailabilityOnly", RelationshipMigration.Differences(State(
            Capability(M365CapabilityNames.CalendarAvailabilityBasic, true, group),
            Capability(M365CapabilityNames.CalendarAvailabilityLimitedDetails, true, group)), request, groups));
        // Everyone instead of the group.
        Assert.Contains(RelationshipMigration.Differences(State(Capability(M365CapabilityNames.CalendarAvailabilityBasic, true, ResourceScopes.Everyone("user"))), request, groups),
            p => p.Contains("not group f0000a00-0000-4000-8000-000000000001", StringComparison.Ordinal));
        // Denied is not granted; MailTips the relationship does not share are too much.
        Assert.Contains("free/busy is None, not AvailabilityOnly",
            RelationshipMigration.Differences(State(Capability(M365CapabilityNames.CalendarAvailabilityBasic, false, group)), request, groups));
        Assert.Contains("MailTips is All, not None", RelationshipMigration.Differences(State(
            Capability(M365CapabilityNames.CalendarAvailabilityBasic, true, group), Capability(M365CapabilityNames.MailTipsAll, true, ResourceScopes.Everyone("user"))), request, groups));
    }

    [Fact]
    public void Sharing_policy_rules_count_only_for_partner_domains_with_a_calendar_action_in_enabled_policies()
    {
        var policies = new[]
        {
            FakeExchange.Object(("Name", "Default Sharing Policy"), ("Enabled", true), ("Domains", new object?[] { "Anonymous:CalendarSharingFreeBusyReviewer", "*:CalendarSharingFreeBusySimple" })),
            FakeExchange.Object(("Name", "Contacts only"), ("Enabled", true), ("Domains", new object?[] { "fabrikam.com:ContactsSharing" })),
            FakeExchange.Object(("Name", "Partners"), ("Enabled", true), ("Domains", "FABRIKAM.com: ContactsSharing, CalendarSharingFreeBusySimple")),
            FakeExchange.Object(("Name", "Disabled"), ("Enabled", false), ("Domains", new object?[] { "fabrikam.com:CalendarSharingFreeBusyDetail" })),
            FakeExchange.Object(("Name", "Other"), ("Enabled", true), ("Domains", new object?[] { "litware.com:CalendarSharingFreeBusyDetail" })),
        };
        var spaces = new[]
        {
            FakeExchange.Object(("ForestName", "fabrikam.com"), ("AccessMethod", "OrgWideFBToken")),
            FakeExchange.Object(("ForestName", "fabrikam.com"), ("AccessMethod", "PerUserFB")),
        };
        IReadOnlyList<OtherLegacySharing> found = LegacySharingRules.Find(policies, spaces, new[] { "fabrikam.com", "fabrikam.onmicrosoft.com" });
        Assert.Equal(new[] { "sharing policy 'Partners' rule 'FABRIKAM.com: ContactsSharing, CalendarSharingFreeBusySimple'", "availability address space 'fabrikam.com' (OrgWideFBToken)" },
            found.Select(f => f.ToString()));
        Assert.Equal(new[] { true, false }, found.Select(f => f.BlocksCutover));
    }

    [Fact]
    public void Describe_says_what_a_grant_gives_in_Exchange_terms()
    {
        var request = new PartnerAccessRequest(Ids.Fabrikam) { FreeBusy = FreeBusyAccessLevel.LimitedDetails, MailTips = MailTipsAccessLevel.Limited, MailTipsScope = new[] { "Tips" } };
        Assert.Equal("free/busy LimitedDetails for all users, MailTips Limited for Tips", MigrationDecisions.Describe(request));
    }
}
