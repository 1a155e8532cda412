using System;
using System.Collections.Generic;
using CalendarFederation.Engine.AdminApi;
using CalendarFederation.Engine.CrossTenantAccess;
using CalendarFederation.Engine.Federation;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>Plan row actions (docs/fleet.md §2). Unknown: a tenant of the pair could not be read; nothing is planned.</summary>
    public enum FleetAction { Nothing, Create, Update, Disable, Remove, Unknown }

    public enum FleetObjectType { CrossTenantAccess, OrganizationRelationship }

    /// <summary>The phase a change runs in: grants first, then verification, then legacy cut-over, removals last.</summary>
    public enum FleetOrder { Grant, Verify, CutOver, Cleanup }

    /// <summary>What one tenant holds, as read for the plan. A failed read is <see cref="IsReadable"/> false, never "empty".</summary>
    public sealed class FleetTenantState
    {
        public FleetTenantState(FleetTenant tenant)
        {
            Tenant = tenant ?? throw new ArgumentNullException(nameof(tenant));
        }

        public FleetTenant Tenant { get; }
        public string Name => Tenant.Name;
        public string? TenantId { get; set; }
        public string? Organization { get; set; }
        public bool IsReadable => ReadError == null;
        /// <summary>Why the tenant could not be read (its id is the cause's: AccessDenied, Throttled, GraphRoleMissing...).</summary>
        public EngineException? ReadError { get; set; }
        public IReadOnlyList<AdminObject> Relationships { get; set; } = Array.Empty<AdminObject>();
        /// <summary>The cross-tenant access policy: default and partners. Null when Graph could not be read (then ReadError is set).</summary>
        public CrossTenantAccessInventory? CrossTenantAccess { get; set; }
        public bool? EwsEnabled { get; set; }
        /// <summary>Get-OrganizationConfig's IsDehydrated: a relationship can only be created after Enable-OrganizationCustomization.</summary>
        public bool IsDehydrated { get; set; }
        public IReadOnlyList<string> AcceptedDomains { get; set; } = Array.Empty<string>();
        /// <summary>The live session the state was read with; the executor writes through it. Null for a state built offline.</summary>
        public Auth.TenantSession? Session { get; set; }
        /// <summary>
        /// The scope groups the file names for this tenant's directions, resolved in this tenant (keyed by the file's text,
        /// case-insensitive). A name that did not resolve is absent; <see cref="ScopeErrors"/> says why.
        /// </summary>
        public Dictionary<string, ScopeGroup> ScopeGroups { get; } = new Dictionary<string, ScopeGroup>(StringComparer.OrdinalIgnoreCase);
        /// <summary>Scope group names from the file that did not resolve in this tenant, and why (ScopeGroupNotFound...).</summary>
        public Dictionary<string, EngineException> ScopeErrors { get; } = new Dictionary<string, EngineException>(StringComparer.OrdinalIgnoreCase);
        /// <summary>True when this state's session came from a connection the caller owns (not to be disposed with the plan).</summary>
        public bool SessionIsBorrowed { get; set; }
    }

    /// <summary>One change in one tenant (docs/fleet.md §2).</summary>
    public sealed class FleetPlanChange
    {
        public string Tenant { get; set; } = "";
        public string Partner { get; set; } = "";
        /// <summary>"from -> to": whose free/busy the change is about.</summary>
        public string Direction { get; set; } = "";
        public FleetAction Action { get; set; }
        public FederationMethod Method { get; set; }
        public FleetObjectType ObjectType { get; set; }
        /// <summary>The relationship's name, or the partner's tenant id.</summary>
        public string Identity { get; set; } = "";
        public string Before { get; set; } = "(none)";
        public string After { get; set; } = "(none)";
        /// <summary>
        /// The state Before describes, as <see cref="FleetStateFingerprint"/> renders it; when set, the executor refuses the
        /// change (FleetChangeStale) if at write time the tenant shows neither it nor the planned state. Null: not checked.
        /// </summary>
        public string? BeforeState { get; set; }
        public string Reason { get; set; } = "";
        public FleetOrder Order { get; set; }
        /// <summary>Stable id (tenant, object type, identity, action, after): the checkpoint's key.</summary>
        public string ChangeId { get; set; } = "";

        /// <summary>What the executor sends for a cross-tenant access change (grant or revoke).</summary>
        public PartnerAccessRequest? AccessRequest { get; set; }
        /// <summary>What the executor does for an organization relationship change (create, update, disable).</summary>
        public SidePlan? RelationshipPlan { get; set; }
        /// <summary>
        /// Set on an organization relationship Create: the partner domain the executor discovers (anonymous Autodiscover, as
        /// New-CalendarFederation does) and whose ApplicationUri and Autodiscover endpoint it adds to
        /// <see cref="RelationshipPlan"/>'s settings before creating. The plan itself makes no network call.
        /// </summary>
        public string? PartnerDiscoveryDomain { get; set; }

        public override string ToString() => Tenant + ": " + Action + " " + ObjectType + " " + Identity;
    }

    /// <summary>A whole plan: the file, every tenant's state and the rows.</summary>
    public sealed class FleetPlan
    {
        public FleetPlan(FleetDefinition definition) { Definition = definition ?? throw new ArgumentNullException(nameof(definition)); }

        public FleetDefinition Definition { get; }
        public Dictionary<string, FleetTenantState> States { get; } = new Dictionary<string, FleetTenantState>(StringComparer.OrdinalIgnoreCase);
        public List<FleetPlanChange> Changes { get; } = new List<FleetPlanChange>();
        public DateTimeOffset ReadAt { get; set; }
    }

    public enum FleetOutcome { Applied, AlreadyApplied, Skipped, Failed }

    /// <summary>What applying one change did (docs/fleet.md §3).</summary>
    public sealed class FleetChangeResult
    {
        public FleetChangeResult(FleetPlanChange change, FleetOutcome outcome, string? errorId = null, string? message = null, EngineException? error = null)
        {
            Change = change ?? throw new ArgumentNullException(nameof(change));
            Outcome = outcome;
            ErrorId = errorId ?? error?.ErrorId;
            Message = message ?? error?.Message;
            Error = error;
        }

        public FleetPlanChange Change { get; }
        public FleetOutcome Outcome { get; }
        public string? ErrorId { get; }
        public string? Message { get; }
        /// <summary>The failure behind a Failed outcome, with its kind (the cmdlet's error category); null when there is none.</summary>
        public EngineException? Error { get; }
    }

    /// <summary>
    /// Opens a session for a fleet tenant. The cmdlet layer implements it: existing connections, SecretManagement vaults
    /// and environment variables live there (src/CalendarFederation/Infrastructure/FleetConnector.cs).
    /// </summary>
    public interface IFleetTenantConnector
    {
        System.Threading.Tasks.Task<Auth.TenantSession> ConnectAsync(FleetTenant tenant, IEngineEvents events, System.Threading.CancellationToken cancellationToken);
    }
}
