using System;

namespace CalendarFederation
{
    /// <summary>What New-CalendarFederation did (or would do) on one side.</summary>
    public sealed class CalendarFederationSide
    {
        public string Organization { get; set; } = "";
        /// <summary>The tenant this side shares with.</summary>
        public string Partner { get; set; } = "";
        public string RelationshipName { get; set; } = "";
        /// <summary>Created, Updated, Unchanged, Planned (with -WhatIf) or Failed.</summary>
        public string Action { get; set; } = "";
        /// <summary>What changed, or would change.</summary>
        public string[] Changes { get; set; } = Array.Empty<string>();
        /// <summary>What the partner sees of this side's calendars.</summary>
        public FreeBusyAccessLevel? FreeBusyAccessLevel { get; set; }
        public string[] DomainNames { get; set; } = Array.Empty<string>();
        /// <summary>True when the relationship was read back and matches the plan.</summary>
        public bool Verified { get; set; }
        public string? Message { get; set; }
        public OrganizationRelationship? Relationship { get; set; }

        public override string ToString() => $"{Organization}: {Action} '{RelationshipName}'";
    }
}
