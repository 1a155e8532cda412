using CalendarFederation.Engine.CrossTenantAccess;
using Xunit;

namespace CalendarFederation.Engine.Tests.CrossTenantAccess;

/// <summary>The planner alone: from a partner's state and what is asked, the ordered, explained writes.</summary>
public sealed class PartnerAccessPlannerTests
{
    private const string Tid = "90e29127-71ad-49c7-9ce8-db3f41ea06f1";
    private const string Sales = "0f5b2a86-3c11-4a59-9a4c-6f2c5e8d7b10";
    private const string Staff = "ad4fc698-74dc-4f62-9e71-ba9b591e8e74";
    private const string Basic = M365CapabilityNames.CalendarAvailabilityBasic;
    private const string Limited = M365CapabilityNames.CalendarAvailabilityLimitedDetails;

    private static PartnerAccessState Absent() => new(Tid, null, Array.Empty<M365Capability>());

    private static PartnerAccessState Partner(CollaborationTrust trust, params M365Capability[] capabilities) =>
        new(Tid, new PartnerConfiguration(Tid, trust), capabilities);

    private static PartnerAccessState Partner(params M365Capability[] capabilities) => Partner(CollaborationTrust.AllUsersAllowed, capabilities);

    private static M365Capability Cap(string name, bool allowed = true, ResourceScopes? scopes = null) =>
        new(name, "#microsoft.graph." + name, new InboundAccess(allowed, scopes ?? ResourceScopes.Everyone(XtapDecisions.EveryoneResourceType(M365CapabilityNames.FamilyOf(name)))), null);

    private static CollaborationTrust Scoped => new(TrustState.Scoped, "allowed", new[] { new AccessTarget(Sales, "group") });
    private static CollaborationTrust Blocked => new(TrustState.Blocked, "blocked", new[] { new AccessTarget("AllUsers", "user") });

    private static PartnerAccessRequest FreeBusy(FreeBusyAccessLevel level, params string[] scope) =>
        new(Tid) { FreeBusy = level, FreeBusyScope = scope.Length == 0 ? null : scope };

    private static string[] Describe(PartnerAccessPlan plan) => plan.Steps.Select(s => s.Description).ToArray();

