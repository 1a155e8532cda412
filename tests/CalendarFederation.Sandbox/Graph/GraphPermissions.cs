namespace CalendarFederation.Sandbox.Graph;

/// <summary>
/// What a Graph operation needs: one of <see cref="Permissions"/> (delegated: in scp; app-only: in roles, as application
/// permissions) and, for a delegated caller, one of the directory <see cref="Roles"/> (none: no role needed).
/// </summary>
public sealed record GraphPermission(string Operation, IReadOnlyList<string> Permissions, IReadOnlyList<string> Roles);

/// <summary>
/// The permissions and roles of the cross-tenant access policy and tenant information calls
/// (docs/cross-tenant-access.md §2.2-§2.4 and §3: Learn's pages for partner get/update, m365Capabilities list/create,
/// the rbac include, findTenantInformationByDomainName).
/// </summary>
public static class GraphPermissions
{
    public const string PolicyReadAll = "Policy.Read.All";
    public const string CrossTenantAccess = "Policy.ReadWrite.CrossTenantAccess";
    public const string CrossTenantCapability = "Policy.ReadWrite.CrossTenantCapability";
    public const string TenantInformation = "CrossTenantInformation.ReadBasic.All";

    public const string GlobalAdministrator = "Global Administrator";
    public const string GlobalReader = "Global Reader";
    public const string SecurityAdministrator = "Security Administrator";
    public const string SecurityReader = "Security Reader";
    public const string TeamsAdministrator = "Teams Administrator";
    public const string GlobalSecureAccessAdministrator = "Global Secure Access Administrator";
    public const string ExchangeAdministrator = "Exchange Administrator";

    /// <summary>GET default, GET partners, GET partner (L-PGET's roles).</summary>
    public static readonly GraphPermission ReadPolicy = new("read the cross-tenant access policy",
        new[] { PolicyReadAll, CrossTenantAccess },
        new[] { GlobalReader, SecurityReader, SecurityAdministrator, GlobalAdministrator, TeamsAdministrator, GlobalSecureAccessAdministrator });

    /// <summary>POST/PATCH/DELETE partner, PATCH default, the trust included (L-PPOST, L-PUPD; Global Administrator per the guide).</summary>
    public static readonly GraphPermission WritePolicy = new("change the cross-tenant access policy",
        new[] { CrossTenantAccess },
        new[] { SecurityAdministrator, GlobalAdministrator, TeamsAdministrator });

    /// <summary>GET m365Capabilities (list or one), on the default or a partner.</summary>
    public static readonly GraphPermission ReadCapabilities = new("read Microsoft 365 capabilities",
        new[] { PolicyReadAll, CrossTenantCapability },
        new[] { GlobalReader, SecurityReader, SecurityAdministrator, GlobalAdministrator, ExchangeAdministrator });

    /// <summary>findTenantInformationByDomainName: "doesn't require the calling user to be assigned any Microsoft Entra role" (L-FTI).</summary>
    public static readonly GraphPermission ReadTenantInformation = new("read tenant information", new[] { TenantInformation }, Array.Empty<string>());

    /// <summary>The capabilities an Exchange Administrator may write: MailTips, Calendar Sharing and Free/Busy (G-RBAC-W).</summary>
    public static bool ExchangeAdministratorMayWrite(string capability) =>
        capability.StartsWith("crossTenantMailTips", StringComparison.Ordinal)
        || capability.StartsWith("crossTenantCalendarSharing", StringComparison.Ordinal)
        || capability.StartsWith("anonymousCalendarSharing", StringComparison.Ordinal)
        || capability.StartsWith("crossTenantCalendarAvailability", StringComparison.Ordinal);

    /// <summary>POST/PATCH/DELETE of one capability: Global Administrator, or Exchange Administrator for MailTips, Calendar Sharing and Free/Busy.</summary>
    public static GraphPermission WriteCapability(string capability) => new("change Microsoft 365 capabilities",
        new[] { CrossTenantCapability },
        ExchangeAdministratorMayWrite(capability) ? new[] { GlobalAdministrator, ExchangeAdministrator } : new[] { GlobalAdministrator });

    /// <summary>The permission (scp or roles) check; throws Graph's 403 with what was missing for the log.</summary>
    public static void RequirePermission(GraphCaller caller, GraphPermission need)
    {
        IReadOnlyList<string> held = caller.IsApp ? caller.AppRoles : caller.Scopes;
        if (!need.Permissions.Any(p => held.Contains(p, StringComparer.OrdinalIgnoreCase)))
        {
            throw GraphException.Forbidden("permission " + string.Join("|", need.Permissions));
        }
    }

    /// <summary>The directory role check (delegated callers only; app-only tokens need no role).</summary>
    public static void RequireRole(GraphCaller caller, GraphPermission need)
    {
        if (caller.IsApp || need.Roles.Count == 0) return;
        if (!need.Roles.Any(r => caller.DirectoryRoles.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            throw GraphException.Forbidden("role " + string.Join("|", need.Roles));
        }
    }

    public static void Require(GraphCaller caller, GraphPermission need)
    {
        RequirePermission(caller, need);
        RequireRole(caller, need);
    }
}
