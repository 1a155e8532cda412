using System;
using System.IO;

namespace CalendarFederation.Benchmarks
{
    /// <summary>Captured from the sandbox (tests/CalendarFederation.Sandbox), so the shapes are the ones the module meets.</summary>
    internal static class Fixtures
    {
        private static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        /// <summary>The Autodiscover GetFederationInformation answer for contoso.com (SOAP 1.1, with ServerVersionInfo and a token issuer).</summary>
        public static byte[] FederationResponse => File.ReadAllBytes(PathOf("GetFederationInformationResponse.xml"));

        /// <summary>One admin API page: Get-OrganizationRelationship, 100 relationships, with @odata annotations and a nextLink.</summary>
        public static byte[] RelationshipPage => File.ReadAllBytes(PathOf("OrganizationRelationshipPage100.json"));
    }
}
