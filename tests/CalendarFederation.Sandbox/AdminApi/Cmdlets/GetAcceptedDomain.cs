using System.Text.Json.Nodes;
using static CalendarFederation.Sandbox.AdminApi.ExchangeObjects;

namespace CalendarFederation.Sandbox.AdminApi.Cmdlets;

/// <summary>Get-AcceptedDomain: one Authoritative object per tenant domain; -Identity picks one (by name, domain or GUID).</summary>
public sealed class GetAcceptedDomain : IAdminCmdlet
{
    public string Name => "Get-AcceptedDomain";

    public IReadOnlyCollection<string> Parameters { get; } = new[] { "Identity", "ResultSize", "DomainController" };

    public Task<IReadOnlyList<JsonObject>?> InvokeAsync(CmdletContext context, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant;
        string defaultDomain = tenant.DefaultDomain ?? tenant.InitialDomain ?? tenant.Domains.FirstOrDefault() ?? "";
        var list = new List<JsonObject>();
        var domains = new List<string>(tenant.Domains);
        if (tenant.InitialDomain != null && !domains.Any(d => string.Equals(d, tenant.InitialDomain, StringComparison.OrdinalIgnoreCase)))
        {
            domains.Add(tenant.InitialDomain);
        }
        foreach (string domain in domains)
        {
            Guid guid = ExchangeTenantState.StableGuid(tenant.Id, "AcceptedDomain|" + domain);
            bool initial = string.Equals(domain, tenant.InitialDomain, StringComparison.OrdinalIgnoreCase);
            var o = new JsonObject
            {
                ["Name"] = domain,
                ["DomainName"] = domain,
                ["DomainType"] = "Authoritative",
                ["Default"] = string.Equals(domain, defaultDomain, StringComparison.OrdinalIgnoreCase),
                ["InitialDomain"] = initial,
                ["AuthenticationType"] = "Managed",
                ["MatchSubDomains"] = false,
                ["AddressBookEnabled"] = true,
                ["IsCoexistenceDomain"] = false,
                ["LiveIdInstanceType"] = "Business",
                ["EmailOnly"] = false,
                ["ExternallyManaged"] = false,
                ["OutboundOnly"] = false,
                ["PendingCompletion"] = false,
                ["PendingRemoval"] = false,
                ["SendingFromDomainDisabled"] = false,
                ["AdminDisplayName"] = "",
                ["ObjectCategory"] = $"{Partition}/Configuration/Schema/ms-Exch-Accepted-Domain",
            };
            AddCommon(o, context.Exchange, guid, domain,
                $"CN={domain},CN=Accepted Domains,CN=Transport Settings,{ConfigurationDn(tenant)}", new[] { "top", "msExchAcceptedDomain" });
            o["OrganizationId"] = OrganizationId(tenant);
            list.Add(o);
        }
        string? identity = context.GetString("Identity");
        if (identity != null)
        {
            list = list.Where(o => string.Equals((string?)o["Name"], identity, StringComparison.OrdinalIgnoreCase)
                || string.Equals((string?)o["Guid"], identity, StringComparison.OrdinalIgnoreCase)).ToList();
            if (list.Count == 0) throw ExchangeErrorException.ObjectNotFound(identity);
        }
        return Task.FromResult<IReadOnlyList<JsonObject>?>(list);
    }
}
