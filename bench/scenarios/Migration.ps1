# Migrating organization relationships to the Microsoft 365 cross-tenant access policy, both sides, for many partners,
# under a Microsoft Graph budget: contoso has one relationship per partner tenant, each partner one for contoso (the legacy
# pair), and Convert-OrganizationRelationship -PartnerConnection -DisableLegacy runs once per partner, as an admin's loop
# would. The sandbox is its own (a generated sandbox.json with the partner tenants, each with an automation app and a
# mailbox), every tenant with the same Graph budget (PUT /_sandbox/tenants/{t}/graph-budget). Afterwards the sandbox's
# own records: every Graph and admin API request, each tenant's cross-tenant access policy, the relationships, early
# requests (violations), and getSchedule both ways for every partner.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxDll,
    [int] $Partners = 200,
    [double] $RequestsPerSecond = 20,
    [string] $WorkDirectory = (Join-Path (Split-Path (Split-Path $PSScriptRoot -Parent) -Parent) 'artifacts/bench')
)
. (Join-Path $PSScriptRoot 'Common.ps1')
$Root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
Import-Module (Join-Path $Root 'tests/Pester/SandboxHelpers.psm1') -Force

# ----- the sandbox: the shipped tenants plus the partners ------------------------------------------------------------
$config = Get-Content -LiteralPath (Join-Path $Root 'tests/CalendarFederation.Sandbox/sandbox.json') -Raw | ConvertFrom-Json -AsHashtable
$roles = @('Exchange.ManageAsApp', 'Policy.Read.All', 'Policy.ReadWrite.CrossTenantAccess', 'Policy.ReadWrite.CrossTenantCapability')
$partnerList = @(for ($i = 1; $i -le $Partners; $i++) {
    $n = '{0:d4}' -f $i
    [ordered]@{
        Name = "p$n"; Id = "b0000000-0000-4000-8000-00000000$n"; App = "b0a5e000-0000-4000-8000-00000000$n"; Secret = "bench-partner-$n"
        Domains = @("p$n.bench.example", "p$n.onmicrosoft.com"); Mailbox = "user@p$n.bench.example"
    }
})
foreach ($p in $partnerList) {
    $config.tenants += [ordered]@{
        name = $p.Name; id = $p.Id; displayName = "Partner $($p.Name)"; initialDomain = $p.Domains[1]; domains = $p.Domains
        apps = @([ordered]@{ appId = $p.App; displayName = "Partner $($p.Name) automation"; secret = $p.Secret; roles = $roles })
        mailboxes = @([ordered]@{ address = $p.Mailbox; displayName = "User of $($p.Name)" })
    }
}
New-Item -ItemType Directory -Path $WorkDirectory -Force | Out-Null
$configPath = Join-Path $WorkDirectory 'migration-sandbox.json'
$config | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $configPath -Encoding utf8NoBOM
$sandbox = Start-CFSandbox -SandboxDll $SandboxDll -ConfigPath $configPath
try {
    $url = $sandbox.Url
    $https = $sandbox.HttpsUrls['good']
    Import-Module $ModulePath
    Add-CalendarFederationEnvironment -Name BenchMigration -AzureADAuthorizationEndpointUri $https -ConnectionUri $https -AutodiscoverEndpoint "$url/autodiscover/autodiscover.svc" | Out-Null
    function Connect-Tenant([string] $AppId, [string] $Secret, [string] $Organization) {
        Connect-CalendarFederation -AppId $AppId -Organization $Organization -ClientSecret (ConvertTo-SecureString $Secret -AsPlainText -Force) `
            -ExchangeEnvironmentName BenchMigration -PassThru -NotDefault -WarningAction SilentlyContinue
    }
    $contoso = Connect-Tenant 'c0a5e000-0000-4000-8000-000000000001' 'contoso-sandbox-secret' 'contoso.onmicrosoft.com'
    $connections = @{}
    foreach ($p in $partnerList) { $connections[$p.Name] = Connect-Tenant $p.App $p.Secret $p.Domains[1] }

    # ----- the legacy pairs ------------------------------------------------------------------------------------------
    $epr = 'https://autodiscover-s.outlook.com/autodiscover/autodiscover.svc/WSSecurity'
    $contosoDomains = @('contoso.com', 'contoso.onmicrosoft.com', 'sales.contoso.com')
    foreach ($p in $partnerList) {
        New-OrganizationRelationship -Connection $contoso -Name $p.Name.ToUpperInvariant() -DomainNames $p.Domains -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        New-OrganizationRelationship -Connection $connections[$p.Name] -Name Contoso -DomainNames $contosoDomains -FreeBusyAccessEnabled $true -FreeBusyAccessLevel AvailabilityOnly `
            -TargetApplicationUri outlook.com -TargetAutodiscoverEpr $epr -Confirm:$false -WarningAction SilentlyContinue | Out-Null
    }
    # Every tenant gets the same Graph budget; the first Convert call's module loading happens before the clock starts.
    foreach ($t in @('contoso') + @($partnerList | ForEach-Object { $_.Name })) {
        Invoke-RestMethod -Method Put -Uri "$url/_sandbox/tenants/$t/graph-budget?requestsPerSecond=$RequestsPerSecond" | Out-Null
    }
    Convert-OrganizationRelationship -Connection $contoso -Identity $partnerList[0].Name -WhatIf -WarningAction SilentlyContinue | Out-Null
    Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/requests" | Out-Null
    Invoke-RestMethod -Method Delete -Uri "$url/_sandbox/violations" | Out-Null

    # ----- the measured loop -----------------------------------------------------------------------------------------
    $cpu0 = Get-CpuMilliseconds
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $rows = [System.Collections.Generic.List[object]]::new()
    $errorTexts = [System.Collections.Generic.List[string]]::new()
    foreach ($p in $partnerList) {
        $errs = $null
        $out = @(Convert-OrganizationRelationship -Connection $contoso -Identity $p.Name -PartnerConnection $connections[$p.Name] -DisableLegacy -Confirm:$false `
                -ErrorAction SilentlyContinue -ErrorVariable errs -WarningAction SilentlyContinue)
        foreach ($o in $out) { $rows.Add($o) }
        foreach ($e in @($errs)) { if ($e) { $errorTexts.Add("$($p.Name): $($e.FullyQualifiedErrorId): $($e.Exception.Message)") } }
    }
    $sw.Stop()
    $cpu = (Get-CpuMilliseconds) - $cpu0

    # ----- what the sandbox saw ---------------------------------------------------------------------------------------
    # Records of other services lack some properties, which matters under Set-StrictMode.
    function P($Object, [string] $Name) { $q = $Object.PSObject.Properties[$Name]; if ($q) { $q.Value } else { $null } }
    $requests = @(Invoke-RestMethod -Uri "$url/_sandbox/requests" | ForEach-Object { $_ })
    $graph = @($requests | Where-Object { (P $_ 'service') -eq 'graph' -and "$(P $_ 'path')" -like '*/policies/crossTenantAccessPolicy*' })
    $admin = @($requests | Where-Object { (P $_ 'service') -eq 'adminapi' })
    $violations = @(Invoke-RestMethod -Uri "$url/_sandbox/violations" | ForEach-Object { $_ })
    $graphThrottled = @($graph | Where-Object { $_.status -eq 429 }).Count
    $byKind = [ordered]@{}
    foreach ($g in ($graph | Group-Object { "$($_.method) $("$($_.path)" -replace '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '{id}' -replace '^/v1\.0/policies/crossTenantAccessPolicy', '~')" } | Sort-Object Name)) {
        $byKind[$g.Name] = [ordered]@{ All = $g.Count; Throttled = @($g.Group | Where-Object { $_.status -eq 429 }).Count }
    }

    # Per partner: one partner entry on each side, one allowed free/busy capability (Basic), no name twice, both
    # relationships disabled, and getSchedule served both ways.
    $contosoPolicy = Invoke-RestMethod -Uri "$url/_sandbox/tenants/contoso/cross-tenant-access"
    $contosoRelationships = @{}
    foreach ($r in @(Invoke-RestMethod -Uri "$url/_sandbox/tenants/contoso/relationships" | ForEach-Object { $_ })) { $contosoRelationships[$r.name.ToLowerInvariant()] = $r }
    $token = @{}
    function Get-Token([string] $Organization, [string] $AppId, [string] $Secret) {
        (Invoke-RestMethod -Method Post -Uri "$https/$Organization/oauth2/v2.0/token" -ContentType 'application/x-www-form-urlencoded' `
            -Body @{ grant_type = 'client_credentials'; client_id = $AppId; client_secret = $Secret; scope = 'https://graph.microsoft.com/.default' }).access_token
    }
    function Test-Served([string] $Token, [string] $Requester, [string] $Mailbox) {
        $body = @{ schedules = @($Mailbox); startTime = @{ dateTime = '2030-01-07T08:00:00'; timeZone = 'UTC' }; endTime = @{ dateTime = '2030-01-07T18:00:00'; timeZone = 'UTC' } } | ConvertTo-Json -Depth 5
        $answer = Invoke-RestMethod -Method Post -Uri "$https/v1.0/users/$Requester/calendar/getSchedule" -ContentType 'application/json' -Headers @{ Authorization = "Bearer $Token" } -Body $body
        return -not (@($answer.value)[0].PSObject.Properties['error'])
    }
    $contosoToken = Get-Token 'contoso.onmicrosoft.com' 'c0a5e000-0000-4000-8000-000000000001' 'contoso-sandbox-secret'
    $lost = [System.Collections.Generic.List[string]]::new()
    $duplicated = [System.Collections.Generic.List[string]]::new()
    $servedBothWays = 0
    foreach ($p in $partnerList) {
        $problems = @()
        $mine = @($contosoPolicy.partners | Where-Object { $_.tenantId -eq $p.Id })
        $theirs = @((Invoke-RestMethod -Uri "$url/_sandbox/tenants/$($p.Name)/cross-tenant-access").partners | Where-Object { $_.tenantId -eq '6f1e3c52-2f0a-4b8e-9c1d-0a5b7e2d4c11' })
        foreach ($side in @(@{ Who = 'contoso'; Entries = $mine }, @{ Who = $p.Name; Entries = $theirs })) {
            if ($side.Entries.Count -gt 1) { $duplicated.Add("$($p.Name): $($side.Who) has $($side.Entries.Count) partner entries") }
            $names = @($side.Entries | ForEach-Object { @($_.m365Capabilities) } | ForEach-Object { $_.name })
            if ($names.Count -ne @($names | Sort-Object -Unique).Count) { $duplicated.Add("$($p.Name): $($side.Who) holds a capability twice") }
            $allowed = @($side.Entries | ForEach-Object { @($_.m365Capabilities) } | Where-Object { $_.inboundAccess.isAllowed } | ForEach-Object { $_.name })
            if (($allowed -join ',') -ne 'crossTenantCalendarAvailabilityBasic') { $problems += "$($side.Who) grants [$($allowed -join ',')]" }
        }
        if ($contosoRelationships[$p.Name].enabled) { $problems += "contoso's relationship is still enabled" }
        $partnerRelationship = @(Invoke-RestMethod -Uri "$url/_sandbox/tenants/$($p.Name)/relationships" | ForEach-Object { $_ } | Where-Object { $_.name -eq 'Contoso' })
        if ($partnerRelationship.Count -ne 1 -or $partnerRelationship[0].enabled) { $problems += "the partner's relationship is not disabled" }
        $partnerToken = Get-Token $p.Domains[1] $p.App $p.Secret
        $a = Test-Served $contosoToken 'alex@contoso.com' $p.Mailbox
        $b = Test-Served $partnerToken $p.Mailbox 'alex@contoso.com'
        if ($a -and $b) { $servedBothWays++ } else { $problems += "free/busy not served (contoso->partner $a, partner->contoso $b)" }
        if ($problems.Count) { $lost.Add("$($p.Name): $($problems -join '; ')") }
    }

    $outcomes = [ordered]@{}
    foreach ($g in ($rows | Group-Object { "$($_.Outcome)" } | Sort-Object Name)) { $outcomes[$g.Name] = $g.Count }
    $byCmdlet = [ordered]@{}
    foreach ($g in ($admin | Group-Object { P $_ 'cmdletName' } | Sort-Object Name)) { $byCmdlet[$g.Name] = $g.Count }
    $perSideMinimum = 8
    $minimumPerPartner = 2 * $perSideMinimum
    $accepted = $graph.Count - $graphThrottled
    $contosoAccepted = @($graph | Where-Object { (P $_ 'tenant') -eq 'contoso' -and $_.status -ne 429 }).Count
    Write-BenchResult ([ordered]@{
        Partners                 = $Partners
        RequestsPerSecondBudget  = $RequestsPerSecond
        ElapsedMs                = $sw.Elapsed.TotalMilliseconds
        PartnersPerMinute        = 60.0 * $Partners / $sw.Elapsed.TotalSeconds
        Rows                     = $rows.Count
        Outcomes                 = $outcomes
        GraphRequests            = $graph.Count
        GraphAccepted            = $accepted
        GraphThrottled           = $graphThrottled
        GraphRequestsPerPartner  = $graph.Count / $Partners
        GraphAcceptedPerPartner  = $accepted / $Partners
        GraphMinimumPerPartner   = $minimumPerPartner
        GraphRatioToMinimum      = ($graph.Count / $Partners) / $minimumPerPartner
        GraphRequestsByKind      = $byKind
        ContosoGraphAccepted     = $contosoAccepted
        ContosoBudgetMinimumMs   = 1000.0 * $contosoAccepted / $RequestsPerSecond
        AdminRequests            = $admin.Count
        AdminRequestsPerPartner  = $admin.Count / $Partners
        AdminRequestsByCmdlet    = $byCmdlet
        Errors                   = $errorTexts.Count
        ErrorSamples             = @($errorTexts | Select-Object -First 5)
        Lost                     = $lost.Count
        LostSamples              = @($lost | Select-Object -First 5)
        Duplicated               = $duplicated.Count
        DuplicatedSamples        = @($duplicated | Select-Object -First 5)
        ServedBothWays           = $servedBothWays
        Violations               = $violations.Count
        ViolationSamples         = @($violations | Select-Object -First 5)
        ClientCpuMs              = $cpu
    })
}
finally {
    Stop-CFSandbox $sandbox
}
