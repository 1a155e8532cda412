using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;
using Xunit;
using static CalendarFederation.Engine.Tests.Fleet.FleetWorld;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>The fleet planner alone: definitions and states in memory, rows out (docs/fleet.md §2).</summary>
public sealed class FleetPlannerTests
{
    private const FleetObjectType Xtap = FleetObjectType.CrossTenantAccess;
    private const FleetObjectType OrgRel = FleetObjectType.OrganizationRelationship;

    [Fact]
    public void Auto_is_the_cross_tenant_access_policy_and_a_missing_grant_is_created_on_both_sides()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")), States(State("contoso"), State("fabrikam")), Now);

        Assert.Equal(2, plan.Changes.Count);
        FleetPlanChange c = Row(plan, "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Create, c.Action);
        Assert.Equal(FederationMethod.CrossTenantAccess, c.Method);
        Assert.Equal(FleetOrder.Grant, c.Order);
        Assert.Equal(FabrikamId, c.Identity);
        Assert.Equal("contoso -> fabrikam", c.Direction);
        Assert.Equal("(none)", c.Before);
        Assert.Equal("AvailabilityOnly", c.After);
        Assert.Equal(FabrikamId, c.AccessRequest!.PartnerTenantId);
        Assert.Equal(FreeBusyAccessLevel.AvailabilityOnly, c.AccessRequest.FreeBusy);
        Assert.Contains("no partner configuration for fabrikam", c.Reason);
        Assert.Equal(ContosoId, Row(plan, "fabrikam", "contoso", Xtap).Identity);
    }

