using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;

namespace CalendarFederation.Engine.Relationships
{
    /// <summary>Exchange's limits and texts for organization relationships (docs/protocol.md §3.1).</summary>
    public static class RelationshipRules
    {
        public const int MaxNameLength = 64;

        /// <summary>Null when <paramref name="name"/> can name a relationship; otherwise the OrganizationRelationshipNameTooLong error.</summary>
        public static EngineException? CheckName(string? name) =>
            name != null && name.Length > MaxNameLength
                ? new EngineException(ErrorIds.OrganizationRelationshipNameTooLong, ErrorKind.InvalidArgument,
                    $"The name '{name}' is {name.Length} characters long; an organization relationship's name has at most {MaxNameLength}.", name)
                : null;

        /// <summary>More domains in one request meets "subfilters exceeds maximum allowed number of 250" (seen with ~600).</summary>
        public const int MaxDomainsPerRequest = 238;

        public static string DomainInUseMessage(IEnumerable<string> domains, string otherRelationship) =>
            $"The domains {string.Join(", ", domains)} already exist in another organization relationship. Domains can only exist in one organization relationship. " +
            "To create an organization relationship with this domain, remove the domain from the other organization relationship." +
            $" (They are in the organization relationship '{otherRelationship}'.)";

        public static IEnumerable<string[]> Chunk(IReadOnlyList<string> domains)
        {
            for (int i = 0; i < domains.Count; i += MaxDomainsPerRequest)
            {
                yield return domains.Skip(i).Take(MaxDomainsPerRequest).ToArray();
            }
        }
    }

    /// <summary>A create or update that stopped part-way: what exists now, so nothing is left half-done unreported.</summary>
    public sealed class PartialChangeException : EngineException
    {
        public PartialChangeException(string errorId, string message, AdminObject? current, Exception inner)
            : base(errorId, ErrorKind.WriteError, message, inner: inner)
        {
            Current = current;
        }

        /// <summary>The relationship as it is now on the server, when it could be read back.</summary>
        public AdminObject? Current { get; }
    }

    /// <summary>
    /// Organization relationships through the admin API, with the checks Exchange makes and the ones admins need:
    /// domains already used by another relationship are found before anything is written, more than 238 domains are
    /// written in chunks, and a create that the service applied although our request timed out is recognised on retry.
    /// </summary>
    public sealed class OrganizationRelationshipService
    {
        private readonly AdminApiClient _api;
        private readonly IEngineEvents _events;

        /// <param name="events">Where the service's warnings, tracing and progress go: the caller's, for this operation.</param>
        public OrganizationRelationshipService(AdminApiClient api, IEngineEvents events)
        {
            _api = api ?? throw new ArgumentNullException(nameof(api));
            _events = events ?? throw new ArgumentNullException(nameof(events));
        }

        private async Task<AdminApiResult> InvokeAsync(string cmdlet, IEnumerable<KeyValuePair<string, object?>> parameters, CancellationToken cancellationToken)
        {
            AdminApiResult result = await _api.InvokeAsync(cmdlet, WithoutServerPrompts(cmdlet, parameters), _events, cancellationToken).ConfigureAwait(false);
            foreach (string warning in result.Warnings) _events.Warning(warning);
            return result;
        }

        /// <summary>
        /// The admin confirmed locally (ShouldProcess, ShouldContinue), and nobody can answer the service's own prompt over
        /// REST: writes carry Confirm:$false, and a Set- that changes Enabled carries Force:$true, which Exchange otherwise
        /// asks about ("You are about to enable ..."). Microsoft365DSC sends Confirm:$false the same way (docs/protocol-evidence.md).
        /// </summary>
        internal static IEnumerable<KeyValuePair<string, object?>> WithoutServerPrompts(string cmdlet, IEnumerable<KeyValuePair<string, object?>> parameters)
        {
            if (cmdlet.StartsWith("Get-", StringComparison.OrdinalIgnoreCase)) return parameters;
            var list = parameters.ToList();
            if (cmdlet.StartsWith("Set-", StringComparison.OrdinalIgnoreCase) && list.Any(p => p.Key == "Enabled")) list.Add(new KeyValuePair<string, object?>("Force", true));
            list.Add(new KeyValuePair<string, object?>("Confirm", false));
            return list;
        }

