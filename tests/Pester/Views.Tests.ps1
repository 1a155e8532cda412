# Default views: every output type has a table view that leads with what an admin checks first.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
}

Describe 'Default views' -Tag 'Views' {
    It '<Type> has a table view whose first columns are <First>' -TestCases @(
        @{ Type = 'CalendarFederation.FederationInformation'; First = @('DomainName', 'TargetApplicationUri', 'DomainNames') }
        @{ Type = 'CalendarFederation.OrganizationRelationship'; First = @('Name', 'Enabled', 'FreeBusy', 'FreeBusyAccessLevel') }
        @{ Type = 'CalendarFederation.CalendarFederationConnection'; First = @('Organization', 'Mode', 'Account') }
        @{ Type = 'CalendarFederation.FederationFinding'; First = @('#', 'Severity', 'Check', 'Message') }
        @{ Type = 'CalendarFederation.CalendarFederationSide'; First = @('Organization', 'Action', 'Relationship', 'Verified') }
        @{ Type = 'CalendarFederation.CalendarFederationEnvironment'; First = @('Name', 'BuiltIn', 'ConnectionUri') }
    ) {
        $data = Get-FormatData -TypeName $Type
        $data | Should -Not -BeNullOrEmpty
        $table = @($data.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })[0]
        $table | Should -Not -BeNullOrEmpty
        $labels = @($table.Control.Headers | ForEach-Object { $_.Label })
        $labels[0..($First.Count - 1)] | Should -Be $First
    }

    It 'shows no secret-bearing property for a connection' {
        $data = Get-FormatData -TypeName 'CalendarFederation.CalendarFederationConnection'
        $text = ($data.FormatViewDefinition | ForEach-Object { $_.Control.Rows.Columns.DisplayEntry.Value }) -join ' '
        $text | Should -Not -Match 'Token\b|Secret|Password|Session'
    }
}
