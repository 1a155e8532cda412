using System.Collections.Generic;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>Whether each tenant can hold organization relationships at all.</summary>
    internal static class HydrationChecks
    {
        public static IReadOnlyList<DiagnosticCheck> All { get; } = new[]
        {
            DiagnosticCheck.Of(nameof(LocalTenantHydrated), LocalTenantHydrated, CheckIds.TenantDehydrated),
            DiagnosticCheck.Of(nameof(PartnerTenantHydrated), PartnerTenantHydrated, CheckIds.TenantDehydrated),
        };

        private static void LocalTenantHydrated(DiagnosticsContext context, FindingSink findings)
        {
            if (!context.Local.IsDehydrated) return;
            string l = context.LocalOrganization;
            findings.Add(FindingSeverity.Blocking, l, CheckIds.TenantDehydrated,
                $"{l} is not enabled for customization (IsDehydrated), so it cannot hold organization relationships.",
                "Run Enable-OrganizationCustomization; if it answers 'temporarily disabled', hydration is already running: wait (up to an hour) and test again.");
        }

        private static void PartnerTenantHydrated(DiagnosticsContext context, FindingSink findings)
        {
            if (context.Partner?.IsDehydrated != true) return;
            string p = context.PartnerOrganization;
            findings.Add(FindingSeverity.Blocking, p, CheckIds.TenantDehydrated,
                $"{p} is not enabled for customization (IsDehydrated), so it cannot hold organization relationships.",
                $"Run Enable-OrganizationCustomization -Connection <{p}>; if it answers 'temporarily disabled', hydration is already running: wait and test again.");
        }
    }
}
