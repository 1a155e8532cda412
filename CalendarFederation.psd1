# The manifest's source. build.ps1 copies it into out/CalendarFederation/<version>/ and stamps ModuleVersion
# from Directory.Build.props, the one place the version lives.
@{
    RootModule             = 'CalendarFederation.dll'
    ModuleVersion          = '0.0.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '434db6be-1b25-46c0-b234-bb6fcb7f0f5c'
    Author                 = 'CalendarFederation contributors'
    CompanyName            = 'CalendarFederation contributors'
    Copyright              = '(c) 2026 CalendarFederation contributors. MIT License.'
    Description            = 'Cross-organization calendar free/busy for Microsoft 365 and Exchange: anonymous Autodiscover discovery and organization relationships, in compiled cmdlets that load in isolation next to Microsoft.Graph, Az and ExchangeOnlineManagement.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('CalendarFederation.format.ps1xml')
    CmdletsToExport        = @(
        'Get-FederationInformation'
        'Connect-CalendarFederation'
        'Disconnect-CalendarFederation'
        'Get-CalendarFederationConnection'
        'Add-CalendarFederationEnvironment'
        'Get-CalendarFederationEnvironment'
        'Remove-CalendarFederationEnvironment'
        'Get-OrganizationConfig'
        'Enable-OrganizationCustomization'
        'New-OrganizationRelationship'
        'Get-OrganizationRelationship'
        'Set-OrganizationRelationship'
        'Remove-OrganizationRelationship'
        'New-CalendarFederation'
        'Test-OrganizationRelationship'
        'Get-CrossTenantCalendarAccess'
        'Grant-CrossTenantCalendarAccess'
        'Revoke-CrossTenantCalendarAccess'
        'Get-CalendarFederationReadiness'
        'Convert-OrganizationRelationship'
        'Export-CalendarFederationReport'
        'Invoke-CalendarFederationPlan'
        'Get-CalendarFederationPlan'
        'Test-CalendarFederationPlan'
        'Export-CalendarFederationPlan'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Exchange', 'ExchangeOnline', 'Microsoft365', 'FreeBusy', 'Calendar', 'Federation', 'OrganizationRelationship', 'Autodiscover', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/calendarfederation/CalendarFederation/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/calendarfederation/CalendarFederation'
            ReleaseNotes = ''
        }
    }
}
