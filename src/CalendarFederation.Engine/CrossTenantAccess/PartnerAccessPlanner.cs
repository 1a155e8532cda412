using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.CrossTenantAccess
{
    /// <summary>
    /// Plans one partner's access in one (resource) tenant: pure, no I/O. Rules: the trust is written explicitly before any
    /// capability that grants (a null trust inherits the default, which may be blocked); a scoped or blocked trust is never
    /// widened unless asked (CrossTenantTrustRestricted); exactly one level of each family stays allowed, the others removed
    /// or disabled as XtapDecisions.RemovalFor says; revoking is planned the same way; the default policy is never touched.
    /// Order: create the partner, write the trust, take away, then change, then add, so an interrupted apply never exposes
    /// more than the old or the new state would, and never leaves two levels allowed.
    /// </summary>
    public static class PartnerAccessPlanner
    {
        /// <param name="current">The partner as read now.</param>
        /// <param name="request">What to give; scopes must be Entra object ids.</param>
        /// <param name="defaults">The default policy as read now; null when unknown.</param>
        /// <param name="scopeNames">Display names for object ids, for the descriptions.</param>
        public static PartnerAccessPlan Plan(PartnerAccessState current, PartnerAccessRequest request, CrossTenantDefaultPolicy? defaults = null,
            IReadOnlyDictionary<string, string>? scopeNames = null)
        {
            if (current == null) throw new ArgumentNullException(nameof(current));
            if (request == null) throw new ArgumentNullException(nameof(request));
            string tenantId = CrossTenantAccessClient.NormalizeTenantId(request.PartnerTenantId);
            if (!string.Equals(tenantId, CrossTenantAccessClient.NormalizeTenantId(current.PartnerTenantId), StringComparison.Ordinal))
            {
                throw new ArgumentException($"The state read is for {current.PartnerTenantId}, the request for {request.PartnerTenantId}.", nameof(current));
            }
            Validate(request);

            var removals = new List<PlanStep>();
            var updates = new List<PlanStep>();
            var adds = new List<PlanStep>();
            var warnings = new List<string>();
            var targets = request.Targets().ToArray();

            // First what should be allowed: it decides whether the partner configuration exists after the plan.
            PlanGrants(current, targets, scopeNames, updates, adds);
            bool grants = adds.Count > 0 || updates.Count > 0;
            bool partnerAfter = current.Exists || grants;

            // Then what must stop granting: every other level of each family set, and each family revoked.
            PlanRemovals(current, targets, defaults, partnerAfter, tenantId, removals, warnings);

            var steps = new List<PlanStep>();
            if (grants) PlanTrust(current, request, tenantId, steps, warnings);
            steps.AddRange(removals);
            steps.AddRange(updates);
            steps.AddRange(adds);

            return new PartnerAccessPlan(tenantId, steps, warnings);
        }

        private static void PlanGrants(PartnerAccessState current, (CapabilityFamily Family, string? Wanted, IReadOnlyList<string>? Scope)[] targets,
            IReadOnlyDictionary<string, string>? scopeNames, List<PlanStep> updates, List<PlanStep> adds)
        {
            foreach (var (family, wanted, scope) in targets)
            {
                if (wanted == null) continue;
                string familyName = M365CapabilityNames.Describe(family);
                M365Capability? existing = current.Exists ? current.Find(wanted) : null;
                var access = new InboundAccess(true, ScopesFor(family, scope));
                string who = DescribeScope(access.Scopes, scopeNames);
                if (existing == null)
                {
                    adds.Add(new PlanStep(PlanStepKind.AddCapability, $"Add {wanted} for {who}",
                        $"The partner's users should get {familyName} at this level, and the partner has no {wanted}.", wanted, access));
                }
                else if (!existing.InboundAccess.SameAs(access))
                {
                    string now = existing.IsAllowed ? "allowed for " + DescribeScope(existing.InboundAccess.Scopes, scopeNames) : "denied";
                    updates.Add(new PlanStep(PlanStepKind.UpdateCapability, $"Update {wanted} to allow it for {who}",
                        $"It is {now} now.", wanted, access, capabilityExists: true));
                }
            }
        }

        private static void PlanRemovals(PartnerAccessState current, (CapabilityFamily Family, string? Wanted, IReadOnlyList<string>? Scope)[] targets,
            CrossTenantDefaultPolicy? defaults, bool partnerAfter, string tenantId, List<PlanStep> removals, List<string> warnings)
        {
            foreach (var (family, wanted, _) in targets)
            {
                string familyName = M365CapabilityNames.Describe(family);
                string why = wanted == null ? $"({familyName} is revoked)" : $"so one {familyName} level is left";
                foreach (string member in M365CapabilityNames.Members(family).Where(m => m != wanted))
                {
                    M365Capability? existing = current.Exists ? current.Find(member) : null;
                    if (XtapDecisions.RemovalFor(member, defaults) == CapabilityRemoval.Delete)
                    {
                        if (existing != null)
                        {
                            removals.Add(new PlanStep(PlanStepKind.RemoveCapability, $"Remove {member} {why}",
                                "A capability a partner does not have is not granted to it.", member));
                        }
                    }
                    else if (!partnerAfter)
                    {
                        warnings.Add($"The default policy allows {member} for every tenant without a setting of its own, so {tenantId} gets it too; "
                            + "this module never changes the default policy. Change it there, or give the partner a configuration of its own.");
                    }
                    else if (existing == null || existing.IsAllowed)
                    {
                        // Keep the scopes there were: only isAllowed changes (the whole inboundAccess is sent, XtapDecisions D7).
                        ResourceScopes keep = existing == null || existing.InboundAccess.Scopes.IsUnset ? ScopesFor(family, null) : existing.InboundAccess.Scopes;
                        removals.Add(new PlanStep(PlanStepKind.DisableCapability, $"Disable {member} {why}",
                            "The default policy allows it for every tenant; only a partner setting of the same name overrides that.",
                            member, new InboundAccess(false, keep), capabilityExists: existing != null));
                    }
                }
            }
        }

        // The trust goes before any capability that grants: created with the partner, written when inherited, never widened unless asked.
        private static void PlanTrust(PartnerAccessState current, PartnerAccessRequest request, string tenantId, List<PlanStep> steps, List<string> warnings)
        {
            CollaborationTrust trust = current.Trust;
            if (!current.Exists)
            {
                steps.Add(new PlanStep(PlanStepKind.CreatePartner, $"Create partner configuration for {tenantId}",
                    "Capabilities and the trust live on the partner configuration; the tenant has none for this partner yet."));
                steps.Add(new PlanStep(PlanStepKind.SetTrust, "Set the Microsoft 365 collaboration trust to all users",
                    "A new partner inherits the default policy's trust, which may be blocked; it is written explicitly before any capability.",
                    trust: CollaborationTrust.AllUsersAllowed));
            }
            else
            {
                switch (trust.State)
                {
                    case TrustState.Inherited:
                        steps.Add(new PlanStep(PlanStepKind.SetTrust, "Set the Microsoft 365 collaboration trust to all users",
                            "The partner inherits the default policy's trust, which may be blocked; it is written explicitly before any capability.",
                            trust: CollaborationTrust.AllUsersAllowed));
                        break;
                    case TrustState.AllUsers:
                        break;
                    case TrustState.Scoped when request.ExistingTrust == ExistingTrustHandling.KeepScoped:
                        warnings.Add($"The Microsoft 365 collaboration trust for {tenantId} is kept as it is ({trust.Describe()}): only the partner users it allows get what is granted.");
                        break;
                    default:
                        if (request.ExistingTrust != ExistingTrustHandling.Replace)
                        {
                            throw new EngineException(ErrorIds.CrossTenantTrustRestricted, ErrorKind.InvalidOperation,
                                $"The Microsoft 365 collaboration trust for partner {tenantId} is {trust.Describe()}. Granting access needs it allowed for all users, "
                                + "and a restricted trust is never widened without being asked to"
                                + (trust.State == TrustState.Scoped ? " (replace it, or keep it as it is)." : " (replace it)."), tenantId);
                        }
                        steps.Add(new PlanStep(PlanStepKind.SetTrust, "Set the Microsoft 365 collaboration trust to all users",
                            $"Asked to replace the restricted trust ({trust.Describe()}).", trust: CollaborationTrust.AllUsersAllowed));
                        break;
                }
            }
        }

        /// <summary>Who a scope exposes, named: "all users", "group Sales (3f…)".</summary>
        public static string DescribeScope(ResourceScopes scopes, IReadOnlyDictionary<string, string>? names = null)
        {
            IEnumerable<ResourceScope> included = scopes.Included.Where(s => !s.IsEmpty).ToArray();
            if (!included.Any()) return "nobody";
            if (included.All(s => s.IsEveryone) && scopes.Excluded.All(s => s.IsEmpty)) return "all users";
            string Name(ResourceScope s) => s.IsEveryone ? "all " + s.ResourceType + "s"
                : (s.ResourceType ?? "object") + " " + (names != null && s.ResourceId != null && names.TryGetValue(s.ResourceId, out string? n) ? n + " (" + s.ResourceId + ")" : s.ResourceId);
            string text = included.Count() == 1 ? Name(included.First()) : string.Join(", ", included.Select(Name));
            ResourceScope[] excluded = scopes.Excluded.Where(s => !s.IsEmpty).ToArray();
            return excluded.Length == 0 ? text : text + " except " + string.Join(", ", excluded.Select(Name));
        }

        internal static ResourceScopes ScopesFor(CapabilityFamily family, IReadOnlyList<string>? groups) =>
            groups == null || groups.Count == 0
                ? ResourceScopes.Everyone(XtapDecisions.EveryoneResourceType(family))
                : ResourceScopes.Groups(groups.Select(g => Guid.Parse(g).ToString("D")).Distinct(StringComparer.OrdinalIgnoreCase));

        private static void Validate(PartnerAccessRequest request)
        {
            foreach (var (family, scope, levelSet) in request.Scopes())
            {
                if (scope == null || scope.Count == 0) continue;
                string familyName = M365CapabilityNames.Describe(family);
                if (!levelSet)
                {
                    throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, $"A {familyName} scope was given without a {familyName} level.", request.PartnerTenantId);
                }
                foreach (string id in scope)
                {
                    if (!Guid.TryParse(id, out _))
                    {
                        throw new EngineException(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument,
                            $"The {familyName} scope '{id}' is not an Entra object id; resolve group names first.", id);
                    }
                }
            }
        }
    }
}
