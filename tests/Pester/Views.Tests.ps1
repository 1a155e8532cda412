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
        @{ Type = 'CalendarFederation.CalendarFederationSide'; First = @('Organization', 'Action', 'Method', 'Verified') }
        @{ Type = 'CalendarFederation.CrossTenantCalendarAccess'; First = @('Partner', 'Trust', 'FreeBusy', 'Scope') }
        @{ Type = 'CalendarFederation.CalendarFederationEnvironment'; First = @('Name', 'BuiltIn', 'ConnectionUri') }
        @{ Type = 'CalendarFederation.CalendarFederationPlanChange'; First = @('Tenant', 'Partner', 'Action', 'Method', 'Order', 'Reason') }
    ) {
        $data = Get-FormatData -TypeName $Type
        $data | Should -Not -BeNullOrEmpty
        $table = @($data.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })[0]
        $table | Should -Not -BeNullOrEmpty
        $labels = @($table.Control.Headers | ForEach-Object { $_.Label })
        $labels[0..($First.Count - 1)] | Should -Be $First
    }

    It 'tells relationships apart at 120 columns, however long their names' {
        $rows = foreach ($name in 'Northwind Traders Europe GmbH', 'Northwind Traders Europe Ltd') {
            $r = [CalendarFederation.OrganizationRelationship]::new()
            $r.Name = $name; $r.Enabled = $true; $r.FreeBusyAccessEnabled = $true; $r.FreeBusyAccessLevel = 'AvailabilityOnly'
            $r.DomainNames = @('northwind.example'); $r
        }
        $text = $rows | Format-Table | Out-String -Width 120
        $text | Should -Match 'Northwind Traders Europe GmbH'
        $text | Should -Match 'Northwind Traders Europe Ltd'
        foreach ($line in $text -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }

    It 'lists a relationship with what an admin checks first: name, domains, enabled, free/busy, then the targets' {
        $r = [CalendarFederation.OrganizationRelationship]::new()
        $r.Name = 'Fabrikam'; $r.DomainNames = @('fabrikam.com'); $r.TargetApplicationUri = 'outlook.com'
        $names = @(($r | Format-List | Out-String -Width 120) -split "`n" | Where-Object { $_ -match '^\w+\s*:' } | ForEach-Object { ($_ -split ':')[0].Trim() })
        $names[0..4] | Should -Be @('Name', 'DomainNames', 'Enabled', 'FreeBusyAccessEnabled', 'FreeBusyAccessLevel')
        $names | Should -Contain 'TargetAutodiscoverEpr'
        $names | Should -Not -Contain 'IdentityMoveEnabled'
    }

    It 'shows a connection''s whole app id at 120 columns' {
        $data = Get-FormatData -TypeName 'CalendarFederation.CalendarFederationConnection'
        $table = @($data.FormatViewDefinition | Where-Object { $_.Control -is [System.Management.Automation.TableControl] })[0]
        $account = @($table.Control.Headers | Where-Object { $_.Label -eq 'Account' })[0]
        $account.Width | Should -BeGreaterOrEqual ('app ' + [guid]::Empty).Length
        ($table.Control.Headers | Measure-Object -Property Width -Sum).Sum + $table.Control.Headers.Count | Should -BeLessOrEqual 104   # ConnectedAt takes the rest of 120
    }

    It 'shows no secret-bearing property for a connection' {
        $data = Get-FormatData -TypeName 'CalendarFederation.CalendarFederationConnection'
        $text = ($data.FormatViewDefinition | ForEach-Object { $_.Control.Rows.Columns.DisplayEntry.Value }) -join ' '
        $text | Should -Not -Match 'Token\b|Secret|Password|Session'
    }
}
