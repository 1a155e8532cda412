using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Readiness;
using Xunit;
using static CalendarFederation.Engine.Tests.Readiness.ReadinessWorld;

namespace CalendarFederation.Engine.Tests.Readiness;

/// <summary>
/// The evaluator's matrix: every verdict, for each kind of object, from what was read (both tenants built directly).
/// Each case pins the verdict, the deadline and the next command, which is what an admin acts on.
/// </summary>
public sealed class ReadinessEvaluatorTests
{
    private const string Basic = M365CapabilityNames.CalendarAvailabilityBasic;
    private const string Limited = M365CapabilityNames.CalendarAvailabilityLimitedDetails;
    private const string Grant = "Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly";
    private const string Convert = "Convert-OrganizationRelationship -Identity 'Fabrikam' -PartnerConnection <partner> -DisableLegacy";

    private static XtapInventory ContosoGrants(params string[] capabilities) => Policy("contoso.onmicrosoft.com", partners: Granted(FabrikamId, capabilities));

    private static ReadinessRow RelationshipRow(EwsSetting ews, XtapInventory? xtap = null, LegacyRelationship? relationship = null, DateTimeOffset? now = null) =>
        Single(Evaluate(Contoso(ews, xtap, new[] { relationship ?? Relationship() }), now: now), LegacyObjectType.OrganizationRelationship);

    // --- organization relationships, one side ---

    [Theory]
    [InlineData(EwsSetting.True, Verdict.NeedsCrossTenantAccess, 2027, 4, 1, "until 2027-04-01")]
    [InlineData(EwsSetting.NotSet, Verdict.NeedsCrossTenantAccess, 2026, 10, 1, "at risk now")]
    [InlineData(EwsSetting.Unknown, Verdict.NeedsCrossTenantAccess, 2026, 10, 1, "counted as not set")]
    [InlineData(EwsSetting.False, Verdict.BrokenNow, 2026, 10, 1, "(passed)")]
    public void An_enabled_relationship_without_a_grant_is_judged_by_EwsEnabled(EwsSetting ews, Verdict verdict, int y, int m, int d, string reason)
    {
        ReadinessRow row = RelationshipRow(ews);

        Assert.Equal(verdict, row.Verdict);
        Assert.Equal(new DateTime(y, m, d, 0, 0, 0, DateTimeKind.Utc), row.Deadline);
        Assert.Contains(reason, row.DeadlineReason);
        Assert.Contains("needs EwsEnabled True in the partner's tenant", row.DeadlineReason);
        Assert.Equal(XtapStatus.Missing, row.CrossTenantAccess);
        Assert.Equal(XtapStatus.Unknown, row.PartnerCrossTenantAccess);
        Assert.True(row.DependsOnEws);
        Assert.Equal(FabrikamId, row.PartnerTenantId);
        Assert.Equal("fabrikam.com", row.Partner);
        Assert.Equal(PartnerKind.Microsoft365, row.PartnerKind);
        Assert.Contains(Grant, row.NextStep);
        if (ews == EwsSetting.False) Assert.StartsWith("Set-OrganizationConfig -EwsEnabled $true", row.NextStep);
        else Assert.StartsWith(Grant, row.NextStep);
    }

