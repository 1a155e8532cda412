using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.Federation;
using static CalendarFederation.Engine.Readiness.ReadinessText;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>One tenant's rows, with the other tenant (when connected) as the partner every object is narrowed to.</summary>
    internal sealed class ReadinessSide
    {
        private readonly TenantInventory _self;
        private readonly TenantInventory? _other;
        private readonly ReadinessInput _input;
        private readonly HashSet<string> _domainFilter;
        private readonly HashSet<string> _tenantFilter;

        public ReadinessSide(TenantInventory self, TenantInventory? other, ReadinessInput input)
        {
            _self = self;
            _other = other;
            _input = input;
            _domainFilter = new HashSet<string>(input.DomainFilter.Select(Norm), StringComparer.OrdinalIgnoreCase);
            _tenantFilter = new HashSet<string>(input.TenantFilter.Select(XtapInventory.Normalize), StringComparer.OrdinalIgnoreCase);
        }

        public TenantInventory Self => _self;

        public TenantInventory? Other => _other;

        public DateTimeOffset Now => _input.Now;

        // The partner's connection in a command: its organization when it was connected (as Test-OrganizationRelationship writes it).
        public string PartnerPlaceholder => _other != null ? "<" + _other.Organization + ">" : "<partner>";

        // R13: '*' and 'Anonymous' rules concern every organization and are left out of a narrowed report.
        public bool Narrowed => _other != null || _domainFilter.Count > 0 || _tenantFilter.Count > 0;

        // --- helpers --------------------------------------------------------------------------------------------

        public ReadinessRow Keep(ReadinessRow row, List<string> reasons, string why, string next)
        {
            row.Verdict = Verdict.KeepLegacy;
            row.CrossTenantAccess = XtapStatus.NotApplicable;
            row.Reason = Sentence(new[] { why }.Concat(reasons));
            row.NextStep = next;
            return row;
        }

        public ReadinessRow NewRow(LegacyObjectType type, string identity, string partner, PartnerKind kind) => new ReadinessRow
        {
            Organization = _self.Organization,
            ObjectType = type,
            Identity = identity,
            Partner = partner,
            PartnerKind = kind,
            EwsEnabled = _self.EwsEnabled,
        };

        // R2. Both sides' EWS when the object depends on the other too; the earlier date wins.
        public void SetDeadline(ReadinessRow row, TenantInventory? alsoOther, bool partnerUnread)
        {
            DateTime date = ReadinessDecisions.DeadlineFor(_self.EwsEnabled, Now);
            string reason = EwsMeaning(_self);
            if (alsoOther != null)
            {
                DateTime theirs = ReadinessDecisions.DeadlineFor(alsoOther.EwsEnabled, Now);
                if (theirs < date) date = theirs;
                reason += "; " + EwsMeaning(alsoOther);
            }
            else if (partnerUnread && Now.UtcDateTime < ReadinessDecisions.EwsRetired)
            {
                reason += "; it also needs EwsEnabled True in the partner's tenant, which was not read";
            }
            row.Deadline = date;
            row.DeadlineReason = reason;
        }

        public string EwsMeaning(TenantInventory t)
        {
            if (Now.UtcDateTime >= ReadinessDecisions.EwsRetired) return "EWS was retired on 2027-04-01: the legacy path has stopped everywhere (passed)";
            return t.EwsEnabled switch
            {
                EwsSetting.True => $"EwsEnabled is True in {t.Organization}: the legacy path works until 2027-04-01",
                EwsSetting.False => $"EwsEnabled is False in {t.Organization}: EWS is off, so the legacy path has stopped there (passed)",
                EwsSetting.NotSet => $"EwsEnabled is not set in {t.Organization}: since 2026-10-01 Microsoft switches such tenants to False gradually, so it can stop any day (at risk now)",
                _ => $"EwsEnabled could not be read in {t.Organization}: counted as not set (at risk now)",
            };
        }

        public string EwsStopGap(string? organization)
        {
            string where = organization == null ? "" : $"in {organization}: ";
            return Now.UtcDateTime >= ReadinessDecisions.EwsRetired ? ""
                : where + "Set-OrganizationConfig -EwsEnabled $true (Exchange Online PowerShell) keeps the legacy path until 2027-04-01";
        }

        // One grant per partner tenant, naming a domain of that tenant (the first that resolved to it).
        public string GrantSteps(GrantCheck check, IReadOnlyList<string> domains, List<string> tenants, CapabilityNeeds needs)
        {
            if (check.Status == XtapStatus.NotAvailable) return $"wait for the cross-tenant access policy to reach {_self.Organization}";
            if (tenants.Count <= 1) return Grant(FirstResolvedDomain(domains, tenants.FirstOrDefault()) ?? domains.FirstOrDefault() ?? "", needs);
            return string.Join("; ", tenants.Select(t => Grant(FirstResolvedDomain(domains, t) ?? domains[0], needs)));
        }

        private string? FirstResolvedDomain(IReadOnlyList<string> domains, string? tenant)
        {
            if (tenant == null) return null;
            foreach (string d in domains)
            {
                if (TenantOf(d) is string t && string.Equals(t, tenant, StringComparison.OrdinalIgnoreCase)) return Norm(d);
            }
            return null;
        }

        public GrantCheck CheckAll(XtapInventory policy, List<string> tenants, CapabilityNeeds needs)
        {
            if (tenants.Count == 0) return new GrantCheck(XtapStatus.Unknown, "the partner's tenant is not known, so its grant cannot be checked");
            List<GrantCheck> checks = tenants.Select(t => policy.Check(t, needs)).ToList();
            // The least granted decides (Missing < Unknown < Partial < Present in what it proves).
            GrantCheck worst = checks.OrderBy(c => Rank(c.Status)).First();
            return checks.Count == 1 ? worst : new GrantCheck(worst.Status, string.Join("; ", checks.Select(c => c.Detail)));
        }

        private static int Rank(XtapStatus s) => s switch
        {
            XtapStatus.NotAvailable => 0,
            XtapStatus.Missing => 1,
            XtapStatus.Unknown => 2,
            XtapStatus.Partial => 3,
            _ => 4,
        };

        public bool Matches(IReadOnlyCollection<string> domains, IReadOnlyCollection<string> tenants)
        {
            if (_other != null)
            {
                bool aboutOther = domains.Any(_other.OwnsDomain) || (_other.TenantId != null && tenants.Contains(_other.TenantId, StringComparer.OrdinalIgnoreCase));
                if (!aboutOther) return false;
            }
            if (_domainFilter.Count == 0 && _tenantFilter.Count == 0) return true;
            return domains.Any(d => _domainFilter.Contains(Norm(d))) || tenants.Any(t => _tenantFilter.Contains(t));
        }

        public List<string> TenantsOf(IEnumerable<string> domains) =>
            domains.Select(TenantOf).Where(t => t != null).Select(t => t!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        private string? TenantOf(string domain)
        {
            if (_other != null && _other.OwnsDomain(domain)) return _other.TenantId;
            return Lookup(domain)?.TenantId;
        }

        private DomainLookup? Lookup(string domain) =>
            _input.Lookups.TryGetValue(domain, out DomainLookup? l) || _input.Lookups.TryGetValue(Norm(domain), out l) ? l : null;

        public IEnumerable<DomainLookup> LookupsOf(IEnumerable<string> domains) =>
            domains.Where(d => _other == null || !_other.OwnsDomain(d)).Select(Lookup).Where(l => l != null).Select(l => l!);
    }
}
