using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>A request with its scope groups resolved to Entra object ids, and the groups' display names for the descriptions.</summary>
    internal sealed class ResolvedPartnerRequest
    {
        public ResolvedPartnerRequest(string tenantId, PartnerAccessRequest request, IReadOnlyDictionary<string, string> names, IReadOnlyList<ScopeGroup> groups)
        {
            TenantId = tenantId;
            Request = request;
            Names = names;
            Groups = groups;
        }

        public string TenantId { get; }
        public PartnerAccessRequest Request { get; }
        public IReadOnlyDictionary<string, string> Names { get; }
        public IReadOnlyList<ScopeGroup> Groups { get; }

        public static async Task<ResolvedPartnerRequest> ResolveAsync(PartnerAccessRequest request, ScopeGroupResolver? groups, IEngineEvents events,
            CancellationToken cancellationToken)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            string tenantId = CrossTenantAccessClient.NormalizeTenantId(request.PartnerTenantId);
            var byIdentity = new Dictionary<string, ScopeGroup>(StringComparer.OrdinalIgnoreCase);
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

            async Task<IReadOnlyList<string>?> Resolve(IReadOnlyList<string>? scope)
            {
                if (scope == null || scope.Count == 0) return scope;
                var ids = new List<string>();
                foreach (string identity in scope)
                {
                    if (!byIdentity.TryGetValue(identity, out ScopeGroup? group))
                    {
                        if (groups == null)
                        {
                            if (!Guid.TryParse(identity, out Guid id))
                            {
                                throw new EngineException(ErrorIds.ScopeGroupNotFound, ErrorKind.ObjectNotFound,
                                    $"The scope group '{identity}' cannot be resolved here (no admin API connection); give its Entra object id.", identity);
                            }
                            group = new ScopeGroup(identity, id.ToString("D"), null, null, null);
                        }
                        else
                        {
                            group = await groups.ResolveAsync(identity, events, cancellationToken).ConfigureAwait(false);
                        }
                        byIdentity[identity] = group;
                        if (group.DisplayName != null) names[group.ObjectId] = group.DisplayName;
                    }
                    ids.Add(group.ObjectId);
                }
                return ids;
            }

            PartnerAccessRequest resolved = request.WithScopes(await Resolve(request.FreeBusyScope).ConfigureAwait(false),
                await Resolve(request.MailTipsScope).ConfigureAwait(false), await Resolve(request.CalendarSharingScope).ConfigureAwait(false),
                await Resolve(request.RoomBookingScope).ConfigureAwait(false));
            return new ResolvedPartnerRequest(tenantId, resolved, names, byIdentity.Values.Distinct().ToArray());
        }
    }
}