    [Fact]
    public void A_partner_without_configuration_is_created_then_trusted_then_given_free_busy()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Absent(), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly));
        Assert.Equal(new[]
        {
            $"Create partner configuration for {Tid}",
            "Set the Microsoft 365 collaboration trust to all users",
            "Add crossTenantCalendarAvailabilityBasic for all users",
        }, Describe(plan));
        Assert.Equal(new[] { PlanStepKind.CreatePartner, PlanStepKind.SetTrust, PlanStepKind.AddCapability }, plan.Steps.Select(s => s.Kind));
        Assert.Same(CollaborationTrust.AllUsersAllowed, plan.Steps[1].Trust);
        Assert.True(plan.Steps[2].Access!.SameAs(new InboundAccess(true, ResourceScopes.Everyone("user"))));
        Assert.All(plan.Steps, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void An_inherited_trust_is_written_before_any_capability()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(CollaborationTrust.Inherited), FreeBusy(FreeBusyAccessLevel.LimitedDetails));
        Assert.Equal(new[] { "Set the Microsoft 365 collaboration trust to all users", "Add crossTenantCalendarAvailabilityLimitedDetails for all users" }, Describe(plan));
        Assert.Contains("inherits the default", plan.Steps[0].Reason);
    }

    [Fact]
    public void Nothing_to_change_is_an_empty_plan()
    {
        Assert.True(PartnerAccessPlanner.Plan(Partner(Cap(Basic)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly)).IsEmpty);
        Assert.True(PartnerAccessPlanner.Plan(Absent(), PartnerAccessRequest.Revoke(Tid, AccessFeatures.All)).IsEmpty);
        Assert.True(PartnerAccessPlanner.Plan(Partner(Cap(Basic)), new PartnerAccessRequest(Tid)).IsEmpty);
        // The guide's "excluded":[{}] is the same as [].
        var guide = new M365Capability(Basic, null, new InboundAccess(true, new ResourceScopes(
            new[] { new ResourceScope("All", "user") }, new[] { new ResourceScope(null, null) })), null);
        Assert.True(PartnerAccessPlanner.Plan(Partner(guide), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly)).IsEmpty);
    }

    [Fact]
    public void A_scoped_trust_is_never_widened_without_being_asked()
    {
        var ex = Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(Partner(Scoped), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly)));
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
        Assert.Equal(Tid, ex.Target);
        Assert.Contains($"allowed for group {Sales}", ex.Message);
    }

    [Fact]
    public void A_blocked_trust_is_never_widened_and_cannot_be_kept()
    {
        var ex = Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(Partner(Blocked), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly)));
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, ex.ErrorId);
        Assert.Contains("blocked for all users", ex.Message);
        var keep = FreeBusy(FreeBusyAccessLevel.AvailabilityOnly);
        keep.ExistingTrust = ExistingTrustHandling.KeepScoped;
        Assert.Equal(ErrorIds.CrossTenantTrustRestricted, Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(Partner(Blocked), keep)).ErrorId);
    }

    [Fact]
    public void Force_replaces_a_restricted_trust_and_keep_leaves_a_scoped_one()
    {
        var force = FreeBusy(FreeBusyAccessLevel.AvailabilityOnly);
        force.ExistingTrust = ExistingTrustHandling.Replace;
        PartnerAccessPlan replaced = PartnerAccessPlanner.Plan(Partner(Blocked), force);
        Assert.Equal(new[] { PlanStepKind.SetTrust, PlanStepKind.AddCapability }, replaced.Steps.Select(s => s.Kind));
        Assert.Contains("blocked for all users", replaced.Steps[0].Reason);

        var keep = FreeBusy(FreeBusyAccessLevel.AvailabilityOnly);
        keep.ExistingTrust = ExistingTrustHandling.KeepScoped;
        PartnerAccessPlan kept = PartnerAccessPlanner.Plan(Partner(Scoped), keep);
        Assert.Equal(new[] { PlanStepKind.AddCapability }, kept.Steps.Select(s => s.Kind));
        Assert.Contains("kept as it is", Assert.Single(kept.Warnings));
    }

    [Fact]
    public void Revoking_under_a_restricted_trust_is_fine_and_never_writes_the_trust()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Blocked, Cap(Basic), Cap(M365CapabilityNames.MailTipsAll)), PartnerAccessRequest.Revoke(Tid, AccessFeatures.FreeBusy));
        Assert.Equal(new[] { "Remove crossTenantCalendarAvailabilityBasic (free/busy is revoked)" }, Describe(plan));
    }

    [Fact]
    public void Changing_the_level_removes_the_other_one_first()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(Basic)), FreeBusy(FreeBusyAccessLevel.LimitedDetails));
        Assert.Equal(new[]
        {
            "Remove crossTenantCalendarAvailabilityBasic so one free/busy level is left",
            "Add crossTenantCalendarAvailabilityLimitedDetails for all users",
        }, Describe(plan));
    }

    [Fact]
    public void Two_levels_at_once_are_brought_down_to_one()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(Basic), Cap(Limited)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly));
        Assert.Equal(new[] { "Remove crossTenantCalendarAvailabilityLimitedDetails so one free/busy level is left" }, Describe(plan));
        PartnerAccessPlan disabledToo = PartnerAccessPlanner.Plan(Partner(Cap(Basic), Cap(Limited, allowed: false)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly));
        Assert.Equal(PlanStepKind.RemoveCapability, Assert.Single(disabledToo.Steps).Kind);
    }

    [Fact]
    public void A_level_the_default_policy_grants_is_disabled_on_the_partner_not_deleted()
    {
        var defaults = new CrossTenantDefaultPolicy(CollaborationTrust.Inherited, new[] { Cap(Limited) });
        PartnerAccessPlan present = PartnerAccessPlanner.Plan(Partner(Cap(Basic), Cap(Limited, scopes: ResourceScopes.Groups(new[] { Staff }))),
            FreeBusy(FreeBusyAccessLevel.AvailabilityOnly), defaults);
        PlanStep disable = Assert.Single(present.Steps);
        Assert.Equal("Disable crossTenantCalendarAvailabilityLimitedDetails so one free/busy level is left", disable.Description);
        Assert.True(disable.CapabilityExists);
        Assert.False(disable.Access!.IsAllowed);
        Assert.True(disable.Access.Scopes.SameAs(ResourceScopes.Groups(new[] { Staff }))); // the scopes there were are kept

        PartnerAccessPlan absent = PartnerAccessPlanner.Plan(Absent(), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly), defaults);
        Assert.Equal(new[] { PlanStepKind.CreatePartner, PlanStepKind.SetTrust, PlanStepKind.DisableCapability, PlanStepKind.AddCapability }, absent.Steps.Select(s => s.Kind));
        Assert.False(absent.Steps[2].CapabilityExists);

        Assert.True(PartnerAccessPlanner.Plan(Partner(Cap(Basic), Cap(Limited, allowed: false)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly), defaults).IsEmpty);
    }

    [Fact]
    public void Revoking_what_the_default_grants_with_no_partner_configuration_only_warns()
    {
        var defaults = new CrossTenantDefaultPolicy(CollaborationTrust.Inherited, new[] { Cap(Basic) });
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Absent(), PartnerAccessRequest.Revoke(Tid, AccessFeatures.FreeBusy), defaults);
        Assert.True(plan.IsEmpty);
        Assert.Contains("never changes the default policy", Assert.Single(plan.Warnings));
        PartnerAccessPlan present = PartnerAccessPlanner.Plan(Partner(Cap(Basic)), PartnerAccessRequest.Revoke(Tid, AccessFeatures.FreeBusy), defaults);
        Assert.Equal(new[] { "Disable crossTenantCalendarAvailabilityBasic (free/busy is revoked)" }, Describe(present));
    }

    [Fact]
    public void Revoking_everything_takes_each_feature_away_and_leaves_other_capabilities()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(Limited), Cap(M365CapabilityNames.MailTipsLimited), Cap(M365CapabilityNames.CalendarSharingFreeBusyDetail),
            Cap(M365CapabilityNames.PlacesRoomBooking), Cap(M365CapabilityNames.OpenProfileCard), Cap("crossTenantSomethingNew")), PartnerAccessRequest.Revoke(Tid, AccessFeatures.All));
        Assert.Equal(new[]
        {
            "Remove crossTenantCalendarAvailabilityLimitedDetails (free/busy is revoked)",
            "Remove crossTenantMailTipsLimited (MailTips is revoked)",
            "Remove crossTenantCalendarSharingFreeBusyDetail (calendar sharing is revoked)",
            "Remove crossTenantPlacesRoomBooking (room booking is revoked)",
        }, Describe(plan));
    }

    [Fact]
    public void Group_scopes_become_group_resource_scopes_and_a_different_scope_is_an_update()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(Basic)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, Sales.ToUpperInvariant(), Sales),
            scopeNames: new Dictionary<string, string> { [Sales] = "Sales" });
        PlanStep update = Assert.Single(plan.Steps);
        Assert.Equal(PlanStepKind.UpdateCapability, update.Kind);
        Assert.Equal($"Update crossTenantCalendarAvailabilityBasic to allow it for group Sales ({Sales})", update.Description);
        Assert.Equal("It is allowed for all users now.", update.Reason);
        ResourceScope scope = Assert.Single(update.Access!.Scopes.Included);
        Assert.Equal((Sales, "group"), (scope.ResourceId!, scope.ResourceType!));

        Assert.True(PartnerAccessPlanner.Plan(Partner(Cap(Basic, scopes: ResourceScopes.Groups(new[] { Sales }))), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, Sales)).IsEmpty);
    }

    [Fact]
    public void A_denied_capability_at_the_wanted_level_is_updated_to_allowed()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(Basic, allowed: false)), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly));
        PlanStep step = Assert.Single(plan.Steps);
        Assert.Equal(PlanStepKind.UpdateCapability, step.Kind);
        Assert.Equal("It is denied now.", step.Reason);
        Assert.True(step.Access!.IsAllowed);
    }

    [Fact]
    public void MailTips_calendar_sharing_and_room_booking_are_planned_like_free_busy()
    {
        var request = new PartnerAccessRequest(Tid)
        {
            MailTips = MailTipsAccessLevel.All,
            CalendarSharing = CalendarSharingAccessLevel.Reviewer,
            RoomBooking = true,
            RoomBookingScope = new[] { Staff },
        };
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Partner(Cap(M365CapabilityNames.MailTipsLimited), Cap(M365CapabilityNames.CalendarSharingFreeBusySimple)), request);
        Assert.Equal(new[]
        {
            "Remove crossTenantMailTipsLimited so one MailTips level is left",
            "Remove crossTenantCalendarSharingFreeBusySimple so one calendar sharing level is left",
            "Add crossTenantMailTipsAll for all users",
            "Add crossTenantCalendarSharingFreeBusyReviewer for all users",
            $"Add crossTenantPlacesRoomBooking for group {Staff}",
        }, Describe(plan));
        Assert.Equal("group", plan.Steps[3].Access!.Scopes.Included[0].ResourceType); // calendar sharing's everyone (XtapDecisions D5)
        Assert.Equal("user", plan.Steps[2].Access!.Scopes.Included[0].ResourceType);
    }

    [Fact]
    public void Scopes_must_be_object_ids_and_come_with_a_level()
    {
        var name = FreeBusy(FreeBusyAccessLevel.AvailabilityOnly, "Sales");
        Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(Absent(), name)).ErrorId);
        var orphan = new PartnerAccessRequest(Tid) { MailTipsScope = new[] { Sales } };
        Assert.Contains("without a MailTips level", Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(Absent(), orphan)).Message);
        Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<EngineException>(() => PartnerAccessPlanner.Plan(new PartnerAccessState("nope", null, Array.Empty<M365Capability>()),
            new PartnerAccessRequest("nope"))).ErrorId);
    }

    [Fact]
    public void The_plan_is_about_this_partner_only()
    {
        PartnerAccessPlan plan = PartnerAccessPlanner.Plan(Absent(), FreeBusy(FreeBusyAccessLevel.AvailabilityOnly),
            new CrossTenantDefaultPolicy(CollaborationTrust.AllUsersAllowed, new[] { Cap(Basic) }));
        Assert.Equal(Tid, plan.PartnerTenantId);
        Assert.DoesNotContain(plan.Steps, s => s.Description.Contains("default", StringComparison.OrdinalIgnoreCase));
        Assert.Throws<ArgumentException>(() => PartnerAccessPlanner.Plan(new PartnerAccessState("b1b2b3b4-0000-4000-8000-000000000001", null, Array.Empty<M365Capability>()),
            FreeBusy(FreeBusyAccessLevel.AvailabilityOnly)));
    }
}
