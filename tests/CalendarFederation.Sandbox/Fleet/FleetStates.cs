using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Graph;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Fleet;

/// <summary>
/// Puts a pair of fleet tenants into its <see cref="FleetKind"/>, with sandbox.json's own seeding: organizationRelationships,
/// crossTenantAccess (the X-TAP control shape), ewsEnabled/ewsBlock, and standing fault rules. The grants are what the
/// module writes (src/CalendarFederation.Engine/CrossTenantAccess/XtapDecisions.cs D5, CollaborationTrust.AllUsersAllowed):
/// an AllUsers trust and the availability capability for {"resourceId":"All","resourceType":"user"} or for groups.
/// </summary>
public static class FleetStates
{
    /// <summary>What Exchange stores for a relationship made from Get-FederationInformation's answer for a Microsoft 365 partner.</summary>
    public const string TargetApplicationUri = "outlook.com";
    public const string TargetAutodiscoverEpr = "https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity";

    /// <summary>When the seeded grants were last changed (fixed, so a fleet's state is the same on every run).</summary>
    public const string GrantedAt = "2026-06-01T08:00:00.0000000Z";

    public static void Apply(FleetKind kind, TenantConfig first, TenantConfig second)
    {
        switch (kind)
        {
            case FleetKind.Migrated:
                Grant(first, second, M365CapabilityNames.AvailabilityBasic, null);
                Grant(second, first, M365CapabilityNames.AvailabilityBasic, null);
                Relate(first, second, FreeBusyLevel.AvailabilityOnly, enabled: false);
                Relate(second, first, FreeBusyLevel.AvailabilityOnly, enabled: false);
                break;
            case FleetKind.LegacyOnly:
            case FleetKind.LegacyKept:
            case FleetKind.Unreadable:
                Legacy(first, second, FreeBusyLevel.AvailabilityOnly);
                break;
            case FleetKind.EwsBlocked:
                Legacy(first, second, FreeBusyLevel.AvailabilityOnly);
                foreach (TenantConfig t in new[] { first, second })
                {
                    t.EwsEnabled = false;
                    t.EwsBlock = true;
                }
                break;
            case FleetKind.OneWay:
                Grant(first, second, M365CapabilityNames.AvailabilityBasic, null);
                break;
            case FleetKind.Scoped:
                Grant(first, second, M365CapabilityNames.AvailabilityBasic, first.Groups.First(g => g.Name == FleetSeed.ScopeGroup).ObjectId);
                Grant(second, first, M365CapabilityNames.AvailabilityBasic, null);
                break;
            case FleetKind.DriftCrossTenantAccess:
                Grant(first, second, M365CapabilityNames.AvailabilityLimitedDetails, null);
                Grant(second, first, M365CapabilityNames.AvailabilityBasic, null);
                break;
            case FleetKind.DriftRelationship:
                Legacy(first, second, FreeBusyLevel.AvailabilityOnly);
                first.OrganizationRelationships[0].FreeBusyAccessLevel = FreeBusyLevel.LimitedDetails;
                break;
        }
    }

    /// <summary>
    /// Every admin API call of the tenant and every Graph GET made with its token answer 500 in the service's error shape
    /// (500 is not retried by the module, so a plan reports the tenant at once rather than after back-offs).
    /// </summary>
    public static IEnumerable<FaultRule> UnreadableFaults(TenantConfig tenant)
    {
        yield return new FaultRule
        {
            Id = "fleet-unreadable-adminapi-" + tenant.Name,
            Service = "adminapi",
            Tenant = tenant.Id.ToString(),
            Status = 500,
            RawBody = ExchangeErrorException.Render("InternalServerError", "Error executing cmdlet",
                "|Microsoft.Exchange.Data.Directory.ADOperationException|Active Directory operation failed on " + ExchangeErrorException.ServerName
                + ". This error is not retriable. Additional information: The directory service is unavailable for this organization.",
                "The directory service is unavailable for this organization.", "Microsoft.Exchange.Data.Directory.ADOperationException", "ServerError")
                .ToJsonString(Identity.Jwt.WireJson),
        };
        yield return new FaultRule
        {
            Id = "fleet-unreadable-graph-" + tenant.Name,
            Service = "graph",
            Method = "GET",
            Tenant = tenant.Id.ToString(),
            Status = 500,
            RawBody = new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = "Service_InternalServerError",
                    ["message"] = "Encountered an internal server error.",
                    ["innerError"] = new JsonObject
                    {
                        ["date"] = "2026-06-01T08:00:00",
                        ["request-id"] = ExchangeTenantState.StableGuid(tenant.Id, "FleetGraphFault").ToString(),
                        ["client-request-id"] = ExchangeTenantState.StableGuid(tenant.Id, "FleetGraphFault").ToString(),
                    },
                },
            }.ToJsonString(Identity.Jwt.WireJson),
        };
    }

    /// <summary>Relationships both ways, enabled, at <paramref name="level"/>; EWS explicitly enabled on both sides (what legacy free/busy needs once the block comes).</summary>
    private static void Legacy(TenantConfig first, TenantConfig second, FreeBusyLevel level)
    {
        Relate(first, second, level, enabled: true);
        Relate(second, first, level, enabled: true);
        first.EwsEnabled = true;
        second.EwsEnabled = true;
    }

    /// <summary><paramref name="from"/>'s relationship for <paramref name="to"/>: named after the partner, its two domains.</summary>
    private static void Relate(TenantConfig from, TenantConfig to, FreeBusyLevel level, bool enabled) =>
        from.OrganizationRelationships.Add(new OrganizationRelationship
        {
            Name = to.Name,
            DomainNames = new List<string> { FleetSeed.Domain(to.Name), FleetSeed.Organization(to.Name) },
            Enabled = enabled,
            FreeBusyAccessEnabled = true,
            FreeBusyAccessLevel = level,
            TargetApplicationUri = TargetApplicationUri,
            TargetAutodiscoverEpr = TargetAutodiscoverEpr,
        });

    /// <summary>
    /// <paramref name="from"/> grants <paramref name="to"/>'s users its free/busy: a partner configuration with the AllUsers
    /// trust and one availability capability, for everyone or for <paramref name="group"/>.
    /// </summary>
    private static void Grant(TenantConfig from, TenantConfig to, string capability, Guid? group)
    {
        JsonObject scope = group == null
            ? new JsonObject { ["resourceId"] = "All", ["resourceType"] = "user" }
            : new JsonObject { ["resourceId"] = group.Value.ToString(), ["resourceType"] = "group" };
        var partner = new JsonObject
        {
            ["tenantId"] = to.Id.ToString(),
            ["m365CollaborationInbound"] = new JsonObject { ["users"] = CrossTenantAccessPolicy.TargetConfiguration("allowed", "AllUsers", "user") },
            ["m365Capabilities"] = new JsonArray(new JsonObject
            {
                ["@odata.type"] = "#microsoft.graph." + capability,
                ["lastModifiedDateTime"] = GrantedAt,
                ["inboundAccess"] = new JsonObject
                {
                    ["isAllowed"] = true,
                    ["resourceScopes"] = new JsonObject { ["included"] = new JsonArray(scope), ["excluded"] = new JsonArray() },
                },
            }),
        };
        from.CrossTenantAccess ??= new JsonObject { ["partners"] = new JsonArray() };
        ((JsonArray)from.CrossTenantAccess["partners"]!).Add(partner);
    }
}
