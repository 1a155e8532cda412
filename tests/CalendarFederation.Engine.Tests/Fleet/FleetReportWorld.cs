using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Engine.Fleet;

namespace CalendarFederation.Engine.Tests.Fleet;

/// <summary>
/// Plans built by hand for the federation map: tenants, directions, states and rows as the planner would leave them
/// (the map reads only FleetPlan's shape, docs/fleet.md §2), without the planner.
/// </summary>
public static class FleetReportWorld
{
    public static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    public static FleetPlan Plan(params string[] tenants)
    {
        var def = new FleetDefinition { SourcePath = "fleet.psd1" };
        foreach (string t in tenants) def.Tenants.Add(new FleetTenant { Name = t, Organization = t + ".onmicrosoft.com" });
        var plan = new FleetPlan(def) { ReadAt = Now };
        foreach (FleetTenant t in def.Tenants)
        {
            plan.States[t.Name] = new FleetTenantState(t) { Organization = t.Organization, TenantId = Guid.NewGuid().ToString(), EwsEnabled = true, AcceptedDomains = new[] { t.Organization! } };
        }
        return plan;
    }

    public static FleetPlan Share(this FleetPlan plan, string from, string to, bool shared = true, FederationMethod method = FederationMethod.Auto,
        string level = "AvailabilityOnly")
    {
        plan.Definition.Directions.Add(new FleetDirection(from, to, shared, new FleetShareSettings { Method = method, FreeBusyAccessLevel = level }));
        return plan;
    }

    public static FleetPlan Both(this FleetPlan plan, string a, string b, FederationMethod method = FederationMethod.Auto, string level = "AvailabilityOnly") =>
        plan.Share(a, b, true, method, level).Share(b, a, true, method, level);

    public static FleetPlan OneWay(this FleetPlan plan, string from, string to, FederationMethod method = FederationMethod.Auto) =>
        plan.Share(from, to, true, method).Share(to, from, false, method);

    public static FleetPlan Row(this FleetPlan plan, string tenant, string partner, FleetAction action, FleetOrder order = FleetOrder.Grant,
        FederationMethod method = FederationMethod.CrossTenantAccess, FleetObjectType type = FleetObjectType.CrossTenantAccess, string reason = "the file asks for AvailabilityOnly.")
    {
        plan.Changes.Add(new FleetPlanChange
        {
            Tenant = tenant,
            Partner = partner,
            Direction = tenant + " -> " + partner,
            Action = action,
            Method = method,
            ObjectType = type,
            Identity = partner,
            Before = action == FleetAction.Create ? "(none)" : "AvailabilityOnly",
            After = "AvailabilityOnly",
            Reason = reason,
            Order = order,
        });
        return plan;
    }

    /// <summary>An enabled organization relationship in <paramref name="tenant"/> for <paramref name="partner"/>'s domain.</summary>
    public static FleetPlan Relationship(this FleetPlan plan, string tenant, string partner, bool freeBusy = true)
    {
        FleetTenantState state = plan.States[tenant];
        var relationship = new AdminObject(new List<KeyValuePair<string, object?>>
        {
            new("Name", partner),
            new("DomainNames", new object[] { partner + ".onmicrosoft.com" }),
            new("Enabled", true),
            new("FreeBusyAccessEnabled", freeBusy),
            new("FreeBusyAccessLevel", freeBusy ? "AvailabilityOnly" : "None"),
        });
        state.Relationships = state.Relationships.Append(relationship).ToArray();
        return plan;
    }

    public static FleetPlan Unreadable(this FleetPlan plan, string tenant)
    {
        plan.States[tenant].ReadError = new EngineException(ErrorIds.AccessDenied, ErrorKind.PermissionDenied, "The app lacks the role.", tenant);
        return plan;
    }

    public static FleetReportCell Cell(this FleetPlan plan, string from, string to) =>
        FleetReport.Build(new FleetReportInput(plan)).Cell(from, to) ?? throw new InvalidOperationException("no cell " + from + " -> " + to);
}
