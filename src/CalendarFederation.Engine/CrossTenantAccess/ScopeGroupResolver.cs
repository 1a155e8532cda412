using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>A group that scopes a capability: who the admin named, and its Entra object id.</summary>
    public sealed class ScopeGroup
    {
        public ScopeGroup(string identity, string objectId, string? displayName, string? primarySmtpAddress, string? recipientTypeDetails)
        {
            Identity = identity;
            ObjectId = objectId;
            DisplayName = displayName;
            PrimarySmtpAddress = primarySmtpAddress;
            RecipientTypeDetails = recipientTypeDetails;
        }

        /// <summary>What the admin gave: a name, an address, an alias or a GUID.</summary>
        public string Identity { get; }

        /// <summary>The Entra object id (Exchange's ExternalDirectoryObjectId), sent as resourceId.</summary>
        public string ObjectId { get; }

        public string? DisplayName { get; }
        public string? PrimarySmtpAddress { get; }
        public string? RecipientTypeDetails { get; }

        public bool IsSecurityGroup => string.Equals(RecipientTypeDetails, "MailUniversalSecurityGroup", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => (DisplayName ?? Identity) + " (" + ObjectId + ")";
    }

    /// <summary>
    /// Resolves a scope group through the Exchange admin API: Get-DistributionGroup -Identity &lt;x&gt; gives the group's
    /// ExternalDirectoryObjectId (its Entra object id). A GUID is resolved the same way, never taken as given
    /// (XtapDecisions D15). Get-DistributionGroup's GUID is Exchange's own, so a GUID it does not know is looked up with
    /// Get-Recipient, whose Identity also takes the Entra object id that a grant's resourceScopes hold (what the fleet
    /// export and the inventory pass; docs/fleet.md §5). Anything that does not resolve to exactly one group with an
    /// object id is ScopeGroupNotFound.
    /// </summary>
    public sealed class ScopeGroupResolver
    {
        private readonly AdminApiClient _adminApi;

        public ScopeGroupResolver(AdminApiClient adminApi) => _adminApi = adminApi ?? throw new ArgumentNullException(nameof(adminApi));

        public async Task<ScopeGroup> ResolveAsync(string identity, IEngineEvents events, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(identity))
            {
                throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, "A scope group needs a name, an address or an object id.");
            }
            identity = identity.Trim();
            AdminApiResult? result = await GetAsync("Get-DistributionGroup", identity, events, cancellationToken).ConfigureAwait(false);
            if ((result == null || result.Values.Count == 0) && Guid.TryParse(identity, out _))
            {
                AdminApiResult? byObjectId = await GetAsync("Get-Recipient", identity, events, cancellationToken).ConfigureAwait(false);
                if (byObjectId != null) result = new AdminApiResult(byObjectId.Values.Where(IsGroup).ToList(), byObjectId.Warnings, byObjectId.Pages);
            }
            if (result == null || result.Values.Count == 0) throw NotFound(identity, $"Exchange knows no mail-enabled group '{identity}'.", null);
            if (result.Values.Count > 1) throw NotFound(identity, $"'{identity}' names {result.Values.Count} groups; give its address or object id.", null);

            AdminObject group = result.Values[0];
            string? objectId = group.GetString("ExternalDirectoryObjectId");
            if (!Guid.TryParse(objectId, out Guid parsed))
            {
                throw NotFound(identity, $"The group '{identity}' has no Entra object id (ExternalDirectoryObjectId) in Exchange, so it cannot scope a capability.", null);
            }
            var resolved = new ScopeGroup(identity, parsed.ToString("D"), group.GetString("DisplayName") ?? group.GetString("Name"),
                group.GetString("PrimarySmtpAddress"), group.GetString("RecipientTypeDetails"));
            if (Guid.TryParse(identity, out Guid given) && given != parsed)
            {
                events.Verbose($"Scope group {identity} is {resolved.DisplayName}, whose Entra object id is {resolved.ObjectId}; that id is used.");
            }
            if (!resolved.IsSecurityGroup)
            {
                events.Warning($"The scope group {resolved} is not a mail-enabled security group ({resolved.RecipientTypeDetails ?? "type unknown"}); "
                    + "Exchange's free/busy and MailTips scopes required one, and whether the cross-tenant access policy accepts other groups is not documented.");
            }
            return resolved;
        }

        // Null when Exchange knows no such recipient.
        private async Task<AdminApiResult?> GetAsync(string cmdlet, string identity, IEngineEvents events, CancellationToken cancellationToken)
        {
            AdminApiResult result;
            try
            {
                result = await _adminApi.InvokeAsync(cmdlet, new[] { new KeyValuePair<string, object?>("Identity", identity) }, events, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return null;
            }
            catch (AdminApiException ex) when (ex.Message.IndexOf("matches multiple", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw NotFound(identity, $"'{identity}' names more than one group; give its address or object id.", ex);
            }
            foreach (string warning in result.Warnings) events.Verbose(cmdlet + ": " + warning);
            return result;
        }

        private static bool IsGroup(AdminObject recipient) =>
            (recipient.GetString("RecipientTypeDetails") ?? "").EndsWith("Group", StringComparison.OrdinalIgnoreCase);

        private static EngineException NotFound(string identity, string message, Exception? inner) =>
            new EngineException(ErrorIds.ScopeGroupNotFound, ErrorKind.ObjectNotFound, message, identity, inner: inner);
    }
}