        private void Step(string message)
        {
            _events.Verbose(message);
            _events.Progress(new ProgressUpdate("Organization relationship", message, lane: ProgressLanes.Step));
        }

        public async Task<List<AdminObject>> GetAsync(string? identity, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, object?>>();
            if (!string.IsNullOrEmpty(identity)) parameters.Add(new KeyValuePair<string, object?>("Identity", identity));
            AdminApiResult result = await InvokeAsync("Get-OrganizationRelationship", parameters, cancellationToken).ConfigureAwait(false);
            return result.Values;
        }

        /// <summary>Finds which of <paramref name="domains"/> another relationship already holds (case-insensitive).</summary>
        public static (string Relationship, string[] Domains)? FindConflict(IEnumerable<AdminObject> existing, IEnumerable<string> domains, string? exceptIdentity)
        {
            var wanted = new HashSet<string>(domains.Select(Normalize), StringComparer.OrdinalIgnoreCase);
            foreach (AdminObject r in existing)
            {
                string name = r.GetString("Name") ?? r.GetString("Identity") ?? "";
                if (exceptIdentity != null && IsSame(r, exceptIdentity)) continue;
                string[] overlap = r.GetStrings("DomainNames").Where(d => wanted.Contains(Normalize(d))).ToArray();
                if (overlap.Length > 0) return (name, overlap);
            }
            return null;
        }