    [Fact]
    public void A_grant_at_another_level_is_updated_and_the_reason_says_both_levels()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam", Share("LimitedDetails"))),
            States(State("contoso", null, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly)), State("fabrikam", null, Grant("contoso", FreeBusyAccessLevel.LimitedDetails))), Now);

        FleetPlanChange c = Row(plan, "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Update, c.Action);
        Assert.Equal("AvailabilityOnly", c.Before);
        Assert.Equal("LimitedDetails", c.After);
        Assert.Equal("the file asks for LimitedDetails; the tenant grants AvailabilityOnly.", c.Reason);
        FleetPlanChange f = Row(plan, "fabrikam", "contoso", Xtap);
        Assert.Equal(FleetAction.Nothing, f.Action);
        Assert.Equal("matches the file.", f.Reason);
    }

    [Fact]
    public void A_scope_is_compared_by_the_resolved_group_and_shown_by_name()
    {
        FleetTenantState contoso = State("contoso", null, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly));
        contoso.ScopeGroups["Sales"] = new ScopeGroup("Sales", SalesId, "Sales", "sales@contoso.com", "MailUniversalSecurityGroup");
        var def = Definition(OneWay("contoso", "fabrikam", Share(scope: "Sales")));
        FleetPlan plan = FleetPlanner.Plan(def, States(contoso, State("fabrikam")), Now);

        FleetPlanChange c = Row(plan, "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Update, c.Action);
        Assert.Equal("AvailabilityOnly; scope Sales", c.After);
        Assert.Contains("the file asks for scope Sales; the tenant grants all users", c.Reason);
        Assert.Equal(new[] { SalesId }, c.AccessRequest!.FreeBusyScope);

        FleetTenantState scoped = State("contoso", null, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly, SalesId));
        scoped.ScopeGroups["Sales"] = contoso.ScopeGroups["Sales"];
        scoped.CrossTenantAccess!.GroupNames[SalesId] = "Sales";
        FleetPlanChange same = Row(FleetPlanner.Plan(def, States(scoped, State("fabrikam")), Now), "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Nothing, same.Action);
        Assert.Equal("AvailabilityOnly; scope Sales", same.Before);
    }

    [Fact]
    public void A_scope_group_that_does_not_resolve_is_still_planned_and_the_reason_names_it()
    {
        FleetTenantState contoso = State("contoso");
        contoso.ScopeErrors["Nope"] = new EngineException(ErrorIds.ScopeGroupNotFound, ErrorKind.ObjectNotFound, "Exchange knows no mail-enabled group 'Nope'.", "Nope");
        FleetPlan plan = FleetPlanner.Plan(Definition(OneWay("contoso", "fabrikam", Share(scope: "Nope"))), States(contoso, State("fabrikam")), Now);

        FleetPlanChange c = Row(plan, "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Create, c.Action);
        Assert.Contains("'Nope' was not found in contoso (ScopeGroupNotFound", c.Reason);
    }

    [Fact]
    public void Enabled_legacy_relationships_on_both_sides_are_disabled_in_the_cut_over_phase_after_the_grants()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")),
            States(State("contoso", new[] { Relationship("Fabrikam", "fabrikam") }), State("fabrikam", new[] { Relationship("Contoso", "contoso", level: "LimitedDetails") })), Now);

        Assert.Equal(new[] { FleetOrder.Grant, FleetOrder.Grant, FleetOrder.CutOver, FleetOrder.CutOver }, plan.Changes.Select(c => c.Order));
        FleetPlanChange d = Row(plan, "fabrikam", "contoso", OrgRel);
        Assert.Equal(FleetAction.Disable, d.Action);
        Assert.Equal(FederationMethod.CrossTenantAccess, d.Method);
        Assert.Equal("Contoso", d.Identity);
        Assert.Equal("enabled, LimitedDetails", d.Before);
        Assert.Equal("disabled", d.After);
        Assert.Contains("legacy wins while enabled", d.Reason);
        Assert.Equal(false, Assert.Single(d.RelationshipPlan!.Settings).Value);
    }

    [Fact]
    public void Each_change_records_the_state_it_was_planned_against_as_the_executor_fingerprints_it()
    {
        AdminObject legacy = Relationship("Contoso", "contoso");
        PartnerAccessState grant = Grant("fabrikam", FreeBusyAccessLevel.LimitedDetails);
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")),
            States(State("contoso", null, grant), State("fabrikam", new[] { legacy })), Now);

        // An update of contoso's grant, a create of fabrikam's, and the cut-over of fabrikam's relationship.
        FleetPlanChange update = Row(plan, "contoso", "fabrikam", Xtap);
        Assert.Equal(FleetAction.Update, update.Action);
        Assert.Equal(FleetStateFingerprint.Access(grant), update.BeforeState);
        FleetPlanChange create = Row(plan, "fabrikam", "contoso", Xtap);
        Assert.Equal(FleetAction.Create, create.Action);
        Assert.Equal(FleetStateFingerprint.Absent, create.BeforeState);
        FleetPlanChange disable = Row(plan, "fabrikam", "contoso", OrgRel);
        Assert.Equal(FleetAction.Disable, disable.Action);
        Assert.Equal(FleetStateFingerprint.Relationship(legacy), disable.BeforeState);

        // The organization relationship method: a relationship to create was absent; one to update had its settings.
        var s = Share(method: FederationMethod.OrganizationRelationship);
        FleetPlan legacyPlan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam", s)),
            States(State("contoso"), State("fabrikam", new[] { Relationship("Contoso", "contoso", level: "LimitedDetails") })), Now);
        Assert.Equal(FleetStateFingerprint.Absent, Row(legacyPlan, "contoso", "fabrikam", OrgRel).BeforeState);
        Assert.Equal(FleetStateFingerprint.Relationship(Relationship("Contoso", "contoso", level: "LimitedDetails")), Row(legacyPlan, "fabrikam", "contoso", OrgRel).BeforeState);
    }

    [Fact]
    public void A_disabled_legacy_relationship_is_left_alone()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")),
            States(State("contoso", new[] { Relationship("Fabrikam", "fabrikam", enabled: false) }, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly)),
                State("fabrikam", null, Grant("contoso", FreeBusyAccessLevel.AvailabilityOnly))), Now);

        Assert.All(plan.Changes, c => Assert.Equal(FleetAction.Nothing, c.Action));
        Assert.DoesNotContain(plan.Changes, c => c.ObjectType == OrgRel);
    }

    [Fact]
    public void One_way_removes_the_reverse_grant_in_the_cleanup_phase()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(OneWay("contoso", "fabrikam")),
            States(State("contoso", null, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly)), State("fabrikam", null, Grant("contoso", FreeBusyAccessLevel.LimitedDetails))), Now);

        FleetPlanChange r = Row(plan, "fabrikam", "contoso", Xtap);
        Assert.Equal(FleetAction.Remove, r.Action);
        Assert.Equal(FleetOrder.Cleanup, r.Order);
        Assert.Equal("LimitedDetails", r.Before);
        Assert.Equal("(none)", r.After);
        Assert.Equal(FreeBusyAccessLevel.None, r.AccessRequest!.FreeBusy);
        Assert.Equal(FleetAction.Nothing, Row(plan, "contoso", "fabrikam", Xtap).Action);
        Assert.Equal(FleetAction.Remove, plan.Changes.Last().Action);
    }

    [Fact]
    public void One_way_with_nothing_granted_back_is_nothing_by_design()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(OneWay("contoso", "fabrikam")),
            States(State("contoso", null, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly)), State("fabrikam")), Now);

        FleetPlanChange r = Row(plan, "fabrikam", "contoso", Xtap);
        Assert.Equal(FleetAction.Nothing, r.Action);
        Assert.Contains("not shared by the file's design", r.Reason);
    }

    [Fact]
    public void An_unreadable_tenant_makes_its_pairs_unknown_and_nothing_is_planned_against_either_side()
    {
        // fabrikam holds a legacy relationship for contoso and no grant: were its failed read taken for "absent", contoso would
        // get a Create and the relationship in contoso a Disable. Neither may happen.
        var def = Definition(Between("contoso", "fabrikam").Concat(Between("contoso", "tailspin")).ToArray());
        FleetPlan plan = FleetPlanner.Plan(def,
            States(State("contoso", new[] { Relationship("Fabrikam", "fabrikam") }), Unreadable("fabrikam"), State("tailspin")), Now);

        FleetPlanChange[] pair = plan.Changes.Where(c => c.Tenant == "fabrikam" || c.Partner == "fabrikam").ToArray();
        Assert.Equal(2, pair.Length);
        Assert.All(pair, c =>
        {
            Assert.Equal(FleetAction.Unknown, c.Action);
            Assert.Contains("fabrikam could not be read (AccessDenied)", c.Reason);
            Assert.Null(c.AccessRequest);
            Assert.Null(c.RelationshipPlan);
        });
        Assert.DoesNotContain(plan.Changes, c => c.ObjectType == OrgRel);
        // The readable pair is planned as usual.
        Assert.Equal(FleetAction.Create, Row(plan, "contoso", "tailspin", Xtap).Action);
    }

    [Fact]
    public void A_tenant_missing_from_the_states_is_unknown_too()
    {
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")), States(State("contoso")), Now);
        Assert.All(plan.Changes, c => Assert.Equal(FleetAction.Unknown, c.Action));
        Assert.Equal(2, plan.Changes.Count);
    }

    [Fact]
    public void Excluded_pairs_and_pairs_the_file_does_not_list_are_left_alone()
    {
        var def = Definition(Between("contoso", "fabrikam").Concat(Between("fabrikam", "tailspin")).ToArray());
        def.ExcludedPairs.Add(FleetNames.PairKey("tailspin", "fabrikam"));
        // contoso grants tailspin and has a relationship for it: not in the file, so not planned.
        FleetPlan plan = FleetPlanner.Plan(def, States(
            State("contoso", new[] { Relationship("Tailspin", "tailspin") }, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly), Grant("tailspin", FreeBusyAccessLevel.LimitedDetails)),
            State("fabrikam", null, Grant("contoso", FreeBusyAccessLevel.AvailabilityOnly)), Unreadable("tailspin")), Now);

        Assert.Equal(2, plan.Changes.Count);
        Assert.All(plan.Changes, c => Assert.Equal(FleetAction.Nothing, c.Action));
        Assert.DoesNotContain(plan.Changes, c => c.Tenant == "tailspin" || c.Partner == "tailspin");
    }

    [Fact]
    public void Organization_relationship_method_creates_updates_and_leaves_relationships()
    {
        var s = Share("LimitedDetails", FederationMethod.OrganizationRelationship);
        FleetPlan plan = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam", s)),
            States(State("contoso"), State("fabrikam", new[] { Relationship("Contoso Ltd", "contoso") })), Now);

        FleetPlanChange create = Row(plan, "contoso", "fabrikam", OrgRel);
        Assert.Equal(FleetAction.Create, create.Action);
        Assert.Equal(FederationMethod.OrganizationRelationship, create.Method);
        Assert.Equal("fabrikam", create.Identity);
        Assert.Equal("(none)", create.Before);
        Assert.Equal("enabled, LimitedDetails", create.After);
        Assert.Equal("fabrikam.onmicrosoft.com", create.PartnerDiscoveryDomain);
        Assert.Equal(SideAction.Create, create.RelationshipPlan!.Action);
        Assert.Equal(new[] { "fabrikam.onmicrosoft.com", "fabrikam.com" }, create.RelationshipPlan.DomainsToAdd);
        Assert.Contains(create.RelationshipPlan.Settings, p => p.Key == "FreeBusyAccessLevel" && (string?)p.Value == "LimitedDetails");

        FleetPlanChange update = Row(plan, "fabrikam", "contoso", OrgRel);
        Assert.Equal(FleetAction.Update, update.Action);
        Assert.Equal("Contoso Ltd", update.Identity);
        Assert.Equal("enabled, AvailabilityOnly", update.Before);
        Assert.Equal("the file asks for LimitedDetails; the tenant grants AvailabilityOnly.", update.Reason);
        Assert.Equal("FreeBusyAccessLevel", Assert.Single(update.RelationshipPlan!.Settings).Key);

        FleetPlan again = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam", s)),
            States(State("contoso", new[] { Relationship("Fabrikam", "fabrikam", level: "LimitedDetails") }),
                State("fabrikam", new[] { Relationship("Contoso Ltd", "contoso", level: "LimitedDetails") })), Now);
        Assert.All(again.Changes, c => Assert.Equal(FleetAction.Nothing, c.Action));
    }

    [Fact]
    public void Organization_relationship_one_way_turns_the_reverse_free_busy_off_and_keeps_the_relationship_for_lookups()
    {
        var s = Share(method: FederationMethod.OrganizationRelationship);
        FleetPlan plan = FleetPlanner.Plan(Definition(OneWay("contoso", "fabrikam", s)),
            States(State("contoso", new[] { Relationship("Fabrikam", "fabrikam") }), State("fabrikam", new[] { Relationship("Contoso", "contoso") })), Now);

        FleetPlanChange d = Row(plan, "fabrikam", "contoso", OrgRel);
        Assert.Equal(FleetAction.Disable, d.Action);
        Assert.Equal(FleetOrder.Cleanup, d.Order);
        Assert.Equal("enabled, free/busy off", d.After);
        Assert.Equal(new[] { "FreeBusyAccessEnabled" }, d.RelationshipPlan!.Settings.Select(p => p.Key));
        Assert.Equal(FleetAction.Nothing, Row(plan, "contoso", "fabrikam", OrgRel).Action);
    }

    [Fact]
    public void Rows_are_sorted_by_order_then_tenant_then_partner()
    {
        var def = Definition(Between("tailspin", "contoso").Concat(OneWay("fabrikam", "contoso")).ToArray());
        FleetPlan plan = FleetPlanner.Plan(def, States(
            State("contoso", new[] { Relationship("Tailspin", "tailspin") }, Grant("fabrikam", FreeBusyAccessLevel.AvailabilityOnly)),
            State("fabrikam"), State("tailspin")), Now);

        Assert.Equal(new[]
        {
            "Grant contoso tailspin", "Grant fabrikam contoso", "Grant tailspin contoso", "CutOver contoso tailspin", "Cleanup contoso fabrikam",
        }, plan.Changes.Select(c => $"{c.Order} {c.Tenant} {c.Partner}"));
    }

    [Fact]
    public void Change_ids_are_stable_and_differ_with_the_target()
    {
        var states = States(State("contoso"), State("fabrikam"));
        FleetPlan first = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")), states, Now);
        FleetPlan second = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam")), states, Now.AddHours(1));
        FleetPlan other = FleetPlanner.Plan(Definition(Between("contoso", "fabrikam", Share("LimitedDetails"))), states, Now);

        Assert.Equal(first.Changes.Select(c => c.ChangeId), second.Changes.Select(c => c.ChangeId));
        Assert.All(first.Changes, c => Assert.Matches("^[0-9a-f]{16}$", c.ChangeId));
        Assert.NotEqual(first.Changes[0].ChangeId, first.Changes[1].ChangeId);
        Assert.NotEqual(first.Changes[0].ChangeId, other.Changes[0].ChangeId);
        Assert.Equal(FleetChangeIds.For("contoso", Xtap, FabrikamId, FleetAction.Create, "AvailabilityOnly"), Row(first, "contoso", "fabrikam", Xtap).ChangeId);
        Assert.Equal(FleetChangeIds.For("CONTOSO", Xtap, FabrikamId.ToUpperInvariant(), FleetAction.Create, "availabilityonly"),
            FleetChangeIds.For("contoso", Xtap, FabrikamId, FleetAction.Create, "AvailabilityOnly"));
    }
}
