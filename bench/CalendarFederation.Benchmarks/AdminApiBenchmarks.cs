using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Benchmarks
{
    /// <summary>The admin API's JSON: a New-OrganizationRelationship CmdletInput, and one page of 100 relationships.</summary>
    [MemoryDiagnoser]
    public class AdminApiBenchmarks
    {
        private byte[] _page = Array.Empty<byte>();
        private List<KeyValuePair<string, object?>> _parameters = new List<KeyValuePair<string, object?>>();

        [GlobalSetup]
        public void Setup()
        {
            _page = Fixtures.RelationshipPage;
            // What New-OrganizationRelationship sends for a relationship built from Get-FederationInformation.
            _parameters = new List<KeyValuePair<string, object?>>
            {
                new KeyValuePair<string, object?>("Name", "Fabrikam"),
                new KeyValuePair<string, object?>("DomainNames", new[] { "fabrikam.com", "fabrikam.onmicrosoft.com", "fabrikam.co.uk" }),
                new KeyValuePair<string, object?>("Enabled", true),
                new KeyValuePair<string, object?>("FreeBusyAccessEnabled", true),
                new KeyValuePair<string, object?>("FreeBusyAccessLevel", "AvailabilityOnly"),
                new KeyValuePair<string, object?>("TargetApplicationUri", new Uri("outlook.com", UriKind.RelativeOrAbsolute)),
                new KeyValuePair<string, object?>("TargetAutodiscoverEpr", new Uri("https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity")),
            };
        }

        [Benchmark(Description = "Admin API CmdletInput: build")]
        public byte[] BuildCmdletInput() => AdminApiJson.BuildRequest("New-OrganizationRelationship", _parameters);

        [Benchmark(Description = "Admin API page of 100 relationships: parse")]
        public AdminPage ParseRelationshipPage() => AdminApiJson.ParsePage(_page, _page.Length);
    }
}