        public static bool IsSame(AdminObject relationship, string identity) =>
            string.Equals(relationship.GetString("Name"), identity, StringComparison.OrdinalIgnoreCase)
            || string.Equals(relationship.GetString("Identity"), identity, StringComparison.OrdinalIgnoreCase)
            || string.Equals(relationship.GetString("Guid"), identity, StringComparison.OrdinalIgnoreCase)
            || string.Equals(relationship.GetString("ExchangeObjectId"), identity, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Creates a relationship: pre-flight, then New- with the first 238 domains and Set- @{Add=...} for the rest.
        /// <paramref name="settings"/> are the other parameters, in Exchange's names.
        /// </summary>
        /// <param name="existing">The tenant's relationships as already read (bulk callers pass one list for many creates); null reads them.</param>
        public async Task<AdminObject> CreateAsync(string name, IReadOnlyList<string> domains, IReadOnlyList<KeyValuePair<string, object?>> settings,
            CancellationToken cancellationToken, IReadOnlyList<AdminObject>? existing = null)
        {
            existing ??= await GetAsync(null, cancellationToken).ConfigureAwait(false);
            if (existing.Any(r => IsSame(r, name)))
            {
                throw new AdminApiException(AdminApiErrorKind.AlreadyExists, $"An organization relationship named '{name}' already exists. Use Set-OrganizationRelationship to change it.");
            }
            var conflict = FindConflict(existing, domains, null);
            if (conflict != null)
            {
                throw new AdminApiException(AdminApiErrorKind.DomainInUse, RelationshipRules.DomainInUseMessage(conflict.Value.Domains, conflict.Value.Relationship));
            }

            string[][] chunks = RelationshipRules.Chunk(domains).ToArray();
            var parameters = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Name", name),
                new KeyValuePair<string, object?>("DomainNames", chunks[0]),
            };
            parameters.AddRange(settings);
            Step($"Creating '{name}' with {chunks[0].Length} of {domains.Count} domains.");
            AdminObject? result = null;
            try
            {
                AdminApiResult created = await InvokeAsync("New-OrganizationRelationship", parameters, cancellationToken).ConfigureAwait(false);
                result = created.Values.FirstOrDefault();
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.AlreadyExists || ex.Failure == AdminApiErrorKind.DomainInUse)
            {
                // The pre-flight saw neither the name nor the domains in use: most likely our own earlier attempt was applied
                // although its answer was lost, and the retry met it (Exchange checks domains before names).
                AdminObject? current = (await GetAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                var has = new HashSet<string>(current?.GetStrings("DomainNames").Select(Normalize) ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
                if (current == null || !chunks[0].All(d => has.Contains(Normalize(d)))) throw;
                Step($"'{name}' already exists with these domains: an earlier attempt was applied, so it was not created twice.");
            }

            for (int i = 1; i < chunks.Length; i++)
            {
                Step($"Adding domains {i * RelationshipRules.MaxDomainsPerRequest + 1}-{i * RelationshipRules.MaxDomainsPerRequest + chunks[i].Length} of {domains.Count} to '{name}'.");
                try
                {
                    await AddDomainsAsync(name, chunks[i], cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AdminApiException && !cancellationToken.IsCancellationRequested)
                {
                    AdminObject? current = await TryReadAsync(name, cancellationToken).ConfigureAwait(false);
                    int have = current?.GetStrings("DomainNames").Length ?? 0;
                    throw new PartialChangeException(ErrorIds.OrganizationRelationshipPartiallyCreated,
                        $"'{name}' was created, but adding the rest of its domains failed: it now has {have} of {domains.Count} domains. " +
                        $"Run Set-OrganizationRelationship -Identity '{name}' -DomainNames @{{Add=...}} with the missing ones, or remove it. Cause: {ex.Message}",
                        current, ex);
                }
            }

            // New- answers with the created object; read back only when more was written after it, or it said nothing.
            if (result != null && chunks.Length == 1) return result;
            return (await GetAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault()
                ?? throw new AdminApiException(AdminApiErrorKind.NotFound, $"'{name}' was created but cannot be read back.");
        }

        /// <summary>Add/remove changes in requests of at most 238 domains each: removals first, additions filling the space left.</summary>
        public static List<Hashtable> PackChanges(IReadOnlyList<string> add, IReadOnlyList<string> remove)
        {
            var requests = new List<Hashtable>();
            int a = 0, r = 0;
            while (a < add.Count || r < remove.Count)
            {
                int room = RelationshipRules.MaxDomainsPerRequest;
                var change = new Hashtable();
                int takeRemove = Math.Min(room, remove.Count - r);
                if (takeRemove > 0)
                {
                    change["Remove"] = remove.Skip(r).Take(takeRemove).ToArray();
                    r += takeRemove;
                    room -= takeRemove;
                }
                int takeAdd = Math.Min(room, add.Count - a);
                if (takeAdd > 0)
                {
                    change["Add"] = add.Skip(a).Take(takeAdd).ToArray();
                    a += takeAdd;
                }
                requests.Add(change);
            }
            return requests;
        }

        /// <summary>Adds domains with Exchange's add syntax, first checking no other relationship holds them.</summary>
        public async Task AddDomainsAsync(string identity, IReadOnlyList<string> domains, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Identity", identity),
                new KeyValuePair<string, object?>("DomainNames", new Hashtable { ["Add"] = domains.ToArray() }),
            };
            AdminApiResult result = await InvokeAsync("Set-OrganizationRelationship", parameters, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Changes a relationship. <paramref name="addDomains"/>, <paramref name="removeDomains"/> or <paramref name="replaceDomains"/>
        /// use Exchange's syntax; added or replacing domains are checked against the other relationships first.
        /// </summary>
        /// <param name="current">The relationship as the caller just read it; with no incoming domains it spares reading the whole list.</param>
        /// <param name="readBack">False when the caller does not need the result: the relationship as it was is returned, one request fewer.</param>
        public async Task<AdminObject> UpdateAsync(string identity, IReadOnlyList<KeyValuePair<string, object?>> settings,
            IReadOnlyList<string>? replaceDomains, IReadOnlyList<string>? addDomains, IReadOnlyList<string>? removeDomains,
            CancellationToken cancellationToken, AdminObject? current = null, bool readBack = true)
        {
            string[] incoming = (replaceDomains ?? Array.Empty<string>()).Concat(addDomains ?? Array.Empty<string>()).ToArray();
            AdminObject target;
            if (current != null && incoming.Length == 0)
            {
                // Nothing to check against the other relationships: one request fewer per Set, which counts under throttling.
                target = current;
            }
            else
            {
                List<AdminObject> existing = await GetAsync(null, cancellationToken).ConfigureAwait(false);
                target = existing.FirstOrDefault(r => IsSame(r, identity))
                    ?? throw new AdminApiException(AdminApiErrorKind.NotFound, $"The operation couldn't be performed because object '{identity}' couldn't be found.");
                var conflict = FindConflict(existing, incoming, target.GetString("Name") ?? identity);
                if (conflict != null)
                {
                    throw new AdminApiException(AdminApiErrorKind.DomainInUse, RelationshipRules.DomainInUseMessage(conflict.Value.Domains, conflict.Value.Relationship));
                }
            }
            string name = target.GetString("Name") ?? identity;

            // Every request carries at most 238 domains in all: the first holds the settings, a replacement list or the
            // removals plus as many additions as fit; the rest of the additions follow in their own requests.
            var parameters = new List<KeyValuePair<string, object?>> { new KeyValuePair<string, object?>("Identity", name) };
            var queue = new List<Hashtable>();
            if (replaceDomains != null)
            {
                string[][] chunks = RelationshipRules.Chunk(replaceDomains).ToArray();
                parameters.Add(new KeyValuePair<string, object?>("DomainNames", chunks.Length > 0 ? chunks[0] : Array.Empty<string>()));
                foreach (string[] chunk in chunks.Skip(1)) queue.Add(new Hashtable { ["Add"] = chunk });
                foreach (string[] chunk in RelationshipRules.Chunk(addDomains ?? Array.Empty<string>())) queue.Add(new Hashtable { ["Add"] = chunk });
            }
            else if ((addDomains != null && addDomains.Count > 0) || (removeDomains != null && removeDomains.Count > 0))
            {
                queue.AddRange(PackChanges(addDomains ?? Array.Empty<string>(), removeDomains ?? Array.Empty<string>()));
                parameters.Add(new KeyValuePair<string, object?>("DomainNames", queue[0]));
                queue.RemoveAt(0);
            }
            parameters.AddRange(settings);
            if (parameters.Count > 1)
            {
                AdminApiResult result = await InvokeAsync("Set-OrganizationRelationship", parameters, cancellationToken).ConfigureAwait(false);
            }
            // A rename takes effect with the first request: everything after it, and the read-back, use the new name.
            foreach (var s in settings)
            {
                if (s.Key == "Name" && s.Value is string renamed && renamed.Length > 0) name = renamed;
            }
            foreach (Hashtable change in queue)
            {
                try
                {
                    var more = new List<KeyValuePair<string, object?>>
                    {
                        new KeyValuePair<string, object?>("Identity", name),
                        new KeyValuePair<string, object?>("DomainNames", change),
                    };
                    AdminApiResult result = await InvokeAsync("Set-OrganizationRelationship", more, cancellationToken).ConfigureAwait(false);
                }
                catch (AdminApiException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    AdminObject? now = await TryReadAsync(name, cancellationToken).ConfigureAwait(false);
                    throw new PartialChangeException(ErrorIds.OrganizationRelationshipPartiallyUpdated,
                        $"'{name}' was partly updated: changing its remaining domains failed, and it now has {now?.GetStrings("DomainNames").Length ?? 0} domains. Cause: {ex.Message}",
                        now, ex);
                }
            }
            if (!readBack) return target;
            return (await GetAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault() ?? target;
        }

        /// <summary>
        /// Removes a relationship that exists now. If the service then says it is not found, an earlier attempt of ours
        /// that timed out was applied: it is gone, which is what was asked.
        /// </summary>
        public async Task RemoveAsync(string identity, CancellationToken cancellationToken)
        {
            var parameters = new List<KeyValuePair<string, object?>> { new KeyValuePair<string, object?>("Identity", identity) };
            try
            {
                AdminApiResult result = await InvokeAsync("Remove-OrganizationRelationship", parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                if ((await GetAsync(null, cancellationToken).ConfigureAwait(false)).Any(r => IsSame(r, identity))) throw;
            }
        }

        private async Task<AdminObject?> TryReadAsync(string name, CancellationToken cancellationToken)
        {
            try
            {
                return (await GetAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (AdminApiException)
            {
                return null;
            }
        }

        private static string Normalize(string domain) => SmtpDomain.TryNormalize(domain, out _) ?? domain.Trim().ToLowerInvariant();
    }
}