    [Fact]
    public void A_grant_with_the_relationship_still_enabled_is_ReadyToCutOver_because_the_legacy_object_wins()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, ContosoGrants(Basic));

        Assert.Equal(Verdict.ReadyToCutOver, row.Verdict);
        Assert.Equal(Retired, row.Deadline);
        Assert.Equal(XtapStatus.Present, row.CrossTenantAccess);
        Assert.Equal(Convert, row.NextStep);
        Assert.Contains("still wins", row.Reason);
    }

    [Fact]
    public void EWS_off_with_the_grant_in_place_is_BrokenNow_and_the_fix_is_the_cutover()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.False, ContosoGrants(Basic));

        Assert.Equal(Verdict.BrokenNow, row.Verdict);
        Assert.Equal(Convert, row.NextStep);
        Assert.Contains("still wins and fails", row.Reason);
    }

    [Fact]
    public void After_the_retirement_EwsEnabled_True_no_longer_helps()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, now: new DateTimeOffset(2027, 4, 2, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(Verdict.BrokenNow, row.Verdict);
        Assert.Equal(Retired, row.Deadline);
        Assert.Contains("retired", row.DeadlineReason);
        Assert.DoesNotContain("Set-OrganizationConfig", row.NextStep);
        Assert.StartsWith(Grant, row.NextStep);
    }

    [Fact]
    public void A_disabled_relationship_with_the_grant_in_place_is_Migrated_and_depends_on_nothing()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.False, ContosoGrants(Basic), Relationship(enabled: false));

        Assert.Equal(Verdict.Migrated, row.Verdict);
        Assert.Null(row.Deadline);
        Assert.False(row.DependsOnEws);
        Assert.Contains("Remove-OrganizationRelationship -Identity 'Fabrikam'", row.NextStep);
    }

    [Fact]
    public void A_disabled_relationship_nothing_replaces_needs_cross_tenant_access_but_has_no_deadline()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, relationship: Relationship(enabled: false));

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Null(row.Deadline);
        Assert.False(row.DependsOnEws);
        Assert.Equal(Grant, row.NextStep);
        Assert.Contains("if that is intended, remove it instead", row.Reason);
    }

    [Fact]
    public void A_disabled_relationship_that_shared_nothing_is_Migrated()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, relationship: Relationship(enabled: false, freeBusy: false));

        Assert.Equal(Verdict.Migrated, row.Verdict);
        Assert.Equal(XtapStatus.NotApplicable, row.CrossTenantAccess);
    }

    [Theory]
    [InlineData(PartnerKind.OnPremises, "Exchange Server on-premises")]
    [InlineData(PartnerKind.Hybrid, "hybrid")]
    public void On_premises_and_hybrid_partners_keep_their_relationship_even_with_EWS_off(PartnerKind kind, string reason)
    {
        ReadinessRow row = RelationshipRow(EwsSetting.False, relationship: Relationship("Adatum", new[] { "adatum.com" }, kind: kind));

        Assert.Equal(Verdict.KeepLegacy, row.Verdict);
        Assert.Equal(kind, row.PartnerKind);
        Assert.Null(row.Deadline);
        Assert.False(row.DependsOnEws);
        Assert.Contains(reason, row.Reason);
        Assert.StartsWith("None", row.NextStep);
    }

    [Fact]
    public void A_relationship_that_shares_neither_free_busy_nor_MailTips_is_kept_for_what_it_carries()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.NotSet, relationship: Relationship(freeBusy: false, otherFeatures: "mailbox moves"));

        Assert.Equal(Verdict.KeepLegacy, row.Verdict);
        Assert.Contains("mailbox moves", row.Reason);
    }

    [Fact]
    public void A_relationship_that_exposes_nothing_only_reads_the_partner_and_its_replacement_is_the_partner_s_grant()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.False, relationship: Relationship(level: FreeBusyAccessLevel.None));

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.True(row.DependsOnEws);
        Assert.Equal(XtapStatus.NotApplicable, row.CrossTenantAccess);
        Assert.Equal("in the partner's tenant: Grant-CrossTenantCalendarAccess -DomainName contoso.com -FreeBusyAccessLevel AvailabilityOnly " +
            "(or rerun with -PartnerConnection to check what it grants)", row.NextStep);
    }

    [Fact]
    public void A_lower_level_granted_is_Partial_and_the_step_names_the_relationship_s_level()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, ContosoGrants(Basic), Relationship(level: FreeBusyAccessLevel.LimitedDetails));

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Equal(XtapStatus.Partial, row.CrossTenantAccess);
        Assert.Equal("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel LimitedDetails", row.NextStep);
        Assert.Contains("LimitedDetails is needed, AvailabilityOnly is granted", row.Reason);
    }

    [Fact]
    public void A_higher_level_counts_with_a_note_that_it_shows_more()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, ContosoGrants(Limited));

        Assert.Equal(Verdict.ReadyToCutOver, row.Verdict);
        Assert.Contains("more than the AvailabilityOnly", row.Reason);
    }

    [Fact]
    public void MailTips_without_their_grant_is_Partial_and_the_step_adds_the_MailTips_level()
    {
        ReadinessRow row = RelationshipRow(EwsSetting.True, ContosoGrants(Basic), Relationship(mailTips: true, mailTipsLevel: MailTipsAccessLevel.Limited));

        Assert.Equal(XtapStatus.Partial, row.CrossTenantAccess);
        Assert.Equal(Grant + " -MailTipsAccessLevel Limited", row.NextStep);
    }

    [Fact]
    public void A_scope_group_is_carried_into_the_grant_and_an_unscoped_grant_is_flagged_as_wider()
    {
        ReadinessRow missing = RelationshipRow(EwsSetting.True, relationship: Relationship(scope: "FreeBusyShared"));
        ReadinessRow wider = RelationshipRow(EwsSetting.True, ContosoGrants(Basic), Relationship(scope: "FreeBusyShared"));

        Assert.Equal(Grant + " -FreeBusyAccessScope 'FreeBusyShared'", missing.NextStep);
        Assert.Equal(Verdict.ReadyToCutOver, wider.Verdict);
        Assert.Contains("exposes everyone, the legacy object only the group FreeBusyShared", wider.Reason);
    }

    [Theory]
    [InlineData(TrustState.Inherited, true, Verdict.ReadyToCutOver)]
    [InlineData(TrustState.Inherited, false, Verdict.NeedsCrossTenantAccess)]
    [InlineData(TrustState.Blocked, true, Verdict.NeedsCrossTenantAccess)]
    public void The_trust_decides_whether_a_capability_counts(TrustState trust, bool defaultAllows, Verdict verdict)
    {
        CollaborationTrust partnerTrust = trust == TrustState.Blocked ? Blocked : CollaborationTrust.Inherited;
        XtapInventory policy = Policy("contoso.onmicrosoft.com", defaultAllows ? CollaborationTrust.AllUsersAllowed : Blocked, null,
            (FabrikamId, partnerTrust, new[] { Capability(Basic) }));

        ReadinessRow row = RelationshipRow(EwsSetting.True, policy);

        Assert.Equal(verdict, row.Verdict);
        if (verdict != Verdict.ReadyToCutOver) Assert.Equal(XtapStatus.Missing, row.CrossTenantAccess);
    }

    [Fact]
    public void A_default_policy_that_allows_free_busy_is_not_counted_for_a_partner_without_its_own_configuration()
    {
        XtapInventory policy = Policy("contoso.onmicrosoft.com", CollaborationTrust.AllUsersAllowed, new[] { Capability(Basic) });

        ReadinessRow row = RelationshipRow(EwsSetting.True, policy);

        Assert.Equal(XtapStatus.Missing, row.CrossTenantAccess);
        Assert.Contains("undocumented", row.Reason);
    }

    [Fact]
    public void A_policy_that_cannot_be_read_makes_the_X_TAP_part_Unknown_with_the_reason_not_a_failure()
    {
        XtapInventory policy = Policy("contoso.onmicrosoft.com");
        policy.Partners = null;
        policy.PartnersProblem = "Microsoft Graph refused to read the cross-tenant access policy: needs Policy.Read.All and one of the roles Global Reader or Security Reader [GraphRoleMissing]";

        ReadinessRow row = RelationshipRow(EwsSetting.True, policy);

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Equal(XtapStatus.Unknown, row.CrossTenantAccess);
        Assert.Contains("Global Reader", row.Reason);
        Assert.Equal(Grant, row.NextStep);
    }

    [Fact]
    public void X_TAP_not_offered_yet_says_wait_and_keep_EWS()
    {
        XtapInventory policy = Policy("contoso.onmicrosoft.com");
        policy.Availability = XtapStatus.NotAvailable;
        policy.AvailabilityProblem = "not offered";

        ReadinessRow row = RelationshipRow(EwsSetting.NotSet, policy);
        ReadinessRow config = Single(Evaluate(Contoso(EwsSetting.NotSet, policy, new[] { Relationship() })), LegacyObjectType.OrganizationConfig);

        Assert.Equal(XtapStatus.NotAvailable, row.CrossTenantAccess);
        Assert.StartsWith("wait for the cross-tenant access policy to reach contoso.onmicrosoft.com; meanwhile Set-OrganizationConfig -EwsEnabled $true", row.NextStep);
        Assert.Equal(XtapStatus.NotAvailable, config.CrossTenantAccess);
    }

    [Fact]
    public void A_domain_that_does_not_resolve_is_reported_on_its_row()
    {
        var lookups = Resolved();
        lookups["fabrikam.com"] = new DomainLookup("fabrikam.com", null, ErrorIds.PartnerTenantLookupFailed, "no answer within 30 s");

        ReadinessRow row = Single(Evaluate(Contoso(EwsSetting.True, null, new[] { Relationship(domains: new[] { "fabrikam.com" }) }), lookups: lookups),
            LegacyObjectType.OrganizationRelationship);

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Equal(XtapStatus.Unknown, row.CrossTenantAccess);
        Assert.Null(row.PartnerTenantId);
        Assert.Contains("fabrikam.com did not resolve to a tenant: no answer within 30 s", row.Reason);
    }

    [Fact]
    public void A_relationship_whose_targets_tell_nothing_is_judged_by_whether_Entra_knows_its_domains()
    {
        var none = Resolved();
        none["partner.example"] = new DomainLookup("partner.example", null, ErrorIds.PartnerTenantNotFound, "not found");
        LegacyRelationship unknown = Relationship("Partner", new[] { "partner.example" }, kind: PartnerKind.Unknown);

        ReadinessRow kept = Single(Evaluate(Contoso(EwsSetting.True, null, new[] { unknown }), lookups: none), LegacyObjectType.OrganizationRelationship);
        ReadinessRow cloud = Single(Evaluate(Contoso(EwsSetting.True, null, new[] { unknown }), lookups: Resolved(("partner.example", LitwareId))),
            LegacyObjectType.OrganizationRelationship);

        Assert.Equal(Verdict.KeepLegacy, kept.Verdict);
        Assert.Equal(Verdict.NeedsCrossTenantAccess, cloud.Verdict);
        Assert.Equal(PartnerKind.Unknown, cloud.PartnerKind);
        Assert.Contains("judged as a Microsoft 365 partner", cloud.Reason);
    }

    [Fact]
    public void Domains_of_two_tenants_need_a_grant_each()
    {
        LegacyRelationship both = Relationship(domains: new[] { "fabrikam.com", "litware.com" });
        var lookups = Resolved(("fabrikam.com", FabrikamId), ("litware.com", LitwareId));

        ReadinessRow row = Single(Evaluate(Contoso(EwsSetting.True, ContosoGrants(Basic), new[] { both }), lookups: lookups), LegacyObjectType.OrganizationRelationship);

        Assert.Equal(XtapStatus.Missing, row.CrossTenantAccess);
        Assert.Equal("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -FreeBusyAccessLevel AvailabilityOnly; " +
            "Grant-CrossTenantCalendarAccess -DomainName litware.com -FreeBusyAccessLevel AvailabilityOnly", row.NextStep);
        Assert.Contains("belong to 2 tenants", row.Reason);
    }

    // --- both sides ---

    [Fact]
    public void With_the_partner_read_both_grants_make_both_sides_ReadyToCutOver()
    {
        TenantInventory contoso = Contoso(EwsSetting.True, ContosoGrants(Basic), new[] { Relationship() });
        TenantInventory fabrikam = Fabrikam(EwsSetting.True, Policy("fabrikam.onmicrosoft.com", partners: Granted(ContosoId, Basic)),
            new[] { Relationship("Contoso", ContosoDomains) });

        List<ReadinessRow> rows = Evaluate(contoso, fabrikam, lookups: Resolved());
        ReadinessRow ours = Single(rows, LegacyObjectType.OrganizationRelationship, "contoso.onmicrosoft.com");
        ReadinessRow theirs = Single(rows, LegacyObjectType.OrganizationRelationship, "fabrikam.onmicrosoft.com");

        Assert.Equal(Verdict.ReadyToCutOver, ours.Verdict);
        Assert.Equal(XtapStatus.Present, ours.PartnerCrossTenantAccess);
        Assert.Equal(EwsSetting.True, ours.PartnerEwsEnabled);
        Assert.Equal(Verdict.ReadyToCutOver, theirs.Verdict);
        Assert.Equal(ContosoId, theirs.PartnerTenantId);
        Assert.Equal(2, rows.Count(r => r.ObjectType == LegacyObjectType.OrganizationConfig));
        Assert.DoesNotContain("not read", ours.DeadlineReason);
    }

    [Fact]
    public void A_missing_grant_back_keeps_this_side_from_the_cutover_and_names_where_to_grant()
    {
        TenantInventory contoso = Contoso(EwsSetting.True, ContosoGrants(Basic), new[] { Relationship() });
        TenantInventory fabrikam = Fabrikam(EwsSetting.True, null, new[] { Relationship("Contoso", ContosoDomains, level: FreeBusyAccessLevel.LimitedDetails) });

        List<ReadinessRow> rows = Evaluate(contoso, fabrikam, lookups: Resolved());
        ReadinessRow ours = Single(rows, LegacyObjectType.OrganizationRelationship, "contoso.onmicrosoft.com");
        ReadinessRow theirs = Single(rows, LegacyObjectType.OrganizationRelationship, "fabrikam.onmicrosoft.com");

        Assert.Equal(Verdict.NeedsCrossTenantAccess, ours.Verdict);
        Assert.Equal(XtapStatus.Present, ours.CrossTenantAccess);
        Assert.Equal(XtapStatus.Missing, ours.PartnerCrossTenantAccess);
        Assert.Equal("in fabrikam.onmicrosoft.com: Grant-CrossTenantCalendarAccess -DomainName contoso.com -FreeBusyAccessLevel LimitedDetails", ours.NextStep);
        Assert.Equal(Verdict.NeedsCrossTenantAccess, theirs.Verdict);
        Assert.Equal("Grant-CrossTenantCalendarAccess -DomainName contoso.com -FreeBusyAccessLevel LimitedDetails", theirs.NextStep);
    }

    [Fact]
    public void The_partner_s_EWS_off_breaks_this_side_s_reading_and_the_earlier_deadline_applies()
    {
        TenantInventory contoso = Contoso(EwsSetting.True, null, new[] { Relationship() });
        TenantInventory fabrikam = Fabrikam(EwsSetting.False, null, new[] { Relationship("Contoso", ContosoDomains) });

        List<ReadinessRow> rows = Evaluate(contoso, fabrikam, lookups: Resolved());
        ReadinessRow ours = Single(rows, LegacyObjectType.OrganizationRelationship, "contoso.onmicrosoft.com");
        ReadinessRow config = Single(rows, LegacyObjectType.OrganizationConfig, "contoso.onmicrosoft.com");

        Assert.Equal(Verdict.BrokenNow, ours.Verdict);
        Assert.Equal(Switch, ours.Deadline);
        Assert.Equal(EwsSetting.False, ours.PartnerEwsEnabled);
        Assert.Contains("EWS is off in fabrikam.onmicrosoft.com, so this tenant's users see nothing of the partner", ours.Reason);
        Assert.Contains("in fabrikam.onmicrosoft.com: Set-OrganizationConfig -EwsEnabled $true", ours.NextStep);
        Assert.Equal(Verdict.BrokenNow, config.Verdict);
        Assert.Equal(Retired, config.Deadline);
    }

    [Fact]
    public void With_the_partner_read_each_side_shows_only_its_objects_about_the_other()
    {
        TenantInventory contoso = Contoso(EwsSetting.True, null, new[] { Relationship(), Relationship("Litware", new[] { "litware.com" }) },
            policies: new[] { DefaultPolicy() });
        TenantInventory fabrikam = Fabrikam(EwsSetting.True, null, new[] { Relationship("Contoso", ContosoDomains) });

        List<ReadinessRow> rows = Evaluate(contoso, fabrikam, lookups: Resolved());

        Assert.DoesNotContain(rows, r => r.Identity == "Litware");
        Assert.DoesNotContain(rows, r => r.ObjectType == LegacyObjectType.SharingPolicy);
        Assert.Equal(new[] { "contoso.onmicrosoft.com", "contoso.onmicrosoft.com", "fabrikam.onmicrosoft.com", "fabrikam.onmicrosoft.com" }, rows.Select(r => r.Organization));
    }

    // --- availability address spaces ---

    private static readonly LegacyAddressSpace Token = new() { ForestName = "fabrikam.com", AccessMethod = "OrgWideFBToken", TargetTenantId = FabrikamId };

    [Theory]
    [InlineData(EwsSetting.True)]
    [InlineData(EwsSetting.False)]
    public void An_OrgWideFBToken_address_space_is_legacy_to_migrate_by_2027_but_never_broken_by_EWS(EwsSetting ews)
    {
        ReadinessRow row = Single(Evaluate(Contoso(ews, addressSpaces: new[] { Token })), LegacyObjectType.AvailabilityAddressSpace);

        Assert.Equal(Verdict.NeedsCrossTenantAccess, row.Verdict);
        Assert.Equal(Retired, row.Deadline);
        Assert.False(row.DependsOnEws);
        Assert.Equal(PartnerKind.Microsoft365, row.PartnerKind);
        Assert.Equal(FabrikamId, row.PartnerTenantId);
        Assert.Equal(XtapStatus.Unknown, row.PartnerCrossTenantAccess);
        Assert.Contains("UNCONFIRMED", row.Reason);
        Assert.Equal("in fabrikam.com's tenant: Grant-CrossTenantCalendarAccess -DomainName contoso.com -FreeBusyAccessLevel AvailabilityOnly", row.NextStep);
    }

    [Fact]
    public void An_address_space_the_partner_s_grant_replaces_is_ReadyToCutOver_by_removing_it()
    {
        TenantInventory fabrikam = Fabrikam(EwsSetting.True, Policy("fabrikam.onmicrosoft.com", partners: Granted(ContosoId, Basic)));

        ReadinessRow row = Single(Evaluate(Contoso(EwsSetting.True, addressSpaces: new[] { Token }), fabrikam, Resolved()), LegacyObjectType.AvailabilityAddressSpace);

        Assert.Equal(Verdict.ReadyToCutOver, row.Verdict);
        Assert.Equal(XtapStatus.Present, row.PartnerCrossTenantAccess);
        Assert.StartsWith("Remove-AvailabilityAddressSpace -Identity 'fabrikam.com'", row.NextStep);
    }

    [Fact]
    public void Other_address_spaces_are_kept()
    {
        var google = new LegacyAddressSpace { ForestName = "google.example", AccessMethod = "OrgWideFB" };

        ReadinessRow row = Single(Evaluate(Contoso(EwsSetting.False, addressSpaces: new[] { google })), LegacyObjectType.AvailabilityAddressSpace);

        Assert.Equal(Verdict.KeepLegacy, row.Verdict);
        Assert.Contains("OrgWideFB", row.Reason);
    }

    // --- sharing policies ---

    [Fact]
    public void The_default_sharing_policy_gives_one_row_per_calendar_rule_on_the_default_policy()
    {
        List<ReadinessRow> rows = Evaluate(Contoso(EwsSetting.NotSet, policies: new[] { DefaultPolicy() })).Where(r => r.ObjectType == LegacyObjectType.SharingPolicy).ToList();

        Assert.Equal(new[] { "Anonymous", "*" }, rows.Select(r => r.Partner));
        Assert.All(rows, r => Assert.Equal(Verdict.NeedsCrossTenantAccess, r.Verdict));
        Assert.All(rows, r => Assert.Equal(Switch, r.Deadline));
        Assert.All(rows, r => Assert.Equal("Default Sharing Policy", r.Identity));
        Assert.Contains("allow anonymousCalendarSharingFreeBusyReviewer on the default cross-tenant access policy", rows[0].NextStep);
        Assert.Contains("Set-SharingPolicy -Identity 'Default Sharing Policy' -Domains @{Remove='Anonymous:CalendarSharingFreeBusyReviewer'}", rows[0].NextStep);
        Assert.Contains("allow crossTenantCalendarSharingFreeBusySimple", rows[1].NextStep);
        Assert.Contains("applies to every mailbox without a policy of its own", rows[1].Reason);
    }

    [Fact]
    public void A_default_policy_capability_in_place_makes_the_wildcard_rule_ReadyToCutOver()
    {
        XtapInventory policy = Policy("contoso.onmicrosoft.com", defaults: new[] { Capability(M365CapabilityNames.CalendarSharingFreeBusySimple) });

        ReadinessRow row = Evaluate(Contoso(EwsSetting.True, policy, policies: new[] { DefaultPolicy() })).Single(r => r.Partner == "*");

        Assert.Equal(Verdict.ReadyToCutOver, row.Verdict);
        Assert.Equal("Set-SharingPolicy -Identity 'Default Sharing Policy' -Domains @{Remove='*:CalendarSharingFreeBusySimple'} (Exchange Online PowerShell)", row.NextStep);
    }

    [Fact]
    public void A_rule_for_a_partner_domain_is_checked_against_that_partner_and_keeps_its_other_actions_on_cutover()
    {
        var policy = new LegacySharingPolicy
        {
            Name = "Partners",
            Enabled = true,
            Mailboxes = 3,
            Rules = new[] { SharingRule.Parse("fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing")! },
        };

        ReadinessRow missing = Single(Evaluate(Contoso(EwsSetting.True, policies: new[] { policy })), LegacyObjectType.SharingPolicy);
        ReadinessRow ready = Single(Evaluate(Contoso(EwsSetting.True, ContosoGrants(M365CapabilityNames.CalendarSharingFreeBusyDetail), policies: new[] { policy })),
            LegacyObjectType.SharingPolicy);
        ReadinessRow broken = Single(Evaluate(Contoso(EwsSetting.False, policies: new[] { policy })), LegacyObjectType.SharingPolicy);

        Assert.Equal(Verdict.NeedsCrossTenantAccess, missing.Verdict);
        Assert.Equal("Grant-CrossTenantCalendarAccess -DomainName fabrikam.com -CalendarSharingAccessLevel Detail", missing.NextStep);
        Assert.Equal(PartnerKind.Microsoft365, missing.PartnerKind);
        Assert.Contains("it applies to 3 mailboxes", missing.Reason);
        Assert.Equal(Verdict.ReadyToCutOver, ready.Verdict);
        Assert.Equal("Set-SharingPolicy -Identity 'Partners' -Domains @{Remove='fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing'}; " +
            "Set-SharingPolicy -Identity 'Partners' -Domains @{Add='fabrikam.com:ContactsSharing'} (Exchange Online PowerShell)", ready.NextStep);
        Assert.Equal(Verdict.BrokenNow, broken.Verdict);
    }

    [Fact]
    public void A_disabled_policy_a_policy_without_mailboxes_and_contacts_only_rules_depend_on_nothing()
    {
        LegacySharingPolicy disabled = DefaultPolicy(enabled: false);
        var unused = new LegacySharingPolicy { Name = "Unused", Enabled = true, Mailboxes = 0, Rules = new[] { SharingRule.Parse("fabrikam.com:CalendarSharingFreeBusySimple")! } };
        var contacts = new LegacySharingPolicy { Name = "Contacts", Enabled = true, Mailboxes = 5, Rules = new[] { SharingRule.Parse("fabrikam.com:ContactsSharing")! } };

        List<ReadinessRow> rows = Evaluate(Contoso(EwsSetting.False, policies: new[] { disabled, unused, contacts }));

        Assert.DoesNotContain(rows, r => r.ObjectType == LegacyObjectType.SharingPolicy);
        Assert.Equal(Verdict.Migrated, Single(rows, LegacyObjectType.OrganizationConfig).Verdict);
    }

    [Fact]
    public void A_rule_for_a_domain_no_Entra_organization_has_is_kept()
    {
        var policy = new LegacySharingPolicy { Name = "Partners", Enabled = true, Mailboxes = 1, Rules = new[] { SharingRule.Parse("onprem.example:CalendarSharingFreeBusySimple")! } };
        var lookups = Resolved();
        lookups["onprem.example"] = new DomainLookup("onprem.example", null, ErrorIds.PartnerTenantNotFound, "not found");

        ReadinessRow row = Single(Evaluate(Contoso(EwsSetting.True, policies: new[] { policy }), lookups: lookups), LegacyObjectType.SharingPolicy);

        Assert.Equal(Verdict.KeepLegacy, row.Verdict);
        Assert.Equal(PartnerKind.OnPremises, row.PartnerKind);
    }

    // --- the tenant's own row, and narrowing ---

    [Fact]
    public void The_OrganizationConfig_row_comes_first_and_sums_up_the_most_urgent_dependent_row()
    {
        TenantInventory contoso = Contoso(EwsSetting.NotSet, ContosoGrants(Basic),
            new[] { Relationship(), Relationship("Litware", new[] { "litware.com" }), Relationship("Adatum", new[] { "adatum.com" }, kind: PartnerKind.OnPremises) });
        var lookups = FabrikamResolves();
        lookups["litware.com"] = new DomainLookup("litware.com", LitwareId, null, null);

        List<ReadinessRow> rows = Evaluate(contoso, lookups: lookups);
        ReadinessRow config = rows[0];

        Assert.Equal(LegacyObjectType.OrganizationConfig, config.ObjectType);
        Assert.Equal("EwsEnabled: not set", config.Identity);
        Assert.Equal(EwsSetting.NotSet, config.EwsEnabled);
        Assert.Equal(Verdict.NeedsCrossTenantAccess, config.Verdict);
        Assert.Equal(XtapStatus.Available, config.CrossTenantAccess);
        Assert.Equal(Switch, config.Deadline);
        Assert.Equal("", config.Partner);
        Assert.Contains("2 objects depend on EWS: 1 NeedsCrossTenantAccess, 1 ReadyToCutOver", config.Reason);
        Assert.StartsWith("Set-OrganizationConfig -EwsEnabled $true (Exchange Online PowerShell) keeps the legacy path until 2027-04-01; then work through the rows below", config.NextStep);
    }

    [Fact]
    public void A_tenant_where_nothing_depends_on_EWS_is_Migrated_with_no_deadline()
    {
        ReadinessRow config = Evaluate(Contoso(EwsSetting.False, ContosoGrants(Basic), new[] { Relationship(enabled: false) }))[0];

        Assert.Equal(Verdict.Migrated, config.Verdict);
        Assert.Null(config.Deadline);
        Assert.Equal("EwsEnabled: False", config.Identity);
        Assert.StartsWith("None", config.NextStep);
    }

    [Fact]
    public void DomainName_and_PartnerTenantId_narrow_the_report_and_leave_out_rules_for_everyone()
    {
        var lookups = FabrikamResolves();
        lookups["litware.com"] = new DomainLookup("litware.com", LitwareId, null, null);
        TenantInventory contoso = Contoso(EwsSetting.True, null, new[] { Relationship(), Relationship("Litware", new[] { "litware.com" }) }, policies: new[] { DefaultPolicy() });

        List<ReadinessRow> byDomain = Evaluate(contoso, lookups: lookups, domains: new[] { "LITWARE.com" });
        List<ReadinessRow> byTenant = Evaluate(contoso, lookups: lookups, tenants: new[] { FabrikamId.ToUpperInvariant() });

        Assert.Equal(new[] { "Litware" }, byDomain.Where(r => r.ObjectType != LegacyObjectType.OrganizationConfig).Select(r => r.Identity));
        Assert.Equal(new[] { "Fabrikam" }, byTenant.Where(r => r.ObjectType != LegacyObjectType.OrganizationConfig).Select(r => r.Identity));
        Assert.Contains("1 object shown depends on EWS", byDomain[0].Reason);
    }
}
