using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Migration
{
    /// <summary>
    /// An organization relationship as the migration reads it: what it shares (free/busy, MailTips, their levels and
    /// scopes), whether it is enabled, and the features the cross-tenant access policy does not replace
    /// (docs/cross-tenant-access.md §1.6: mailbox moves, archive access, delivery reports, photos).
    /// </summary>
    public sealed class LegacyRelationship
    {
        public LegacyRelationship(AdminObject raw)
        {
            Raw = raw ?? throw new ArgumentNullException(nameof(raw));
            Name = raw.GetString("Name") ?? raw.GetString("Identity") ?? "";
            Identity = raw.GetString("Identity") ?? Name;
            DomainNames = raw.GetStrings("DomainNames")
                .Select(d => SmtpDomain.TryNormalize(d, out _) ?? d.Trim().ToLowerInvariant())
                .Where(d => d.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            Enabled = raw.GetBool("Enabled") ?? false;
            FreeBusyAccessEnabled = raw.GetBool("FreeBusyAccessEnabled") ?? false;
            FreeBusyAccessLevel = ParseFreeBusy(raw.GetString("FreeBusyAccessLevel"));
            FreeBusyAccessScope = Blank(raw.GetString("FreeBusyAccessScope"));
            MailTipsAccessEnabled = raw.GetBool("MailTipsAccessEnabled") ?? false;
            MailTipsAccessLevel = ParseMailTips(raw.GetString("MailTipsAccessLevel"));
            MailTipsAccessScope = Blank(raw.GetString("MailTipsAccessScope"));
            var features = new List<string>();
            foreach (string feature in LegacyOnlyFeatures)
            {
                if (raw.GetBool(feature) == true) features.Add(feature);
            }
            FeaturesInUse = features;
        }

        /// <summary>The relationship's properties that no Microsoft 365 capability replaces: they stop with the relationship.</summary>
        public static readonly IReadOnlyList<string> LegacyOnlyFeatures = new[] { "MailboxMoveEnabled", "ArchiveAccessEnabled", "DeliveryReportEnabled", "PhotosEnabled" };

        /// <summary>As the admin API returned it (PartnerClassifier reads the targets from it).</summary>
        public AdminObject Raw { get; }

        public string Identity { get; }
        public string Name { get; }

        /// <summary>The partner's domains, normalised (ASCII, lower case), each once.</summary>
        public IReadOnlyList<string> DomainNames { get; }

        public bool Enabled { get; }
        public bool FreeBusyAccessEnabled { get; }
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; }
        public string? FreeBusyAccessScope { get; }
        public bool MailTipsAccessEnabled { get; }
        public MailTipsAccessLevel MailTipsAccessLevel { get; }
        public string? MailTipsAccessScope { get; }

        /// <summary>Which of <see cref="LegacyOnlyFeatures"/> are on.</summary>
        public IReadOnlyList<string> FeaturesInUse { get; }

        /// <summary>What the partner's users see of this tenant's calendars: None unless FreeBusyAccessEnabled.</summary>
        public FreeBusyAccessLevel SharedFreeBusy => FreeBusyAccessEnabled ? FreeBusyAccessLevel : FreeBusyAccessLevel.None;

        /// <summary>The MailTips the partner's users get: None unless MailTipsAccessEnabled.</summary>
        public MailTipsAccessLevel SharedMailTips => MailTipsAccessEnabled ? MailTipsAccessLevel : MailTipsAccessLevel.None;

        public bool Covers(string domain) => DomainNames.Contains(SmtpDomain.TryNormalize(domain, out _) ?? domain, StringComparer.OrdinalIgnoreCase);

        public override string ToString() => Name;

        internal static FreeBusyAccessLevel ParseFreeBusy(string? value) =>
            Enum.TryParse(value?.Trim(), true, out FreeBusyAccessLevel level) && Enum.IsDefined(typeof(FreeBusyAccessLevel), level) ? level : FreeBusyAccessLevel.None;

        internal static MailTipsAccessLevel ParseMailTips(string? value) =>
            Enum.TryParse(value?.Trim(), true, out MailTipsAccessLevel level) && Enum.IsDefined(typeof(MailTipsAccessLevel), level) ? level : MailTipsAccessLevel.None;

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
