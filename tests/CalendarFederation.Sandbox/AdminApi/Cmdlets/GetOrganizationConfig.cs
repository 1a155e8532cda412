using System.Text.Json.Nodes;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-OrganizationConfig: one object; IsDehydrated comes from the tenant's (mutable) Exchange state.</summary>
public sealed class GetOrganizationConfig : IAdminCmdlet
{
    public string Name => "Get-OrganizationConfig";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "DomainController", "Identity" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant;
        string org = tenant.OrganizationDomain;
        string? identity = context.GetString("Identity");
        if (identity != null
            && !string.Equals(identity, org, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(identity, tenant.Name, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(identity, tenant.Id.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            throw ExchangeErrorException.ObjectNotFound(identity);
        }
        Guid guid = ExchangeTenantState.StableGuid(tenant.Id, "OrganizationConfig");
        var o = new JsonObject
        {
            ["Name"] = org,
            ["DisplayName"] = tenant.DisplayName ?? Capitalize(tenant.Name),
            ["IsDehydrated"] = context.Exchange.IsDehydrated,
            ["OrganizationalUnitRoot"] = org,
            ["ActivityBasedAuthenticationTimeoutEnabled"] = true,
            ["ActivityBasedAuthenticationTimeoutInterval"] = "06:00:00",
            ["AuditDisabled"] = false,
            ["AutoExpandingArchiveEnabled"] = false,
            ["CustomerLockboxEnabled"] = false,
            ["DefaultPublicFolderAgeLimit"] = null,
            ["EwsEnabled"] = context.Exchange.Legacy.EwsEnabled,
            ["FocusedInboxOn"] = true,
            ["MailTipsAllTipsEnabled"] = true,
            ["MailTipsExternalRecipientsTipsEnabled"] = false,
            ["MailTipsGroupMetricsEnabled"] = true,
            ["MailTipsLargeAudienceThreshold"] = 25,
            ["MailTipsMailboxSourcedTipsEnabled"] = true,
            ["OAuth2ClientProfileEnabled"] = true,
            ["PublicFoldersEnabled"] = "Local",
            ["SendFromAliasEnabled"] = false,
            ["IsMixedMode"] = false,
            ["AdminDisplayName"] = "",
            ["ObjectCategory"] = $"{Partition}/Configuration/Schema/ms-Exch-Organization-Container",
        };
        AddCommon(o, context.Exchange, guid, org, ConfigurationDn(tenant), new[] { "top", "container", "msExchOrganizationContainer" });
        o["OrganizationId"] = OrganizationId(tenant);
        return Task.FromResult<IReadOnlyList<JsonObject>?>(new[] { o });
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
}
