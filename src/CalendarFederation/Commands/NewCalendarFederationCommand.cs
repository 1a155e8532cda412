using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Federation;
using CalendarFederation.Infrastructure;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Sets up free/busy both ways in one command: on each side it hydrates if needed, discovers the other side,
    /// creates or updates the reciprocal relationship with all the partner's domains, and verifies it. Running it
    /// again changes nothing and says so.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "CalendarFederation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(CalendarFederationSide))]
    public sealed class NewCalendarFederationCommand : TenantCommandBase
    {
        [Parameter(Mandatory = true, HelpMessage = "The partner tenant's connection (Connect-CalendarFederation -PassThru).")]
        [ValidateNotNull]
        public CalendarFederationConnection PartnerConnection { get; set; } = null!;

        [Parameter(HelpMessage = "What the partner sees of your calendars: None, AvailabilityOnly (times) or LimitedDetails (times, subject, location).")]
        public FreeBusyAccessLevel FreeBusyAccessLevel { get; set; } = FreeBusyAccessLevel.AvailabilityOnly;

        [Parameter(HelpMessage = "What you see of the partner's calendars; by default the same as -FreeBusyAccessLevel.")]
        public FreeBusyAccessLevel? PartnerFreeBusyAccessLevel { get; set; }

        [Parameter(HelpMessage = "Only this group's members' free/busy is shared with the partner.")]
        public string? FreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "Only this partner group's members' free/busy is shared with you.")]
        public string? PartnerFreeBusyAccessScope { get; set; }

        [Parameter(HelpMessage = "The relationship's name in your tenant; by default the partner's display name.")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter(HelpMessage = "The relationship's name in the partner's tenant; by default your display name.")]
        [ValidateNotNullOrEmpty]
        public string? PartnerName { get; set; }

        protected override void EndProcessing()
        {
            foreach (string? given in new[] { Name, PartnerName })
            {
                if (given != null && given.Length > Engine.Relationships.RelationshipRules.MaxNameLength)
                {
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The name '{given}' is {given.Length} characters long; an organization relationship's name has at most {Engine.Relationships.RelationshipRules.MaxNameLength}."),
                        "OrganizationRelationshipNameTooLong", ErrorCategory.InvalidArgument, given));
                }
            }
            CalendarFederationConnection local = ResolveConnection();
            if (local.Session == PartnerConnection.Session || string.Equals(local.TenantId, PartnerConnection.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Connection and -PartnerConnection are the same tenant; federation needs two."),
                    "SameTenant", ErrorCategory.InvalidArgument, PartnerConnection));
            }

            TenantSnapshot a, b;
            FederationInfo? aInfo, bInfo;
            string? aFailure, bFailure;
            string? scopeA = null, scopeB = null;
            try
            {
                WriteVerbose($"Reading {local.Organization} and {PartnerConnection.Organization}.");
                (a, b, aInfo, aFailure, bInfo, bFailure) = RunEngine(async token =>
                {
                    Task<TenantSnapshot> readA = TenantSnapshot.ReadAsync(local.Session, token);
                    Task<TenantSnapshot> readB = TenantSnapshot.ReadAsync(PartnerConnection.Session, token);
                    await Task.WhenAll(readA, readB).ConfigureAwait(false);
                    var discoverA = FederationPlanner.DiscoverAsync(readA.Result, token);
                    var discoverB = FederationPlanner.DiscoverAsync(readB.Result, token);
                    await Task.WhenAll(discoverA, discoverB).ConfigureAwait(false);
                    // Exchange stores a scope group's name however it was given; compare like with like.
                    scopeA = await FederationPlanner.ResolveGroupNameAsync(local.Session, FreeBusyAccessScope, token).ConfigureAwait(false);
                    scopeB = await FederationPlanner.ResolveGroupNameAsync(PartnerConnection.Session, PartnerFreeBusyAccessScope, token).ConfigureAwait(false);
                    return (readA.Result, readB.Result, discoverA.Result.Info, discoverA.Result.Failure, discoverB.Result.Info, discoverB.Result.Failure);
                });
            }
            catch (Exception ex) when (ex is AdminApiException || ex is Engine.Auth.SignInException)
            {
                ThrowTerminatingError(ToErrorRecord(ex, local.Organization));
                return;
            }

            // A level not asked for keeps what already shares, so running this again never lowers sharing.
            string? levelA = MyInvocation.BoundParameters.ContainsKey(nameof(FreeBusyAccessLevel)) ? FreeBusyAccessLevel.ToString() : null;
            string? levelB = PartnerFreeBusyAccessLevel?.ToString() ?? levelA;
            SidePlan planA = FederationPlanner.Plan(a, b, bInfo, bFailure, new SideSettings
            {
                Name = Name ?? Truncate(b.DisplayName),
                FreeBusyAccessLevel = levelA,
                FreeBusyAccessScope = scopeA,
            });
            SidePlan planB = FederationPlanner.Plan(b, a, aInfo, aFailure, new SideSettings
            {
                Name = PartnerName ?? Truncate(a.DisplayName),
                FreeBusyAccessLevel = levelB,
                FreeBusyAccessScope = scopeB,
            });
            foreach (string note in planA.Notes.Concat(planB.Notes)) WriteWarning(note);

            if (planA.IsNoOp && planB.IsNoOp)
            {
                HostInformation.Write(this, $"Nothing to change: {a.Organization} and {b.Organization} already share free/busy as asked.");
            }

            CalendarFederationSide resultA = Carry(a, planA, null);
            CalendarFederationSide resultB = Carry(b, planB, resultA);
            foreach ((CalendarFederationSide failed, CalendarFederationSide other) in new[] { (resultA, resultB), (resultB, resultA) })
            {
                if (failed.Action == "Failed" && other.Action != "Failed" && other.Action != "Planned")
                {
                    // Say plainly what exists now, so neither side is left half-done without a report.
                    WriteWarning($"{failed.Organization} was not set up ({failed.Message}); {other.Organization} is {other.Action.ToLowerInvariant()}" +
                        (other.RelationshipName.Length > 0 ? $" (relationship '{other.RelationshipName}')" : "") +
                        ". Free/busy works only when both sides are set up: fix the cause and run New-CalendarFederation again; it changes only what is missing.");
                }
            }
            WriteObject(resultA);
            WriteObject(resultB);
        }

        private CalendarFederationSide Carry(TenantSnapshot side, SidePlan plan, CalendarFederationSide? other)
        {
            var result = new CalendarFederationSide
            {
                Organization = side.Organization,
                Partner = plan.Partner,
                RelationshipName = plan.RelationshipName,
                Changes = (plan.NeedsHydration ? new[] { "Enable-OrganizationCustomization" } : Array.Empty<string>()).Concat(plan.Changes).ToArray(),
                DomainNames = plan.AllPartnerDomains.ToArray(),
                FreeBusyAccessLevel = Enum.TryParse(plan.FreeBusyAccessLevel, true, out FreeBusyAccessLevel planned) ? planned : (FreeBusyAccessLevel?)null,
            };
            if (plan.Blocker != null)
            {
                result.Action = "Failed";
                result.Message = plan.Blocker;
                WriteError(new ErrorRecord(new InvalidOperationException(plan.Blocker + Describe(other)), "CalendarFederationBlocked", ErrorCategory.InvalidOperation, side.Organization));
                return result;
            }
            if (plan.IsNoOp)
            {
                result.Action = "Unchanged";
                AdminObject? current = side.RelationshipsCovering(plan.AllPartnerDomains).FirstOrDefault();
                Finish(result, side, plan, current);
                return result;
            }
            string description = $"{side.Organization}: " + string.Join("; ", result.Changes);
            if (!ShouldProcess(description, $"Change {side.Organization} so that it shares free/busy with {plan.Partner}?", "New-CalendarFederation"))
            {
                result.Action = "Planned";
                return result;
            }
            try
            {
                AdminObject? current = RunEngine(token => FederationPlanner.ApplyAsync(side, plan, message => Engine.Auth.AmbientEvents.Current?.Verbose(message), token));
                result.Action = plan.Action == SideAction.Create ? "Created" : plan.Action == SideAction.Update ? "Updated" : "Unchanged";
                Finish(result, side, plan, current);
            }
            catch (Exception ex) when (ex is AdminApiException || ex is Engine.Auth.SignInException || ex is Engine.Relationships.PartialChangeException)
            {
                result.Action = "Failed";
                result.Message = ex.Message;
                ErrorRecord record = ToErrorRecord(ex, side.Organization);
                WriteError(new ErrorRecord(new InvalidOperationException($"{side.Organization} could not be set up: {ex.Message}{Describe(other)}", ex),
                    record.FullyQualifiedErrorId.Split(',')[0], record.CategoryInfo.Category, side.Organization));
            }
            return result;
        }

        private void Finish(CalendarFederationSide result, TenantSnapshot side, SidePlan plan, AdminObject? current)
        {
            List<string> problems = FederationPlanner.Verify(current, plan);
            result.Verified = problems.Count == 0;
            if (current != null)
            {
                OrganizationRelationship relationship = RelationshipMapper.ToRelationship(current, side.Organization);
                result.Relationship = relationship;
                result.RelationshipName = relationship.Name ?? result.RelationshipName;
                result.FreeBusyAccessLevel = relationship.FreeBusyAccessLevel;
                result.DomainNames = relationship.DomainNames;
            }
            if (!result.Verified)
            {
                result.Message = "Read back, the relationship differs from the plan: " + string.Join("; ", problems);
                WriteWarning($"{side.Organization}: {result.Message}");
            }
        }

        private static string Describe(CalendarFederationSide? other) =>
            other == null ? "" : $" The other side, {other.Organization}, is {other.Action.ToLowerInvariant()}" +
                (other.RelationshipName.Length > 0 ? $" (relationship '{other.RelationshipName}')." : ".");

        private static string Truncate(string name) => name.Length <= 64 ? name : name.Substring(0, 64);
    }
}
