using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What the evaluator works on: the tenants as read, the domain lookups, the time, and the narrowing asked for.</summary>
    public sealed class ReadinessInput
    {
        public TenantInventory Local { get; set; } = new TenantInventory();
        /// <summary>The partner tenant, when -PartnerConnection was given: both sides are then reported, each narrowed to the other.</summary>
        public TenantInventory? Partner { get; set; }
        /// <summary>Lookups by domain (as written and normalised).</summary>
        public IReadOnlyDictionary<string, DomainLookup> Lookups { get; set; } = new Dictionary<string, DomainLookup>();
        public DateTimeOffset Now { get; set; }
        /// <summary>-DomainName, normalised.</summary>
        public IReadOnlyCollection<string> DomainFilter { get; set; } = Array.Empty<string>();
        /// <summary>-PartnerTenantId, and the tenants the -DomainName domains resolved to.</summary>
        public IReadOnlyCollection<string> TenantFilter { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// Turns what was read into rows: one per legacy object, and one OrganizationConfig row per tenant. Pure: no I/O, the
    /// time comes in. Every rule it applies is a ReadinessDecisions entry (R-numbers in the comments).
    /// </summary>
    public static class ReadinessEvaluator
    {
        public static List<ReadinessRow> Evaluate(ReadinessInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            var rows = new List<ReadinessRow>();
            rows.AddRange(new Side(input.Local, input.Partner, input).Rows());
            if (input.Partner != null) rows.AddRange(new Side(input.Partner, input.Local, input).Rows());
            return rows;
        }

        /// <summary>One tenant's rows, with the other tenant (when connected) as the partner every object is narrowed to.</summary>
        private sealed class Side
        {
            private readonly TenantInventory _self;
            private readonly TenantInventory? _other;
            private readonly ReadinessInput _input;
            private readonly HashSet<string> _domainFilter;
            private readonly HashSet<string> _tenantFilter;

            public Side(TenantInventory self, TenantInventory? other, ReadinessInput input)
            {
                _self = self;
                _other = other;
                _input = input;
                _domainFilter = new HashSet<string>(input.DomainFilter.Select(Norm), StringComparer.OrdinalIgnoreCase);
                _tenantFilter = new HashSet<string>(input.TenantFilter.Select(XtapInventory.Normalize), StringComparer.OrdinalIgnoreCase);
            }

            private DateTimeOffset Now => _input.Now;

            // The partner's connection in a command: its organization when it was connected (as Test-OrganizationRelationship writes it).
            private string PartnerPlaceholder => _other != null ? "<" + _other.Organization + ">" : "<partner>";

            // R13: '*' and 'Anonymous' rules concern every organization and are left out of a narrowed report.
            private bool Narrowed => _other != null || _domainFilter.Count > 0 || _tenantFilter.Count > 0;

            public List<ReadinessRow> Rows()
            {
                var rows = new List<ReadinessRow>();
                foreach (LegacyRelationship r in _self.Relationships)
                {
                    ReadinessRow? row = Relationship(r);
                    if (row != null) rows.Add(row);
                }
                foreach (LegacyAddressSpace a in _self.AddressSpaces)
                {
                    ReadinessRow? row = AddressSpace(a);
                    if (row != null) rows.Add(row);
                }
                foreach (LegacySharingPolicy p in _self.SharingPolicies) rows.AddRange(SharingPolicy(p));
                rows.Insert(0, OrganizationConfig(rows));
                return rows;
            }

            // --- organization relationships -------------------------------------------------------------------------

            private ReadinessRow? Relationship(LegacyRelationship r)
            {
                List<string> tenants = TenantsOf(r.Domains);
                if (!Matches(r.Domains, tenants)) return null;
                ReadinessRow row = NewRow(LegacyObjectType.OrganizationRelationship, r.Name, r.Domains.FirstOrDefault() ?? "", r.Kind);
                row.Domains = r.Domains;
                row.PartnerTenantId = tenants.FirstOrDefault();
                var reasons = new List<string>();
                if (tenants.Count > 1) reasons.Add($"its domains belong to {tenants.Count} tenants ({string.Join(", ", tenants)}); each needs its own grant");
                foreach (DomainLookup failed in LookupsOf(r.Domains).Where(l => !l.Resolved)) reasons.Add($"{failed.Domain} did not resolve to a tenant: {failed.Problem}");

                // R5: partners that keep their relationship.
                if (r.Kind == PartnerKind.Hybrid)
                {
                    return Keep(row, reasons, "the partner is this tenant's own on-premises organization (hybrid): the cross-tenant access policy does not replace it; " +
                        "hybrid free/busy moves to the dedicated Exchange hybrid app", "None here: keep it (the Hybrid Configuration Wizard moves hybrid free/busy to the Exchange hybrid app)");
                }
                if (r.Kind == PartnerKind.OnPremises)
                {
                    return Keep(row, reasons, "the partner runs Exchange Server on-premises (the relationship's targets are not Microsoft 365 hosts): no immediate impact, " +
                        "and organization relationships stay for such partners", $"None: keep it (Test-OrganizationRelationship -Identity {Q(r.Name)} checks it)");
                }
                if (r.Kind == PartnerKind.Unknown)
                {
                    if (tenants.Count == 0 && LookupsOf(r.Domains).Any() && LookupsOf(r.Domains).All(l => l.NoTenant))
                    {
                        return Keep(row, reasons, "its targets do not show where the partner runs, and Microsoft Entra ID knows no organization with its domains, so it is not a " +
                            "Microsoft 365 partner", $"None: keep it (Test-OrganizationRelationship -Identity {Q(r.Name)} checks it)");
                    }
                    reasons.Insert(0, "its targets do not show where the partner runs; judged as a Microsoft 365 partner because Microsoft Entra ID knows its tenant");
                }
                if (!r.Enabled) return Disabled(row, r, tenants, reasons);
                if (!r.InEffect)
                {
                    string carries = r.OtherFeatures.Count > 0 ? " (it carries " + string.Join(", ", r.OtherFeatures) + ")" : "";
                    return Keep(row, reasons, "it shares neither free/busy nor MailTips, so it does not depend on EWS for them" + carries +
                        "; the cross-tenant access policy does not replace its other features", "None: keep it for what it carries");
                }
                return InEffect(row, r, tenants, reasons);
            }

            private ReadinessRow Keep(ReadinessRow row, List<string> reasons, string why, string next)
            {
                row.Verdict = Verdict.KeepLegacy;
                row.CrossTenantAccess = XtapStatus.NotApplicable;
                row.Reason = Sentence(new[] { why }.Concat(reasons));
                row.NextStep = next;
                return row;
            }

            // R7: a disabled relationship depends on nothing; it is Migrated when X-TAP gives what it gave.
            private ReadinessRow Disabled(ReadinessRow row, LegacyRelationship r, List<string> tenants, List<string> reasons)
            {
                CapabilityNeeds needs = r.Exposure;
                if (needs.IsEmpty)
                {
                    row.Verdict = Verdict.Migrated;
                    row.CrossTenantAccess = XtapStatus.NotApplicable;
                    row.Reason = Sentence(new[] { "disabled, and it shares no free/busy or MailTips: nothing to migrate" }.Concat(reasons));
                    row.NextStep = $"None (Remove-OrganizationRelationship -Identity {Q(r.Name)} when it is no longer needed)";
                    return row;
                }
                GrantCheck ours = CheckAll(_self.Xtap, tenants, needs);
                row.CrossTenantAccess = ours.Status;
                if (ours.Status == XtapStatus.Present)
                {
                    row.Verdict = Verdict.Migrated;
                    row.Reason = Sentence(new[] { "disabled, and the cross-tenant access policy gives what it gave (" + needs + "): " + ours.Detail }.Concat(reasons));
                    row.NextStep = $"None: once sharing is confirmed from the partner's side, Remove-OrganizationRelationship -Identity {Q(r.Name)} (keep it meanwhile for a rollback)";
                    return row;
                }
                row.Verdict = Verdict.NeedsCrossTenantAccess;
                row.Reason = Sentence(new[]
                {
                    "disabled: it shares nothing now and does not depend on EWS, but the cross-tenant access policy does not give what it gave (" + needs + "), so the partner's " +
                    "users see none of it: " + ours.Detail,
                    $"if that is intended, remove it instead (Remove-OrganizationRelationship -Identity {Q(r.Name)})",
                }.Concat(reasons));
                row.NextStep = GrantSteps(ours, r.Domains, tenants, needs);
                return row;
            }

            private ReadinessRow InEffect(ReadinessRow row, LegacyRelationship r, List<string> tenants, List<string> reasons)
            {
                row.DependsOnEws = true;
                CapabilityNeeds needs = r.Exposure;
                GrantCheck ours = needs.IsEmpty
                    ? GrantCheck.NotApplicable("it exposes nothing of this tenant (free/busy level None, no MailTips): it only lets this tenant's users read the partner")
                    : CheckAll(_self.Xtap, tenants, needs);
                row.CrossTenantAccess = ours.Status;

                // The partner's side: its own relationship for this tenant shares back, and its grant back replaces that (R9).
                GrantCheck back;
                CapabilityNeeds backNeeds = CapabilityNeeds.None;
                bool backInEffect = false;
                if (_other != null)
                {
                    List<LegacyRelationship> theirs = _other.Relationships.Where(x => x.InEffect && x.Domains.Any(_self.OwnsDomain)).ToList();
                    backNeeds = CapabilityNeeds.Combine(theirs.Select(x => x.Exposure));
                    backInEffect = !backNeeds.IsEmpty;
                    back = backInEffect
                        ? _other.Xtap.Check(_self.TenantId ?? _self.Organization, backNeeds)
                        : GrantCheck.NotApplicable($"{_other.Organization} shares nothing back through a relationship of its own");
                    row.PartnerEwsEnabled = _other.EwsEnabled;
                }
                else
                {
                    back = new GrantCheck(XtapStatus.Unknown, "the partner's side was not read (pass -PartnerConnection to check its grant back and its EWS)");
                }
                row.PartnerCrossTenantAccess = back.Status;

                // R3: the target's EWS decides; R2: the deadline of each side the relationship depends on.
                bool exposes = !needs.IsEmpty;
                bool brokenHere = exposes && ReadinessDecisions.EwsIsOff(_self.EwsEnabled, Now);
                bool brokenThere = backInEffect && ReadinessDecisions.EwsIsOff(_other!.EwsEnabled, Now);
                SetDeadline(row, backInEffect ? _other : null, partnerUnread: _other == null);

                bool oursReady = ours.Status == XtapStatus.Present || (ours.Status == XtapStatus.NotApplicable && back.Status == XtapStatus.Present);
                bool backReady = back.Status == XtapStatus.Present || back.Status == XtapStatus.NotApplicable || (_other == null && back.Status == XtapStatus.Unknown);
                bool ready = oursReady && backReady;

                var why = new List<string> { $"enabled, sharing {needs} with the partner over EWS", "this tenant's policy: " + ours.Detail };
                if (_other != null) why.Add($"{_other.Organization}'s grant back: " + back.Detail);
                else why.Add(back.Detail);
                if (r.OtherFeatures.Count > 0) why.Add("it also carries " + string.Join(", ", r.OtherFeatures) + ": move those to a relationship of their own before it is disabled");

                var next = new List<string>();
                string convert = $"Convert-OrganizationRelationship -Identity {Q(r.Name)} -PartnerConnection {PartnerPlaceholder} -DisableLegacy";
                if (brokenHere || brokenThere)
                {
                    row.Verdict = Verdict.BrokenNow;
                    why.Insert(0, brokenHere && brokenThere ? "EWS is off on both sides" : brokenHere ? $"EWS is off in {_self.Organization}, so the partner's users see nothing of it"
                        : $"EWS is off in {_other!.Organization}, so this tenant's users see nothing of the partner");
                    if (ready)
                    {
                        why.Add("the cross-tenant access policy is in place, but the enabled relationship still wins and fails");
                        next.Add(convert);
                    }
                    else
                    {
                        if (brokenHere) next.Add(EwsStopGap(null));
                        if (brokenThere) next.Add(EwsStopGap(_other!.Organization));
                        AddGrants(next, ours, back, r, tenants, needs, backNeeds);
                        next.Add("then " + convert);
                    }
                }
                else if (ready)
                {
                    row.Verdict = Verdict.ReadyToCutOver;
                    why.Add("the legacy relationship still wins while it is enabled on either side");
                    next.Add(convert);
                }
                else
                {
                    row.Verdict = Verdict.NeedsCrossTenantAccess;
                    AddGrants(next, ours, back, r, tenants, needs, backNeeds);
                }
                row.Reason = Sentence(why.Concat(reasons));
                row.NextStep = Steps(next.ToArray());
                return row;
            }

            private void AddGrants(List<string> next, GrantCheck ours, GrantCheck back, LegacyRelationship r, List<string> tenants, CapabilityNeeds needs, CapabilityNeeds backNeeds)
            {
                if (ours.Status == XtapStatus.NotAvailable || back.Status == XtapStatus.NotAvailable)
                {
                    bool here = ours.Status == XtapStatus.NotAvailable;
                    string where = here ? _self.Organization : _other!.Organization;
                    next.Add(Steps($"wait for the cross-tenant access policy to reach {where}", Meanwhile(EwsStopGap(here ? null : where))));
                    return;
                }
                if (ours.Status != XtapStatus.Present && ours.Status != XtapStatus.NotApplicable) next.Add(GrantSteps(ours, r.Domains, tenants, needs));
                if (_other != null && back.Status != XtapStatus.Present && back.Status != XtapStatus.NotApplicable)
                {
                    next.Add($"in {_other.Organization}: " + Grant(_self.PrimaryDomain ?? _self.Organization, backNeeds));
                }
                if (_other == null && ours.Status == XtapStatus.NotApplicable)
                {
                    next.Add($"in the partner's tenant: {Grant(_self.PrimaryDomain ?? _self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly })} " +
                        "(or rerun with -PartnerConnection to check what it grants)");
                }
            }

            // --- availability address spaces ------------------------------------------------------------------------

            private ReadinessRow? AddressSpace(LegacyAddressSpace a)
            {
                var domains = new[] { a.ForestName };
                var tenants = new List<string>();
                if (a.TargetTenantId != null && Guid.TryParse(a.TargetTenantId, out Guid target)) tenants.Add(target.ToString("D"));
                else if (_other != null && _other.OwnsDomain(a.ForestName) && _other.TenantId != null) tenants.Add(_other.TenantId);
                if (!Matches(domains, tenants)) return null;
                ReadinessRow row = NewRow(LegacyObjectType.AvailabilityAddressSpace, a.ForestName, a.ForestName, a.IsToken ? PartnerKind.Microsoft365 : PartnerKind.Unknown);
                row.Domains = domains;
                row.PartnerTenantId = tenants.FirstOrDefault();
                if (!a.IsToken)
                {
                    return Keep(row, new List<string>(), $"its access method is {a.AccessMethod}, which is not part of this change (cross-forest, public folder and " +
                        "Google Workspace address spaces are unaffected)", "None: keep it");
                }
                // R8: the safe reading of OrgWideFBToken.
                row.CrossTenantAccess = XtapStatus.NotApplicable;
                row.Deadline = ReadinessDecisions.AddressSpaceDeadline;
                row.DeadlineReason = "Microsoft says an OrgWideFBToken address space does not depend on EWS, yet lists it as legacy to migrate (UNCONFIRMED): treated as due by 2027-04-01";
                var why = new List<string>
                {
                    "this tenant's users read the partner's free/busy with an organization-wide token; its replacement is the partner granting this tenant free/busy in the partner's own policy",
                    "Microsoft's FAQ says it does not depend on EWS and migrating it is optional, while the same post lists it among the legacy configurations (UNCONFIRMED): treated as legacy to migrate, never as broken by EWS",
                };
                GrantCheck back;
                bool matchedOther = _other != null && (tenants.Contains(_other.TenantId ?? "", StringComparer.OrdinalIgnoreCase) || _other.OwnsDomain(a.ForestName));
                if (matchedOther)
                {
                    back = _other!.Xtap.Check(_self.TenantId ?? _self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly });
                    row.PartnerEwsEnabled = _other.EwsEnabled;
                    why.Add($"{_other.Organization}'s policy: " + back.Detail);
                }
                else
                {
                    back = new GrantCheck(XtapStatus.Unknown, "the partner's policy was not read");
                    why.Add("the partner's policy was not read (pass -PartnerConnection to check it)");
                }
                row.PartnerCrossTenantAccess = back.Status;
                string where = matchedOther ? _other!.Organization : $"{a.ForestName}'s tenant";
                if (back.Status == XtapStatus.Present)
                {
                    row.Verdict = Verdict.ReadyToCutOver;
                    why.Add("the address space still wins while it exists (it has no enable switch)");
                    row.NextStep = $"Remove-AvailabilityAddressSpace -Identity {Q(a.ForestName)} (Exchange Online PowerShell; keep a copy first: Get-AvailabilityAddressSpace {Q(a.ForestName)} | Export-Clixml)";
                }
                else
                {
                    row.Verdict = Verdict.NeedsCrossTenantAccess;
                    row.NextStep = $"in {where}: " + Grant(_self.PrimaryDomain ?? _self.Organization, new CapabilityNeeds { FreeBusy = FreeBusyAccessLevel.AvailabilityOnly });
                }
                row.Reason = Sentence(why);
                return row;
            }

            // --- sharing policies -----------------------------------------------------------------------------------

            private IEnumerable<ReadinessRow> SharingPolicy(LegacySharingPolicy p)
            {
                // R4: a disabled policy, or one no mailbox has, depends on nothing (JP-XTAP FAQ).
                if (!p.IsCandidate || p.Mailboxes == 0) yield break;
                string applies = p.Mailboxes is int n
                    ? "it applies to " + TenantInventory.Count(n, "mailbox", "mailboxes")
                    : _self.MailboxProblem != null ? "the mailboxes could not be counted, so it is assumed to apply (" + _self.MailboxProblem + ")"
                    : "it is the default policy, so it applies to every mailbox without a policy of its own (not counted)";
                foreach (SharingRule rule in p.CalendarRules)
                {
                    bool everyone = rule.IsAnyOrganization || rule.IsAnonymous;
                    if (everyone && Narrowed) continue;
                    var domains = everyone ? Array.Empty<string>() : new[] { rule.Domain };
                    List<string> tenants = everyone ? new List<string>() : TenantsOf(domains);
                    if (!everyone && !Matches(domains, tenants)) continue;
                    DomainLookup? lookup = everyone ? null : LookupsOf(domains).FirstOrDefault();
                    PartnerKind kind = everyone ? PartnerKind.Unknown
                        : tenants.Count > 0 ? PartnerKind.Microsoft365
                        : lookup != null && lookup.NoTenant ? PartnerKind.OnPremises : PartnerKind.Unknown;
                    ReadinessRow row = NewRow(LegacyObjectType.SharingPolicy, p.Name, rule.Domain, kind);
                    row.Domains = domains;
                    row.PartnerTenantId = tenants.FirstOrDefault();
                    CalendarSharingAccessLevel level = rule.CalendarLevel;
                    string remove = $"Set-SharingPolicy -Identity {Q(p.Name)} -Domains @{{Remove={Q(rule.Text)}}}"
                        + (rule.OtherActions.Count > 0 ? $"; Set-SharingPolicy -Identity {Q(p.Name)} -Domains @{{Add={Q(rule.Domain + ":" + string.Join(", ", rule.OtherActions))}}}" : "")
                        + " (Exchange Online PowerShell)";
                    if (kind == PartnerKind.OnPremises)
                    {
                        yield return Keep(row, new List<string>(), $"the rule {rule.Text} names a domain no Microsoft Entra organization has ({lookup!.Problem}), so it is not a " +
                            "Microsoft 365 partner", "None: keep it");
                        continue;
                    }
                    row.DependsOnEws = true;
                    SetDeadline(row, null, partnerUnread: false);
                    CapabilityNeeds needs = rule.IsAnonymous ? new CapabilityNeeds { AnonymousSharing = level } : new CapabilityNeeds { CalendarSharing = level };
                    GrantCheck ours = everyone ? _self.Xtap.Check(null, needs) : CheckAll(_self.Xtap, tenants, needs);
                    row.CrossTenantAccess = ours.Status;
                    var why = new List<string>
                    {
                        $"enabled with the rule {rule.Text}" + (rule.IsAnonymous ? " (calendars published to anonymous users)" : rule.IsAnyOrganization ? " (every organization)" : "") + "; " + applies,
                        "this tenant's policy: " + ours.Detail,
                    };
                    foreach (DomainLookup failed in LookupsOf(domains).Where(l => !l.Resolved)) why.Add($"{failed.Domain} did not resolve to a tenant: {failed.Problem}");
                    string capability = rule.IsAnonymous ? "anonymousCalendarSharingFreeBusy" + level : M365CapabilityNames.For(level) ?? "";
                    if (everyone) why.Add($"its equivalent is {capability} on the default policy (Microsoft Graph: POST /policies/crossTenantAccessPolicy/default/m365Capabilities)");
                    string grant = everyone
                        ? $"allow {capability} on the default cross-tenant access policy (in Microsoft Graph; this module never changes the default policy), or remove the rule: " + remove
                        : Grant(rule.Domain, needs);
                    if (ReadinessDecisions.EwsIsOff(_self.EwsEnabled, Now))
                    {
                        row.Verdict = Verdict.BrokenNow;
                        why.Insert(0, $"EWS is off in {_self.Organization}, so this calendar sharing has stopped");
                        row.NextStep = ours.Status == XtapStatus.Present ? remove : Steps(EwsStopGap(null), grant);
                    }
                    else if (ours.Status == XtapStatus.Present)
                    {
                        row.Verdict = Verdict.ReadyToCutOver;
                        why.Add("the rule still wins while it is in the policy");
                        row.NextStep = remove;
                    }
                    else
                    {
                        row.Verdict = Verdict.NeedsCrossTenantAccess;
                        row.NextStep = ours.Status == XtapStatus.NotAvailable
                            ? Steps($"wait for the cross-tenant access policy to reach {_self.Organization}", Meanwhile(EwsStopGap(null))) : grant;
                    }
                    row.Reason = Sentence(why);
                    yield return row;
                }
            }

            // --- the tenant's EWS state -------------------------------------------------------------------------------

            private ReadinessRow OrganizationConfig(List<ReadinessRow> rows)
            {
                ReadinessRow row = NewRow(LegacyObjectType.OrganizationConfig, "EwsEnabled: " + TenantInventory.Describe(_self.EwsEnabled), "", PartnerKind.Unknown);
                row.CrossTenantAccess = _self.Xtap.Availability;
                row.PartnerTenantId = null;
                if (_other != null) row.PartnerEwsEnabled = _other.EwsEnabled;
                List<ReadinessRow> dependents = rows.Where(r => r.DependsOnEws).ToList();
                var why = new List<string> { EwsMeaning(_self) };
                why.Add(_self.Xtap.Availability switch
                {
                    XtapStatus.Available => "the cross-tenant access policy is available here (its Microsoft 365 capabilities answer)",
                    XtapStatus.NotAvailable => "the cross-tenant access policy is not available here yet: " + _self.Xtap.AvailabilityProblem,
                    _ => "whether the cross-tenant access policy is available here is unknown: " + _self.Xtap.Problem,
                });
                if (dependents.Count == 0)
                {
                    row.Verdict = Verdict.Migrated;
                    why.Insert(1, Narrowed ? "none of the objects shown depends on EWS" : "no object here depends on EWS for cross-tenant sharing");
                    row.NextStep = "None: nothing here depends on EWS for cross-tenant sharing" +
                        (_self.EwsEnabled == EwsSetting.True ? " (EwsEnabled True is not needed for it any more; check other EWS applications before changing it)" : "");
                    row.Reason = Sentence(why);
                    return row;
                }
                row.DependsOnEws = true;
                row.Verdict = dependents.Min(r => r.Verdict);
                SetDeadline(row, null, partnerUnread: false);
                why.Insert(1, TenantInventory.Count(dependents.Count, "object", "objects") + (Narrowed ? " shown" : "") + (dependents.Count == 1 ? " depends" : " depend") + " on EWS: " + string.Join(", ",
                    dependents.GroupBy(r => r.Verdict).OrderBy(g => g.Key).Select(g => g.Count().ToString(CultureInfo.InvariantCulture) + " " + g.Key)));
                const string rest = "work through the rows below";
                if (Now.UtcDateTime >= ReadinessDecisions.EwsRetired) row.NextStep = "EWS is retired: only the cross-tenant access policy works; " + rest;
                else if (_self.EwsEnabled == EwsSetting.True) row.NextStep = "Work through the rows below before 2027-04-01";
                else row.NextStep = Steps(EwsStopGap(null), "then " + rest);
                if (_self.Xtap.Availability == XtapStatus.NotAvailable) row.NextStep += " (once the cross-tenant access policy reaches this tenant)";
                row.Reason = Sentence(why);
                return row;
            }

            // --- helpers --------------------------------------------------------------------------------------------

            private ReadinessRow NewRow(LegacyObjectType type, string identity, string partner, PartnerKind kind) => new ReadinessRow
            {
                Organization = _self.Organization,
                ObjectType = type,
                Identity = identity,
                Partner = partner,
                PartnerKind = kind,
                EwsEnabled = _self.EwsEnabled,
            };

            // R2. Both sides' EWS when the object depends on the other too; the earlier date wins.
            private void SetDeadline(ReadinessRow row, TenantInventory? alsoOther, bool partnerUnread)
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

            private string EwsMeaning(TenantInventory t)
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

            private string EwsStopGap(string? organization)
            {
                string where = organization == null ? "" : $"in {organization}: ";
                return Now.UtcDateTime >= ReadinessDecisions.EwsRetired ? ""
                    : where + "Set-OrganizationConfig -EwsEnabled $true (Exchange Online PowerShell) keeps the legacy path until 2027-04-01";
            }

            private static string Grant(string domain, CapabilityNeeds needs)
            {
                var text = new System.Text.StringBuilder("Grant-CrossTenantCalendarAccess -DomainName ").Append(domain);
                if (needs.FreeBusy != FreeBusyAccessLevel.None) text.Append(" -FreeBusyAccessLevel ").Append(needs.FreeBusy);
                if (needs.FreeBusyScope != null) text.Append(" -FreeBusyAccessScope ").Append(Q(needs.FreeBusyScope));
                if (needs.MailTips != MailTipsAccessLevel.None) text.Append(" -MailTipsAccessLevel ").Append(needs.MailTips);
                if (needs.MailTipsScope != null) text.Append(" -MailTipsAccessScope ").Append(Q(needs.MailTipsScope));
                if (needs.CalendarSharing != CalendarSharingAccessLevel.None) text.Append(" -CalendarSharingAccessLevel ").Append(needs.CalendarSharing);
                return text.ToString();
            }

            // One grant per partner tenant, naming a domain of that tenant (the first that resolved to it).
            private string GrantSteps(GrantCheck check, IReadOnlyList<string> domains, List<string> tenants, CapabilityNeeds needs)
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

            private GrantCheck CheckAll(XtapInventory policy, List<string> tenants, CapabilityNeeds needs)
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

            private bool Matches(IReadOnlyCollection<string> domains, IReadOnlyCollection<string> tenants)
            {
                if (_other != null)
                {
                    bool aboutOther = domains.Any(_other.OwnsDomain) || (_other.TenantId != null && tenants.Contains(_other.TenantId, StringComparer.OrdinalIgnoreCase));
                    if (!aboutOther) return false;
                }
                if (_domainFilter.Count == 0 && _tenantFilter.Count == 0) return true;
                return domains.Any(d => _domainFilter.Contains(Norm(d))) || tenants.Any(t => _tenantFilter.Contains(t));
            }

            private List<string> TenantsOf(IEnumerable<string> domains) =>
                domains.Select(TenantOf).Where(t => t != null).Select(t => t!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

            private string? TenantOf(string domain)
            {
                if (_other != null && _other.OwnsDomain(domain)) return _other.TenantId;
                return Lookup(domain)?.TenantId;
            }

            private DomainLookup? Lookup(string domain) =>
                _input.Lookups.TryGetValue(domain, out DomainLookup? l) || _input.Lookups.TryGetValue(Norm(domain), out l) ? l : null;

            private IEnumerable<DomainLookup> LookupsOf(IEnumerable<string> domains) =>
                domains.Where(d => _other == null || !_other.OwnsDomain(d)).Select(Lookup).Where(l => l != null).Select(l => l!);
        }

        /// <summary>Steps in order, "; " between them; empty ones (a stop-gap that no longer exists) left out.</summary>
        private static string Steps(params string[] steps) => string.Join("; ", steps.Where(s => !string.IsNullOrWhiteSpace(s)));

        private static string Meanwhile(string step) => step.Length == 0 ? "" : "meanwhile " + step;

        /// <summary>A PowerShell single-quoted string.</summary>
        internal static string Q(string value) => "'" + (value ?? "").Replace("'", "''") + "'";

        private static string Norm(string domain) => SmtpDomain.TryNormalize(domain, out _) ?? domain.Trim().ToLowerInvariant();

        private static string Sentence(IEnumerable<string> parts)
        {
            string text = string.Join("; ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim().TrimEnd('.')));
            return text.Length == 0 ? "" : char.ToUpperInvariant(text[0]) + text.Substring(1) + ".";
        }
    }
}
