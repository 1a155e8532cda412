using System;
using System.Collections.Generic;
using System.Linq;
using CalendarFederation.Engine.CrossTenantAccess;
using EngineFreeBusy = CalendarFederation.Engine.CrossTenantAccess.FreeBusyAccessLevel;

namespace CalendarFederation.Infrastructure
{
    /// <summary>The engine's view of one partner's (or the default's) policy as the public output type.</summary>
    internal static class CrossTenantAccessMapper
    {
        public const string DefaultPartner = "default";

        /// <param name="groupNames">Entra object id to a group's name, where it was looked up; ids without a name are shown alone.</param>
        public static CrossTenantCalendarAccess ToOutput(string organization, PartnerAccessState state, IEnumerable<string>? partnerDomains,
            IReadOnlyDictionary<string, string>? groupNames = null)
        {
            IReadOnlyList<M365Capability> capabilities = state.Capabilities;
            return Build(organization, state.PartnerTenantId, state.Trust, capabilities, partnerDomains, groupNames, state.FreeBusy, state.MailTips,
                state.CalendarSharing, state.RoomBooking);
        }

        public static CrossTenantCalendarAccess ToOutput(string organization, CrossTenantDefaultPolicy policy, IReadOnlyDictionary<string, string>? groupNames = null)
        {
            // The default policy grants what it allows, the same way a partner does.
            var state = new PartnerAccessState(DefaultPartner, null, policy.Capabilities);
            return Build(organization, DefaultPartner, policy.InboundTrust, policy.Capabilities, null, groupNames, state.FreeBusy, state.MailTips,
                state.CalendarSharing, state.RoomBooking);
        }

        private static CrossTenantCalendarAccess Build(string organization, string partner, CollaborationTrust trust, IReadOnlyList<M365Capability> capabilities,
            IEnumerable<string>? partnerDomains, IReadOnlyDictionary<string, string>? groupNames, EngineFreeBusy freeBusy, Engine.CrossTenantAccess.MailTipsAccessLevel mailTips,
            Engine.CrossTenantAccess.CalendarSharingAccessLevel calendarSharing, bool roomBooking)
        {
            DateTimeOffset? modified = capabilities.Where(c => c.Family != CapabilityFamily.Other).Select(c => c.LastModifiedDateTime).Where(d => d != null).Max();
            return new CrossTenantCalendarAccess
            {
                Organization = organization,
                PartnerTenantId = partner,
                PartnerDomains = (partnerDomains ?? Array.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                Trust = ToTrust(trust.State),
                FreeBusyAccessLevel = (FreeBusyAccessLevel)(int)freeBusy,
                FreeBusyAccessScope = ScopeOf(capabilities, CapabilityFamily.FreeBusy, groupNames),
                MailTipsAccessLevel = (MailTipsAccessLevel)(int)mailTips,
                MailTipsAccessScope = ScopeOf(capabilities, CapabilityFamily.MailTips, groupNames),
                CalendarSharingAccessLevel = (CalendarSharingAccessLevel)(int)calendarSharing,
                RoomBookingEnabled = roomBooking,
                LastModified = modified,
                Capabilities = capabilities.Select(c => c.IsAllowed ? c.Name : c.Name + " (denied)").ToArray(),
            };
        }

        public static CrossTenantTrust ToTrust(TrustState state) => state switch
        {
            TrustState.AllUsers => CrossTenantTrust.Allowed,
            TrustState.Scoped => CrossTenantTrust.Scoped,
            TrustState.Blocked => CrossTenantTrust.Blocked,
            _ => CrossTenantTrust.Inherited,
        };

        /// <summary>Group object ids the allowed capabilities of the policy scope to, for a name lookup.</summary>
        public static IEnumerable<string> ScopeGroupIds(IEnumerable<M365Capability> capabilities) =>
            capabilities.Where(c => c.IsAllowed).SelectMany(c => c.InboundAccess.Scopes.Included)
                .Where(s => !s.IsEmpty && !s.IsEveryone && string.Equals(s.ResourceType, XtapDecisions.GroupResourceType, StringComparison.OrdinalIgnoreCase))
                .Select(s => s.ResourceId!).Distinct(StringComparer.OrdinalIgnoreCase);

        private static string[] ScopeOf(IReadOnlyList<M365Capability> capabilities, CapabilityFamily family, IReadOnlyDictionary<string, string>? groupNames)
        {
            M365Capability? allowed = capabilities.FirstOrDefault(c => c.Family == family && c.IsAllowed);
            if (allowed == null) return Array.Empty<string>();
            var scopes = new List<string>();
            foreach (ResourceScope s in allowed.InboundAccess.Scopes.Included.Where(s => !s.IsEmpty))
            {
                if (s.IsEveryone) scopes.Add("All");
                else if (groupNames != null && groupNames.TryGetValue(s.ResourceId!, out string? name)) scopes.Add($"{name} ({s.ResourceId})");
                else scopes.Add(s.ResourceId!);
            }
            foreach (ResourceScope s in allowed.InboundAccess.Scopes.Excluded.Where(s => !s.IsEmpty))
            {
                scopes.Add("except " + (groupNames != null && groupNames.TryGetValue(s.ResourceId!, out string? name) ? $"{name} ({s.ResourceId})" : s.ResourceId));
            }
            return scopes.ToArray();
        }
    }
}
