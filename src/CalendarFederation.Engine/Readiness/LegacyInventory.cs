using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Readiness
{
    /// <summary>What a legacy object shares, in X-TAP's terms: the capability levels (and scopes) its equivalent needs.</summary>
    public sealed class CapabilityNeeds
    {
        public static readonly CapabilityNeeds None = new CapabilityNeeds();

        public FreeBusyAccessLevel FreeBusy { get; set; }
        public string? FreeBusyScope { get; set; }
        public MailTipsAccessLevel MailTips { get; set; }
        public string? MailTipsScope { get; set; }
        public CalendarSharingAccessLevel CalendarSharing { get; set; }
        /// <summary>Anonymous (published) calendars at this level: anonymousCalendarSharingFreeBusy*, on the default policy.</summary>
        public CalendarSharingAccessLevel AnonymousSharing { get; set; }

        public bool IsEmpty => FreeBusy == FreeBusyAccessLevel.None && MailTips == MailTipsAccessLevel.None
            && CalendarSharing == CalendarSharingAccessLevel.None && AnonymousSharing == CalendarSharingAccessLevel.None;

        /// <summary>The higher level of each, and the scope that goes with the higher one (two relationships for one partner).</summary>
        public static CapabilityNeeds Combine(IEnumerable<CapabilityNeeds> all)
        {
            var result = new CapabilityNeeds();
            foreach (CapabilityNeeds n in all)
            {
                if (n.FreeBusy > result.FreeBusy)
                {
                    result.FreeBusy = n.FreeBusy;
                    result.FreeBusyScope = n.FreeBusyScope;
                }
                if (n.MailTips > result.MailTips)
                {
                    result.MailTips = n.MailTips;
                    result.MailTipsScope = n.MailTipsScope;
                }
                if (n.CalendarSharing > result.CalendarSharing) result.CalendarSharing = n.CalendarSharing;
                if (n.AnonymousSharing > result.AnonymousSharing) result.AnonymousSharing = n.AnonymousSharing;
            }
            return result;
        }

        public override string ToString()
        {
            var parts = new List<string>();
            if (FreeBusy != FreeBusyAccessLevel.None) parts.Add("free/busy " + FreeBusy + (FreeBusyScope != null ? " for " + FreeBusyScope : ""));
            if (MailTips != MailTipsAccessLevel.None) parts.Add("MailTips " + MailTips + (MailTipsScope != null ? " for " + MailTipsScope : ""));
            if (CalendarSharing != CalendarSharingAccessLevel.None) parts.Add("calendar sharing " + CalendarSharing);
            if (AnonymousSharing != CalendarSharingAccessLevel.None) parts.Add("anonymous calendar sharing " + AnonymousSharing);
            return parts.Count == 0 ? "nothing" : string.Join(" and ", parts);
        }
    }

    /// <summary>An organization relationship as far as readiness is concerned.</summary>
    public sealed class LegacyRelationship
    {
        public string Name { get; set; } = "";
        public IReadOnlyList<string> Domains { get; set; } = Array.Empty<string>();
        public bool Enabled { get; set; }
        public bool FreeBusyEnabled { get; set; }
        public FreeBusyAccessLevel FreeBusyLevel { get; set; }
        public string? FreeBusyScope { get; set; }
        public bool MailTipsEnabled { get; set; }
        public MailTipsAccessLevel MailTipsLevel { get; set; }
        public string? MailTipsScope { get; set; }
        public PartnerKind Kind { get; set; }
        /// <summary>Features X-TAP does not replace that the relationship also carries ("mailbox moves", "archive access", ...).</summary>
        public IReadOnlyList<string> OtherFeatures { get; set; } = Array.Empty<string>();

        /// <summary>The official "affected" check (JP-XTAP): Enabled, and FreeBusyAccessEnabled or MailTipsAccessEnabled.</summary>
        public bool InEffect => Enabled && (FreeBusyEnabled || MailTipsEnabled);

        /// <summary>What it lets the partner's users see of this tenant: the capabilities its X-TAP equivalent (in this tenant) needs.</summary>
        public CapabilityNeeds Exposure => new CapabilityNeeds
        {
            FreeBusy = FreeBusyEnabled ? FreeBusyLevel : FreeBusyAccessLevel.None,
            FreeBusyScope = FreeBusyEnabled && FreeBusyLevel != FreeBusyAccessLevel.None ? FreeBusyScope : null,
            MailTips = MailTipsEnabled ? MailTipsLevel : MailTipsAccessLevel.None,
            MailTipsScope = MailTipsEnabled && MailTipsLevel != MailTipsAccessLevel.None ? MailTipsScope : null,
        };

        /// <summary>From Get-OrganizationRelationship's output; the partner told apart by <see cref="PartnerClassifier"/>.</summary>
        public static LegacyRelationship From(AdminObject o, IEnumerable<string> ownDomains, ExchangeEnvironment? environment)
        {
            var other = new List<string>();
            if (o.GetBool("MailboxMoveEnabled") == true) other.Add("mailbox moves");
            if (o.GetBool("ArchiveAccessEnabled") == true) other.Add("archive access");
            if (o.GetBool("DeliveryReportEnabled") == true) other.Add("delivery reports");
            if (o.GetBool("PhotosEnabled") == true) other.Add("photos");
            return new LegacyRelationship
            {
                Name = o.GetString("Name") ?? o.GetString("Identity") ?? "",
                Domains = o.GetStrings("DomainNames").Select(d => d.Trim()).Where(d => d.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                Enabled = o.GetBool("Enabled") ?? true,
                FreeBusyEnabled = o.GetBool("FreeBusyAccessEnabled") == true,
                FreeBusyLevel = ParseFreeBusy(o.GetString("FreeBusyAccessLevel")),
                FreeBusyScope = Blank(o.GetString("FreeBusyAccessScope")),
                MailTipsEnabled = o.GetBool("MailTipsAccessEnabled") == true,
                MailTipsLevel = ParseMailTips(o.GetString("MailTipsAccessLevel")),
                MailTipsScope = Blank(o.GetString("MailTipsAccessScope")),
                Kind = PartnerClassifier.Classify(o, ownDomains, environment),
                OtherFeatures = other,
            };
        }

        // Exchange sends enum names; numbers are tolerated (the enums' order).
        internal static FreeBusyAccessLevel ParseFreeBusy(string? value) => (value ?? "").Trim().ToUpperInvariant() switch
        {
            "AVAILABILITYONLY" or "1" => FreeBusyAccessLevel.AvailabilityOnly,
            "LIMITEDDETAILS" or "2" => FreeBusyAccessLevel.LimitedDetails,
            _ => FreeBusyAccessLevel.None,
        };

        internal static MailTipsAccessLevel ParseMailTips(string? value) => (value ?? "").Trim().ToUpperInvariant() switch
        {
            "LIMITED" or "1" => MailTipsAccessLevel.Limited,
            "ALL" or "2" => MailTipsAccessLevel.All,
            _ => MailTipsAccessLevel.None,
        };

        internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }

    /// <summary>An availability address space (Get-AvailabilityAddressSpace).</summary>
    public sealed class LegacyAddressSpace
    {
        public const string OrgWideFBToken = "OrgWideFBToken";

        public string ForestName { get; set; } = "";
        public string AccessMethod { get; set; } = "";
        public string? TargetTenantId { get; set; }
        public string? TargetServiceEpr { get; set; }

        public bool IsToken => string.Equals(AccessMethod, OrgWideFBToken, StringComparison.OrdinalIgnoreCase) || AccessMethod == "4";

        public static LegacyAddressSpace From(AdminObject o) => new LegacyAddressSpace
        {
            ForestName = o.GetString("ForestName") ?? o.GetString("Name") ?? o.GetString("Identity") ?? "",
            AccessMethod = o.GetString("AccessMethod") ?? "",
            TargetTenantId = LegacyRelationship.Blank(o.GetString("TargetTenantId")),
            TargetServiceEpr = LegacyRelationship.Blank(o.GetString("TargetServiceEpr")),
        };
    }

    /// <summary>One "domain:Action, Action" entry of a sharing policy.</summary>
    public sealed class SharingRule
    {
        public const string AnyOrganization = "*";
        public const string Anonymous = "Anonymous";

        public string Domain { get; set; } = "";
        public IReadOnlyList<string> Actions { get; set; } = Array.Empty<string>();
        /// <summary>The entry as Exchange shows it.</summary>
        public string Text { get; set; } = "";

        public bool IsAnyOrganization => Domain == AnyOrganization;
        public bool IsAnonymous => string.Equals(Domain, Anonymous, StringComparison.OrdinalIgnoreCase);

        /// <summary>The highest CalendarSharingFreeBusy* action; None when the rule shares no calendar.</summary>
        public CalendarSharingAccessLevel CalendarLevel =>
            Actions.Select(a => a.Trim().ToUpperInvariant() switch
            {
                "CALENDARSHARINGFREEBUSYREVIEWER" => CalendarSharingAccessLevel.Reviewer,
                "CALENDARSHARINGFREEBUSYDETAIL" => CalendarSharingAccessLevel.Detail,
                "CALENDARSHARINGFREEBUSYSIMPLE" => CalendarSharingAccessLevel.Simple,
                _ => CalendarSharingAccessLevel.None,
            }).DefaultIfEmpty().Max();

        /// <summary>The actions that are not calendar sharing (ContactsSharing), which a cut-over keeps.</summary>
        public IReadOnlyList<string> OtherActions => Actions.Where(a => !a.Trim().StartsWith("CalendarSharingFreeBusy", StringComparison.OrdinalIgnoreCase)).ToArray();

        /// <summary>"fabrikam.com:CalendarSharingFreeBusyDetail, ContactsSharing" (any spacing); null when it is not one.</summary>
        public static SharingRule? Parse(string? text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            int colon = text!.IndexOf(':');
            if (colon <= 0) return null;
            string domain = text.Substring(0, colon).Trim();
            string[] actions = text.Substring(colon + 1).Split(',').Select(a => a.Trim()).Where(a => a.Length > 0).ToArray();
            if (domain.Length == 0 || actions.Length == 0) return null;
            if (string.Equals(domain, Anonymous, StringComparison.OrdinalIgnoreCase)) domain = Anonymous;
            return new SharingRule { Domain = domain, Actions = actions, Text = domain + ":" + string.Join(", ", actions) };
        }
    }

    /// <summary>A sharing policy (Get-SharingPolicy) and how many mailboxes it applies to.</summary>
    public sealed class LegacySharingPolicy
    {
        public const string DefaultPolicyName = "Default Sharing Policy";

        public string Name { get; set; } = "";
        /// <summary>Other names a mailbox's SharingPolicy may carry for it (Identity, GUID, distinguished name).</summary>
        public IReadOnlyList<string> Aliases { get; set; } = Array.Empty<string>();
        public bool Enabled { get; set; }
        public bool IsDefault { get; set; }
        public IReadOnlyList<SharingRule> Rules { get; set; } = Array.Empty<SharingRule>();
        /// <summary>Mailboxes it applies to; null when not counted (R11).</summary>
        public int? Mailboxes { get; set; }

        public IEnumerable<SharingRule> CalendarRules => Rules.Where(r => r.CalendarLevel != CalendarSharingAccessLevel.None);

        /// <summary>Enabled with a calendar rule: it depends on EWS if it applies to a mailbox (R4).</summary>
        public bool IsCandidate => Enabled && CalendarRules.Any();

        public bool IsNamed(string? value) =>
            value != null && (string.Equals(value.Trim(), Name, StringComparison.OrdinalIgnoreCase)
                || Aliases.Any(a => string.Equals(value.Trim(), a, StringComparison.OrdinalIgnoreCase)));

        public static LegacySharingPolicy From(AdminObject o)
        {
            var rules = new List<SharingRule>();
            object? domains = o["Domains"];
            IEnumerable<object?> entries = domains is object?[] array ? array : domains != null ? new[] { domains } : Array.Empty<object?>();
            foreach (object? entry in entries)
            {
                SharingRule? rule = entry switch
                {
                    string s => SharingRule.Parse(s),
                    // Not seen on the wire (the REST shape is UNCONFIRMED): an object {Domain, Actions}.
                    AdminObject d => SharingRule.Parse((d.GetString("Domain") ?? "") + ":" + string.Join(",", d.GetStrings("Actions"))),
                    _ => null,
                };
                if (rule != null) rules.Add(rule);
            }
            string name = o.GetString("Name") ?? o.GetString("Identity") ?? "";
            return new LegacySharingPolicy
            {
                Name = name,
                Aliases = new[] { o.GetString("Identity"), o.GetString("Guid"), o.GetString("DistinguishedName"), o.GetString("ExchangeObjectId") }
                    .Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!).ToArray(),
                Enabled = o.GetBool("Enabled") ?? true,
                IsDefault = o.GetBool("Default") == true,
                Rules = rules,
            };
        }
    }

    /// <summary>Everything the report reads from one tenant.</summary>
    public sealed class TenantInventory
    {
        public string Organization { get; set; } = "";
        /// <summary>The tenant id (lower-case GUID), when known.</summary>
        public string? TenantId { get; set; }
        /// <summary>Its accepted domains, normalised.</summary>
        public IReadOnlyList<string> Domains { get; set; } = Array.Empty<string>();
        /// <summary>The domain to name it by in a partner's command: its default accepted domain, else the first that is not *.onmicrosoft.com.</summary>
        public string? PrimaryDomain { get; set; }
        public EwsSetting EwsEnabled { get; set; } = EwsSetting.Unknown;
        public IReadOnlyList<LegacyRelationship> Relationships { get; set; } = Array.Empty<LegacyRelationship>();
        public IReadOnlyList<LegacyAddressSpace> AddressSpaces { get; set; } = Array.Empty<LegacyAddressSpace>();
        public IReadOnlyList<LegacySharingPolicy> SharingPolicies { get; set; } = Array.Empty<LegacySharingPolicy>();
        /// <summary>Why the mailboxes were not counted, when their read failed.</summary>
        public string? MailboxProblem { get; set; }
        public XtapInventory Xtap { get; set; } = XtapInventory.NotRead("not read");

        public bool OwnsDomain(string domain) => Domains.Contains(SmtpDomain.TryNormalize(domain, out _) ?? domain, StringComparer.OrdinalIgnoreCase);

        /// <summary>The EwsEnabled value Get-OrganizationConfig gave: true, false, or blank.</summary>
        public static EwsSetting ParseEws(AdminObject? config)
        {
            if (config == null) return EwsSetting.Unknown;
            object? value = config["EwsEnabled"];
            switch (value)
            {
                case null: return EwsSetting.NotSet;
                case bool b: return b ? EwsSetting.True : EwsSetting.False;
                case string s when s.Trim().Length == 0: return EwsSetting.NotSet;
                case string s when bool.TryParse(s.Trim(), out bool parsed): return parsed ? EwsSetting.True : EwsSetting.False;
                default: return EwsSetting.Unknown;
            }
        }

        /// <summary>Counts, for each policy, the mailboxes it applies to: a blank SharingPolicy (or the default's own name) is the default policy.</summary>
        public static void CountMailboxes(IReadOnlyList<LegacySharingPolicy> policies, IEnumerable<AdminObject> mailboxes)
        {
            foreach (LegacySharingPolicy p in policies) p.Mailboxes = 0;
            LegacySharingPolicy? defaultPolicy = policies.FirstOrDefault(p => p.IsDefault);
            foreach (AdminObject mailbox in mailboxes)
            {
                string? assigned = LegacyRelationship.Blank(mailbox.GetString("SharingPolicy"));
                LegacySharingPolicy? policy = assigned == null ? defaultPolicy : policies.FirstOrDefault(p => p.IsNamed(assigned)) ?? (
                    string.Equals(assigned, LegacySharingPolicy.DefaultPolicyName, StringComparison.OrdinalIgnoreCase) ? defaultPolicy : null);
                if (policy != null) policy.Mailboxes++;
            }
        }

        internal static string Describe(EwsSetting setting) => setting switch
        {
            EwsSetting.True => "True",
            EwsSetting.False => "False",
            EwsSetting.NotSet => "not set",
            _ => "unknown",
        };

        internal static string? PickPrimary(IEnumerable<(string Domain, bool IsDefault)> accepted)
        {
            var list = accepted.ToList();
            return list.Where(d => d.IsDefault).Select(d => d.Domain).FirstOrDefault()
                ?? list.Select(d => d.Domain).FirstOrDefault(d => !d.EndsWith(".onmicrosoft.com", StringComparison.OrdinalIgnoreCase))
                ?? list.Select(d => d.Domain).FirstOrDefault();
        }

        internal static string Count(int n, string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
    }
}
