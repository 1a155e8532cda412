using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    /// <summary>A relationship's FreeBusyAccessScope group as read: whether it exists and its first members.</summary>
    internal sealed class ScopeGroupRead
    {
        public ScopeGroupRead(string relationshipName, string group, bool exists, IReadOnlyList<AdminObject> members, int limit)
        {
            RelationshipName = relationshipName;
            Group = group;
            Exists = exists;
            Members = members;
            Limit = limit;
        }

        public string RelationshipName { get; }
        public string Group { get; }
        public bool Exists { get; }
        /// <summary>At most <see cref="Limit"/> + 1 members: enough to tell a group that is too large.</summary>
        public IReadOnlyList<AdminObject> Members { get; }
        public int Limit { get; }
        public bool TooLarge => Members.Count > Limit;

        public bool Lists(string address) =>
            Members.Any(m => string.Equals(m.GetString("PrimarySmtpAddress"), address, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Scope groups on each side: a group that is gone shares nobody; a huge one is slow; a mailbox outside shows nothing.</summary>
    internal static class ScopeChecks
    {
        /// <summary>Our relationship's scope group; null when it has none.</summary>
        public static readonly DiagnosticsFact<ScopeGroupRead?> LocalScope = new DiagnosticsFact<ScopeGroupRead?>("LocalScope",
            (context, token) => ReadAsync(context.Request.Local, context.LocalRelationship, context, token));

        /// <summary>The partner's relationship's scope group; null when it has none or the partner was not read.</summary>
        public static readonly DiagnosticsFact<ScopeGroupRead?> PartnerScope = new DiagnosticsFact<ScopeGroupRead?>("PartnerScope",
            (context, token) => ReadAsync(context.Partner?.Session, context.PartnerRelationship, context, token));

        public static IReadOnlyList<DiagnosticCheck> Local { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(LocalScopeGroupUsable), LocalScopeGroupUsable, CheckIds.LocalScopeGroupMissing, CheckIds.LocalScopeGroupTooLarge),
        };

        public static IReadOnlyList<DiagnosticCheck> Partner { get; } = new[]
        {
            DiagnosticCheck.OfAsync(nameof(PartnerScopeGroupUsable), PartnerScopeGroupUsable, CheckIds.PartnerScopeGroupMissing, CheckIds.PartnerScopeGroupTooLarge),
            DiagnosticCheck.OfAsync(nameof(PartnerScopeHoldsMailbox), PartnerScopeHoldsMailbox,
                CheckIds.PartnerScopeMembershipUnchecked, CheckIds.PartnerScopeExcludesMailbox),
        };

        private static async Task LocalScopeGroupUsable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            ScopeGroupRead? scope = await context.GetAsync(LocalScope, cancellationToken).ConfigureAwait(false);
            if (scope == null) return;
            string l = context.LocalOrganization;
            if (!scope.Exists)
            {
                findings.Add(FindingSeverity.Warning, l, CheckIds.LocalScopeGroupMissing, MissingMessage(scope, l), MissingRecommendation(scope));
                return;
            }
            if (scope.TooLarge) findings.Add(FindingSeverity.Warning, l, CheckIds.LocalScopeGroupTooLarge, TooLargeMessage(scope, l), TooLargeRecommendation);
        }

        private static async Task PartnerScopeGroupUsable(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            ScopeGroupRead? scope = await context.GetAsync(PartnerScope, cancellationToken).ConfigureAwait(false);
            if (scope == null) return;
            string p = context.PartnerOrganization;
            if (!scope.Exists)
            {
                findings.Add(FindingSeverity.Blocking, p, CheckIds.PartnerScopeGroupMissing, MissingMessage(scope, p), MissingRecommendation(scope));
                return;
            }
            if (scope.TooLarge) findings.Add(FindingSeverity.Warning, p, CheckIds.PartnerScopeGroupTooLarge, TooLargeMessage(scope, p), TooLargeRecommendation);
        }

        private static async Task PartnerScopeHoldsMailbox(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken)
        {
            string? mailbox = context.Request.Mailbox;
            if (mailbox == null) return;
            ScopeGroupRead? scope = await context.GetAsync(PartnerScope, cancellationToken).ConfigureAwait(false);
            if (scope == null || !scope.Exists) return;
            string p = context.PartnerOrganization;
            if (scope.TooLarge)
            {
                // Only the first members were read: absence from them proves nothing.
                findings.Add(FindingSeverity.Info, p, CheckIds.PartnerScopeMembershipUnchecked,
                    $"Whether {mailbox} is in '{scope.Group}' was not checked: the group is too large to list; the free/busy probe shows the outcome.");
            }
            else if (!scope.Lists(mailbox))
            {
                findings.Add(FindingSeverity.Blocking, p, CheckIds.PartnerScopeExcludesMailbox,
                    $"{mailbox} is not a member of '{scope.Group}', the only group whose free/busy '{scope.RelationshipName}' in {p} shares.",
                    $"Add {mailbox} to '{scope.Group}', or clear the scope.");
            }
        }

        private static string MissingMessage(ScopeGroupRead scope, string org) =>
            $"'{scope.RelationshipName}' in {org} limits free/busy to the group '{scope.Group}', which does not exist: nobody's free/busy is shared.";

        private static string MissingRecommendation(ScopeGroupRead scope) =>
            $"Create the group, or clear the scope: Set-OrganizationRelationship -Identity '{scope.RelationshipName}' -FreeBusyAccessScope $null";

        private static string TooLargeMessage(ScopeGroupRead scope, string org) =>
            $"The scope group '{scope.Group}' of '{scope.RelationshipName}' in {org} has more than {scope.Limit:N0} members; Microsoft advises fewer, and lookups may fail.";

        private const string TooLargeRecommendation = "Split the group or use a smaller one.";

        private static async Task<ScopeGroupRead?> ReadAsync(TenantSession? session, AdminObject? relationship, DiagnosticsContext context, CancellationToken cancellationToken)
        {
            string? scope = relationship?.GetString("FreeBusyAccessScope");
            if (session == null || relationship == null || string.IsNullOrEmpty(scope)) return null;
            string name = relationship.GetString("Name") ?? "";
            int limit = context.Request.ScopeGroupLimit;
            try
            {
                await session.AdminApi.InvokeAsync("Get-DistributionGroup", new[] { new KeyValuePair<string, object?>("Identity", scope) },
                    context.Events, cancellationToken).ConfigureAwait(false);
                AdminApiResult members = await session.AdminApi.InvokeAsync("Get-DistributionGroupMember", new[]
                {
                    new KeyValuePair<string, object?>("Identity", scope),
                    new KeyValuePair<string, object?>("ResultSize", (limit + 1).ToString(CultureInfo.InvariantCulture)),
                }, context.Events, cancellationToken).ConfigureAwait(false);
                return new ScopeGroupRead(name, scope!, true, members.Values, limit);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return new ScopeGroupRead(name, scope!, false, Array.Empty<AdminObject>(), limit);
            }
        }
    }
}
