using System;
using CalendarFederation.Engine.Auth;
using CalendarFederation.Engine.Graph;

namespace CalendarFederation.Engine.Availability
{
    /// <summary>
    /// What the free/busy probe's getSchedule needs from Microsoft Graph, declared once (docs/protocol-evidence.md §10).
    /// Graph's permissions table for calendar: getSchedule lists Calendars.ReadBasic as least privileged, then Calendars.Read
    /// and Calendars.ReadWrite. As an application permission the least privileged one is named Calendars.ReadBasic.All
    /// (Calendars.Read and Calendars.ReadWrite keep their names).
    /// </summary>
    public static class ScheduleAccess
    {
        /// <summary>The delegated permission the probe asks for, and nothing else.</summary>
        public const string DelegatedPermission = "Calendars.ReadBasic";

        /// <summary>The least privileged application permission that lets an app-only connection ask.</summary>
        public const string ApplicationPermission = "Calendars.ReadBasic.All";

        /// <summary>A signed-in user's token: any one of these delegated permissions; the first is requested.</summary>
        public static GraphRequirement Delegated { get; } = new GraphRequirement("ask Microsoft Graph getSchedule for free/busy",
            new[] { DelegatedPermission, "Calendars.Read", "Calendars.ReadWrite" }, Array.Empty<EntraRole>());

        /// <summary>An app-only token (client credentials, managed identity): any one of these application permissions in its roles.</summary>
        public static GraphRequirement Application { get; } = new GraphRequirement("ask Microsoft Graph getSchedule for free/busy",
            new[] { ApplicationPermission, "Calendars.Read", "Calendars.ReadWrite" }, Array.Empty<EntraRole>());

        public static GraphRequirement For(bool appOnly) => appOnly ? Application : Delegated;

        /// <summary>
        /// The scope the probe's token is requested with. A signed-in user: exactly {graph}/Calendars.ReadBasic, so the
        /// consent asked for is that one permission. Client credentials and managed identities take only {graph}/.default,
        /// whose roles must then hold one of <see cref="Application"/>'s permissions.
        /// </summary>
        public static string Scope(Uri graph, bool appOnly) =>
            appOnly ? graph.GetLeftPart(UriPartial.Authority) + "/.default" : GraphScopes.Qualify(graph, new[] { DelegatedPermission })[0];
    }
}
