using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;

namespace CalendarFederation.Engine.Diagnostics.Checks
{
    internal enum ScopeOutcome
    {
        InScope,
        OutOfScope,
        /// <summary>Not decided: a group too large to list, or a read that failed.</summary>
        Unknown,
    }

    /// <summary>Whether the partner's allowed free/busy capabilities hold the mailbox in their resourceScopes.</summary>
    internal sealed class MailboxScopeRead
    {
        public MailboxScopeRead(ScopeOutcome outcome, M365Capability capability, string detail)
        {
            Outcome = outcome;
            Capability = capability;
            Detail = detail;
        }

        public ScopeOutcome Outcome { get; }
        /// <summary>The capability the outcome is about (the one that holds the mailbox, or the first that does not).</summary>
        public M365Capability Capability { get; }
        public string Detail { get; }
    }

    /// <summary>
    /// Whether a mailbox is in an X-TAP capability's resourceScopes (docs/cross-tenant-access.md §2.6): "All", its own user object id, or a group
    /// holding it, with excluded winning over included (G-SCOPES). The mailbox's object id is its ExternalDirectoryObjectId
    /// (Get-Mailbox); a group's members come through the admin API (Get-Group by object id, then Get-DistributionGroupMember),
    /// as the relationship's scope checks read theirs.
    /// </summary>
    internal static class ScopeReader
    {
        public static async Task<MailboxScopeRead?> ReadAsync(AdminApiClient api, string mailbox, IReadOnlyList<M365Capability> capabilities, int limit,
            IEngineEvents events, CancellationToken cancellationToken)
        {
            string? objectId;
            try
            {
                AdminApiResult found = await api.InvokeAsync("Get-Mailbox", new[] { new KeyValuePair<string, object?>("Identity", mailbox) }, events, cancellationToken)
                    .ConfigureAwait(false);
                objectId = found.Values.FirstOrDefault()?.GetString("ExternalDirectoryObjectId");
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
            {
                return null;
            }
            catch (AdminApiException ex)
            {
                return new MailboxScopeRead(ScopeOutcome.Unknown, capabilities[0], $"{mailbox} could not be read ({ex.Message})");
            }
            var matcher = new Matcher(api, mailbox, objectId, limit, events, cancellationToken);
            MailboxScopeRead? first = null;
            foreach (M365Capability capability in capabilities)
            {
                ResourceScopes scopes = capability.InboundAccess.Scopes;
                (bool? excluded, string excludedWhy) = await matcher.MatchAsync(scopes.Excluded).ConfigureAwait(false);
                (bool? included, string includedWhy) = await matcher.MatchAsync(scopes.Included).ConfigureAwait(false);
                MailboxScopeRead read =
                    excluded == true ? new MailboxScopeRead(ScopeOutcome.OutOfScope, capability, $"{mailbox} is excluded ({excludedWhy})")
                    : included == true && excluded == false ? new MailboxScopeRead(ScopeOutcome.InScope, capability, $"{mailbox} is included ({includedWhy})")
                    : included == false && excluded == false ? new MailboxScopeRead(ScopeOutcome.OutOfScope, capability,
                        $"{mailbox} is not among {scopes.Describe()}{(includedWhy.Length > 0 ? " (" + includedWhy + ")" : "")}")
                    : new MailboxScopeRead(ScopeOutcome.Unknown, capability, included == null ? includedWhy : excludedWhy);
                if (read.Outcome == ScopeOutcome.InScope) return read;
                if (first == null || (read.Outcome == ScopeOutcome.Unknown && first.Outcome == ScopeOutcome.OutOfScope)) first = read;
            }
            return first;
        }

        /// <summary>The mailbox against scope entries, each group's membership read once per mailbox.</summary>
        private sealed class Matcher
        {
            private readonly AdminApiClient _api;
            private readonly string _mailbox;
            private readonly string? _objectId;
            private readonly int _limit;
            private readonly IEngineEvents _events;
            private readonly CancellationToken _cancellationToken;
            private readonly Dictionary<string, (bool? Member, string Why)> _groups = new Dictionary<string, (bool? Member, string Why)>(StringComparer.OrdinalIgnoreCase);

            public Matcher(AdminApiClient api, string mailbox, string? objectId, int limit, IEngineEvents events, CancellationToken cancellationToken)
            {
                _api = api;
                _mailbox = mailbox;
                _objectId = objectId;
                _limit = limit;
                _events = events;
                _cancellationToken = cancellationToken;
            }

            // True when an entry holds the mailbox, false when none does, null when some could not be decided.
            public async Task<(bool?, string)> MatchAsync(IReadOnlyList<ResourceScope> entries)
            {
                bool undecided = false;
                var why = new List<string>();
                foreach (ResourceScope entry in entries.Where(e => !e.IsEmpty))
                {
                    if (entry.IsEveryone) return (true, entry.ToString());
                    if (_objectId != null && string.Equals(entry.ResourceId, _objectId, StringComparison.OrdinalIgnoreCase)) return (true, $"user {_objectId}");
                    if (!string.Equals(entry.ResourceType, XtapDecisions.GroupResourceType, StringComparison.OrdinalIgnoreCase)) continue;
                    if (!_groups.TryGetValue(entry.ResourceId!, out var member)) _groups[entry.ResourceId!] = member = await MemberAsync(entry.ResourceId!).ConfigureAwait(false);
                    if (member.Member == true) return (true, member.Why);
                    if (member.Member == null) undecided = true;
                    why.Add(member.Why);
                }
                return (undecided ? (bool?)null : false, string.Join("; ", why));
            }

            private async Task<(bool?, string)> MemberAsync(string groupId)
            {
                string name;
                try
                {
                    AdminApiResult group = await _api.InvokeAsync("Get-Group", new[] { new KeyValuePair<string, object?>("Identity", groupId) }, _events, _cancellationToken)
                        .ConfigureAwait(false);
                    name = group.Values.FirstOrDefault()?.GetString("Name") ?? groupId;
                }
                catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.NotFound)
                {
                    return (false, $"the group {groupId} does not exist");
                }
                catch (AdminApiException ex)
                {
                    return (null, $"the group {groupId} could not be read ({ex.Message})");
                }
                try
                {
                    AdminApiResult members = await _api.InvokeAsync("Get-DistributionGroupMember", new[]
                    {
                        new KeyValuePair<string, object?>("Identity", name),
                        new KeyValuePair<string, object?>("ResultSize", (_limit + 1).ToString(CultureInfo.InvariantCulture)),
                    }, _events, _cancellationToken).ConfigureAwait(false);
                    bool holds = members.Values.Any(m => string.Equals(m.GetString("PrimarySmtpAddress"), _mailbox, StringComparison.OrdinalIgnoreCase)
                        || (_objectId != null && string.Equals(m.GetString("ExternalDirectoryObjectId"), _objectId, StringComparison.OrdinalIgnoreCase)));
                    if (holds) return (true, $"a member of '{name}'");
                    if (members.Values.Count > _limit) return (null, $"'{name}' has more than {_limit.ToString("N0", CultureInfo.InvariantCulture)} members, too many to list");
                    return (false, $"not a member of '{name}'");
                }
                catch (AdminApiException ex)
                {
                    return (null, $"the members of '{name}' could not be read ({ex.Message})");
                }
            }
        }
    }
}
