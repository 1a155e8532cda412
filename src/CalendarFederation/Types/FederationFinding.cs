namespace CalendarFederation
{
    /// <summary>One finding of Test-OrganizationRelationship, ranked by how likely it breaks free/busy (the engine's CheckIds.Ranking).</summary>
    public sealed class FederationFinding
    {
        public int Rank { get; set; }
        /// <summary>Blocking, Warning, Info or Pass.</summary>
        public string Severity { get; set; } = "";
        /// <summary>The tenant the finding is about, or "Probe" for the real free/busy question.</summary>
        public string Side { get; set; } = "";
        /// <summary>A stable id, e.g. PartnerRelationshipMissing.</summary>
        public string Check { get; set; } = "";
        /// <summary>What is wrong, in the admin's terms; it names no parameter.</summary>
        public string Message { get; set; } = "";
        /// <summary>What to do, often a whole command; the default view shows it under the message.</summary>
        public string? Recommendation { get; set; }

        public override string ToString() => $"{Rank}. [{Severity}] {Check}: {Message}";
    }
}
