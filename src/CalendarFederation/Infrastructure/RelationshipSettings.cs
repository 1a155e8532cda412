using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// The relationship settings an admin gave, read from the cmdlet's bound parameters, in Exchange's names and
    /// order, ready for the admin API. Only what was specified is sent.
    /// </summary>
    internal static class RelationshipSettings
    {
        public static readonly string[] Names =
        {
            "Enabled", "FreeBusyAccessEnabled", "FreeBusyAccessLevel", "FreeBusyAccessScope",
            "MailTipsAccessEnabled", "MailTipsAccessLevel", "MailTipsAccessScope",
            "DeliveryReportEnabled", "ArchiveAccessEnabled", "PhotosEnabled",
            "MailboxMoveEnabled", "MailboxMoveCapability", "MailboxMovePublishedScopes",
            "OAuthApplicationId", "OrganizationContact",
            "TargetApplicationUri", "TargetAutodiscoverEpr", "TargetOwaURL", "TargetSharingEpr",
        };

        /// <summary>Exchange requires these to be absolute.</summary>
        public static readonly string[] AbsoluteUris = { "TargetAutodiscoverEpr", "TargetOwaURL", "TargetSharingEpr" };

        public static List<KeyValuePair<string, object?>> FromBound(IDictionary bound)
        {
            var list = new List<KeyValuePair<string, object?>>();
            foreach (string name in Names)
            {
                if (!bound.Contains(name)) continue;
                object? value = bound[name];
                if (value is PSObject pso) value = pso.BaseObject;
                switch (value)
                {
                    case SwitchParameter sw: value = sw.IsPresent; break;
                    case Uri uri: value = uri.OriginalString; break;
                    case Enum e: value = e.ToString(); break;
                }
                list.Add(new KeyValuePair<string, object?>(name, value));
            }
            return list;
        }

        /// <summary>The first URI parameter that must be absolute but is not, or null.</summary>
        public static string? FindRelativeUri(IDictionary bound)
        {
            foreach (string name in AbsoluteUris)
            {
                if (bound.Contains(name) && bound[name] is Uri uri && !uri.IsAbsoluteUri) return name;
            }
            return null;
        }
    }
}
