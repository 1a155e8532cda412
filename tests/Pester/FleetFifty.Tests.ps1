# The five fleet cmdlets (docs/fleet.md) end to end through the BUILT module, against a sandbox of this file's own that
# holds the generated fleet of 50 (seed 1; tests/CalendarFederation.Sandbox/README.md, "A fleet"): 25 pairs in the nine
# states, the last pair unreadable (its first tenant's reads fail). GET /_sandbox/fleet says per direction what the plan
# should be. FleetPlan.Tests.ps1 covers the file's semantics and the fleet of 20; this file plans the 50 once, and walks
# that plan through the map, -WhatIf, the apply, its re-run, the drift test, the export, completion and help.
# The Its share the plan and run in order (each step needs the one before). Without trust in the sandbox's https root
# every test that needs the sandbox is skipped and says why. Windows PowerShell 5.1 compatible.

BeforeAll {
    Import-Module $env:CF_MODULE_PATH -Force
    Import-Module (Join-Path $PSScriptRoot 'SandboxHelpers.psm1') -Force
    $script:sandbox = Get-CFSandbox
    $script:trusted = Test-CFSandboxTrust -Sandbox $sandbox

    function script:Skip-Untrusted {
        # Fails the test when the root is not trusted, unless the run says -SkipUntrusted (SandboxHelpers.psm1).
        Skip-CFUntrusted -Trusted $script:trusted
    }

    # Runs a command and returns what it wrote: output, errors (written or thrown) and warnings.
    function script:Invoke-Captured([string] $Command, [hashtable] $Arguments) {
        $errors = @(); $written = @(); $warned = @()
        $all = @(try { & $Command @Arguments -ErrorAction SilentlyContinue -ErrorVariable written -WarningAction SilentlyContinue -WarningVariable warned } catch { $errors += $_ })
        [pscustomobject]@{
            Output   = $all
            Errors   = @(@($written) + $errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($warned)
        }
    }

    # The admin API and Graph requests the fleet sandbox logged, once none is in flight.
    function script:Get-FleetRequests {
        (Wait-CFSandbox -Sandbox $fleetSandbox -InFlight 0 -TimeoutMs 10000).satisfied | Should -BeTrue
        # An empty log is one $null; every entry has a service.
        @(Get-CFSandboxRequests -Sandbox $fleetSandbox | Where-Object { $null -ne $_ -and ($_.service -eq 'adminapi' -or $_.service -eq 'graph') })
    }
    function script:Select-Writes($Requests) {
        @($Requests | Where-Object { $null -ne $_ } | Where-Object { if ($_.service -eq 'adminapi') { $_.isWrite } else { $_.method -ne 'GET' } })
    }
    function script:Clear-FleetRequests { Invoke-RestMethod -Method Delete -Uri "$($fleetSandbox.Url)/_sandbox/requests" | Out-Null }

    $script:fleetFile = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-fifty-$PID.json"
    $script:checkpoint = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-fifty-$PID.checkpoint.jsonl"
    $script:fleetSandbox = $null
    if ($trusted) {
        $script:fleetSandbox = Start-CFFleet -Tenants 50 -FleetFile $fleetFile
        $script:world = $fleetSandbox.World
        $script:unreadable = @($world.members | Where-Object { $_.unreadable } | ForEach-Object name)
        # The unreadable tenant and its partner: every row of their pair is Unknown.
        $script:unknownPair = @($world.members | Where-Object { $unreadable -contains $_.name } | ForEach-Object { $_.name; $_.partner } | Sort-Object -Unique)
        $script:planned = Invoke-Captured Get-CalendarFederationPlan @{ Path = $fleetFile; ThrottleLimit = 16 }
        $script:rows = @($planned.Output)
    }
}

AfterAll {
    if ($script:fleetSandbox) { Stop-CFFleet $script:fleetSandbox }
    Remove-Item -LiteralPath $script:fleetFile, $script:checkpoint -ErrorAction SilentlyContinue
    if (-not $env:CF_SANDBOX_URL) { Stop-CFSandbox $script:sandbox }
}

Describe 'The fleet of 50 through the five fleet cmdlets (built module)' -Tag 'Fleet' {
    It 'Get-CalendarFederationPlan gives every direction exactly the actions the sandbox''s state calls for' {
        if (Skip-Untrusted) { return }
        @($world.members).Count | Should -Be 50
        @($world.expectations).Count | Should -Be 50
        $problems = foreach ($e in $world.expectations) {
            $actual = @($rows | Where-Object { $_.Tenant -eq $e.tenant -and $_.Partner -eq $e.partner } | ForEach-Object { "$($_.Action)" } | Sort-Object)
            $expected = @($e.actions | Sort-Object)
            if (($actual -join ',') -ne ($expected -join ',')) { "$($e.direction) ($($e.kind)): expected $($expected -join ', '), got $($actual -join ', ')" }
        }
        @($problems) | Should -BeNullOrEmpty
        # No row outside the file's directions, and each row made in its sharing tenant (or, Disable, the tenant of the relationship).
        $directions = @($world.expectations | ForEach-Object direction)
        @($rows | Where-Object { $directions -notcontains $_.Direction }) | Should -BeNullOrEmpty
        foreach ($row in $rows) { $row.Direction | Should -BeLike "*$($row.Tenant)*" }
    }

    It 'reports the unreadable tenant in exactly one FleetTenantUnreadable, and only Unknown rows for its pair' {
        if (Skip-Untrusted) { return }
        $unreadable | Should -Be @('fleet49')
        $unknownPair | Should -Be @('fleet49', 'fleet50')
        $planned.Errors.Count | Should -Be 1
        $planned.Errors[0] | Get-CFErrorId | Should -Be 'FleetTenantUnreadable'
        $planned.Errors[0].TargetObject | Should -Be 'fleet49'
        $pairRows = @($rows | Where-Object { $unknownPair -contains $_.Tenant -or $unknownPair -contains $_.Partner })
        @($pairRows | ForEach-Object Direction | Sort-Object -Unique) | Should -Be @('fleet49 -> fleet50', 'fleet50 -> fleet49')
        @($pairRows | ForEach-Object { "$($_.Action)" } | Select-Object -Unique) | Should -Be @('Unknown')
        @($rows | Where-Object { "$($_.Action)" -eq 'Unknown' -and $pairRows -notcontains $_ }) | Should -BeNullOrEmpty
    }

    It 'renders the plan''s default table at 120 columns with Tenant, Partner and Action in columns of their own' {
        if (Skip-Untrusted) { return }
        $text = ($rows | Out-String -Width 120) -replace "$([char]27)\[[0-9;]*m", ''
        $lines = @($text -split "\r?\n")
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $ruleAt = [Array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^-+( +-+)+\s*$' })
        $ruleAt | Should -BeGreaterThan 0
        # A column runs from the start of its dashes (as long as its label) to the next column's start.
        $starts = @([regex]::Matches($lines[$ruleAt], '-+') | ForEach-Object Index)
        $spans = @(for ($i = 0; $i -lt $starts.Count - 1; $i++) { @{ Start = $starts[$i]; Length = $starts[$i + 1] - $starts[$i] } })
        $cell = { param($line, $i) $s = $spans[$i]; if ($line.Length -le $s.Start) { '' } else { $line.Substring($s.Start, [Math]::Min($s.Length, $line.Length - $s.Start)).Trim() } }
        @(0..2 | ForEach-Object { & $cell $lines[$ruleAt - 1] $_ }) | Should -Be @('Tenant', 'Partner', 'Action')
        # A row starts at column 0; a wrapped Reason continues on lines that start blank.
        $rowLines = @($lines[($ruleAt + 1)..($lines.Count - 1)] | Where-Object { $_ -match '^\S' })
        $rowLines.Count | Should -Be $rows.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            @(0..2 | ForEach-Object { & $cell $rowLines[$i] $_ }) | Should -Be @($rows[$i].Tenant, $rows[$i].Partner, "$($rows[$i].Action)") -Because $rowLines[$i]
        }
    }

    It 'Export-CalendarFederationReport -Plan maps 50 tenants in 2450 cells, the unreadable pair Unknown, nothing loaded from elsewhere' {
        if (Skip-Untrusted) { return }
        $map = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-fifty-$PID.html"
        try {
            $written = Export-CalendarFederationReport -Plan $rows -Path $map -Confirm:$false
            $written.FullName | Should -Be $map
            $html = [IO.File]::ReadAllText($map)
            [regex]::Matches($html, '<th class="row" scope="row">').Count | Should -Be 50
            $cells = @([regex]::Matches($html, '<td [^>]*data-from="([^"]+)" data-to="([^"]+)" data-health="(\w+)"') |
                ForEach-Object { [pscustomobject]@{ From = $_.Groups[1].Value; To = $_.Groups[2].Value; Health = $_.Groups[3].Value } })
            $cells.Count | Should -Be 2450
            @($cells | Where-Object { $_.From -eq $_.To }) | Should -BeNullOrEmpty
            # The file pairs tenants only within their pair: every other cell is Empty (not managed), the unreadable pair's Unknown.
            $directions = @($world.expectations | ForEach-Object direction)
            @($cells | Where-Object { $directions -notcontains "$($_.From) -> $($_.To)" -and $_.Health -ne 'Empty' }) | Should -BeNullOrEmpty
            @($cells | Where-Object Health -eq 'Unknown' | ForEach-Object { "$($_.From) -> $($_.To)" } | Sort-Object) | Should -Be @('fleet49 -> fleet50', 'fleet50 -> fleet49')
            # A direction with a change still to make before the cut-over is Broken; one that needs nothing is not.
            foreach ($e in $world.expectations | Where-Object { $unknownPair -notcontains $_.tenant }) {
                $health = ($cells | Where-Object { $_.From -eq $e.tenant -and $_.To -eq $e.partner }).Health
                if (@($e.actions | Where-Object { $_ -in 'Create', 'Update' })) { $health | Should -Be 'Broken' -Because $e.direction }
                else { $health | Should -BeIn @('Works', 'WorksUntil2027', 'OneWay') -Because "$($e.direction) ($($e.kind))" }
            }
            $html | Should -Not -Match '(?i)\b(src|href)\s*=\s*["'']?\s*(https?:)?//'
        }
        finally {
            Remove-Item -LiteralPath $map -ErrorAction SilentlyContinue
        }
    }

    It 'Invoke-CalendarFederationPlan -WhatIf writes nothing, outputs nothing and creates no checkpoint' {
        if (Skip-Untrusted) { return }
        Clear-FleetRequests
        $whatIf = Invoke-Captured Invoke-CalendarFederationPlan @{ Plan = $rows; CheckpointPath = $checkpoint; WhatIf = $true }
        $whatIf.Output | Should -BeNullOrEmpty
        $whatIf.Errors | Should -BeNullOrEmpty
        Select-Writes (Get-FleetRequests) | Should -BeNullOrEmpty
        Test-Path -LiteralPath $checkpoint | Should -BeFalse
    }

    It 'applies the plan: each change Applied in its own tenant, the rest Skipped, the unreadable pair untouched' {
        if (Skip-Untrusted) { return }
        Clear-FleetRequests
        $applied = Invoke-Captured Invoke-CalendarFederationPlan @{ Plan = $rows; CheckpointPath = $checkpoint; Confirm = $false }
        $applied.Errors | Should -BeNullOrEmpty
        $results = @($applied.Output)
        $results.Count | Should -Be $rows.Count
        @($results | ForEach-Object ChangeId | Sort-Object) | Should -Be @($rows | ForEach-Object ChangeId | Sort-Object)
        foreach ($r in $results) {
            $r.PSObject.TypeNames[0] | Should -Be 'CalendarFederation.CalendarFederationPlanResult'
            switch ("$($r.Action)") {
                'Unknown' { "$($r.Outcome)" | Should -Be 'Skipped'; $r.ErrorId | Should -Be 'FleetTenantUnreadable' }
                'Nothing' { "$($r.Outcome)" | Should -Be 'Skipped'; $r.ErrorId | Should -BeNullOrEmpty }
                default { "$($r.Outcome)" | Should -Be 'Applied' -Because "$($r.Direction) $($r.Action) $($r.ErrorId) $($r.Message)" }
            }
        }
        Test-Path -LiteralPath $checkpoint | Should -BeTrue
        # Writes went to exactly the tenants with a change, none to the unreadable pair.
        $writes = Select-Writes (Get-FleetRequests)
        $changed = @($rows | Where-Object { "$($_.Action)" -notin 'Nothing', 'Unknown' } | ForEach-Object Tenant | Sort-Object -Unique)
        $changedIds = @($world.members | Where-Object { $changed -contains $_.name } | ForEach-Object tenantId)
        $adminWriteTenants = @($writes | Where-Object service -eq 'adminapi' | ForEach-Object tenant | Sort-Object -Unique)
        @($adminWriteTenants | Where-Object { $changed -notcontains $_ -and $changedIds -notcontains $_ }) | Should -BeNullOrEmpty
        @($writes | Where-Object { $_.service -eq 'graph' }).Count | Should -BeGreaterThan 0
        foreach ($name in $unknownPair) {
            $member = $world.members | Where-Object name -eq $name
            @($writes | Where-Object { $_.tenant -eq $name -or $_.tenant -eq $member.tenantId -or "$($_.path)" -match $member.tenantId }) | Should -BeNullOrEmpty
        }
    }

    It 'a second apply of the same plan is AlreadyApplied for every change, and writes nothing' {
        if (Skip-Untrusted) { return }
        Clear-FleetRequests
        $again = Invoke-Captured Invoke-CalendarFederationPlan @{ Plan = $rows; CheckpointPath = $checkpoint; Confirm = $false }
        $again.Errors | Should -BeNullOrEmpty
        $actionable = @($again.Output | Where-Object { "$($_.Action)" -notin 'Nothing', 'Unknown' })
        $actionable.Count | Should -BeGreaterThan 0
        @($actionable | ForEach-Object { "$($_.Outcome)" } | Select-Object -Unique) | Should -Be @('AlreadyApplied')
        Select-Writes (Get-FleetRequests) | Should -BeNullOrEmpty
    }

    It 'Test-CalendarFederationPlan then drifts only at the unreadable pair: $false, and with -PassThru its Unknown rows' {
        if (Skip-Untrusted) { return }
        $passThru = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetFile; PassThru = $true }
        $drift = @($passThru.Output)
        @($drift | ForEach-Object { $_.PSObject.TypeNames[0] } | Select-Object -Unique) | Should -Be @('CalendarFederation.CalendarFederationPlanChange')
        @($drift | ForEach-Object { "$($_.Tenant)>$($_.Partner) $($_.Action)" } | Sort-Object) |
            Should -Be @($rows | Where-Object { "$($_.Action)" -eq 'Unknown' } | ForEach-Object { "$($_.Tenant)>$($_.Partner) $($_.Action)" } | Sort-Object)
        @($passThru.Errors | Get-CFErrorId) | Should -Be @('FleetDrift')
        $passThru.Errors[0].Exception.Message | Should -Match "^The fleet could not be compared with its file completely\. 1 tenants could not be read \(fleet49: \w+\); $($drift.Count) rows are Unknown\.$"

        # -ThrottleLimit only bounds how many tenants are read at once: the answer is the same.
        $plain = Invoke-Captured Test-CalendarFederationPlan @{ Path = $fleetFile; ThrottleLimit = 3 }
        $plain.Output | Should -Be @($false)
        @($plain.Errors | Get-CFErrorId) | Should -Be @('FleetDrift')
    }

    It 'Export-CalendarFederationPlan -Connection writes a file that plans to Nothing for those tenants' {
        if (Skip-Untrusted) { return }
        # Pairs in different states before the apply: drift, legacy moved over, legacy kept, one way, scoped.
        $names = 'fleet01', 'fleet02', 'fleet05', 'fleet06', 'fleet07', 'fleet08', 'fleet09', 'fleet10', 'fleet13', 'fleet14'
        $connections = foreach ($name in $names) {
            $m = $world.members | Where-Object name -eq $name
            Connect-CalendarFederation -AppId $m.appId -Organization $m.organization -ClientSecret (ConvertTo-SecureString "$name-sandbox-secret" -AsPlainText -Force) `
                -ExchangeEnvironmentName $world.environmentName -PassThru -NotDefault -WarningAction SilentlyContinue
        }
        $exported = Join-Path ([IO.Path]::GetTempPath()) "cf-fleet-fifty-export-$PID.psd1"
        try {
            $export = Invoke-Captured Export-CalendarFederationPlan @{ Connection = $connections; Path = $exported; Confirm = $false }
            $export.Errors | Should -BeNullOrEmpty
            $export.Output.FullName | Should -Be $exported
            $content = Get-Content -LiteralPath $exported -Raw
            $content | Should -Not -Match 'sandbox-secret'
            foreach ($m in $world.members | Where-Object { $names -contains $_.name }) { $content | Should -Match ([regex]::Escape($m.tenantId)) }
            # The scoped grant's group by its name (resolved from the grant's object id), so that planning it resolves again.
            $content | Should -Match "From = 'fleet09'; To = 'fleet10';[^}]*FreeBusyAccessScope = 'Calendar sharing'"


            $replan = Invoke-Captured Get-CalendarFederationPlan @{ Path = $exported; Connection = $connections }
            $replan.Errors | Should -BeNullOrEmpty
            $back = @($replan.Output)
            # Both directions of each of the five pairs: the one-way pair's reverse as not shared, the scoped pair with its group.
            @($back | ForEach-Object Direction | Sort-Object -Unique).Count | Should -Be 10
            $notNothing = @($back | Where-Object { "$($_.Action)" -ne 'Nothing' } | ForEach-Object { "$($_.Direction): $($_.Action) $($_.Reason)" })
            $notNothing | Should -BeNullOrEmpty
        }
        finally {
            Remove-Item -LiteralPath $exported -ErrorAction SilentlyContinue
        }
    }

    It 'completes -Connection of <Line> with this session''s connections' -TestCases @(
        @{ Line = 'Get-CalendarFederationPlan -Connection ' }
        @{ Line = 'Export-CalendarFederationPlan -Connection ' }
        @{ Line = 'Invoke-CalendarFederationPlan -Connection ' }
    ) {
        if (Skip-Untrusted) { return }
        $open = @(Get-CalendarFederationConnection | Where-Object { $_.Organization -like 'fleet*' })
        $open.Count | Should -BeGreaterThan 1
        $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        $texts = @($result.CompletionMatches | ForEach-Object CompletionText)
        foreach ($c in $open) { $texts | Should -Contain "(Get-CalendarFederationConnection -Id '$($c.Id)')" }
        $result.ReplacementIndex | Should -Be $Line.Length

        $prefixed = "$($Line)fleet05"
        $one = @((TabExpansion2 -inputScript $prefixed -cursorColumn $prefixed.Length).CompletionMatches)
        @($one | ForEach-Object ListItemText | Select-Object -Unique) | Should -Be @('fleet05.onmicrosoft.com')
        $picked = Invoke-Expression $one[0].CompletionText
        $picked.Organization | Should -Be 'fleet05.onmicrosoft.com'
    }
}

Describe 'Help of the five fleet cmdlets (built module)' -Tag 'Fleet' {
    It '<Name> has a synopsis and examples' -TestCases @(
        @{ Name = 'Get-CalendarFederationPlan' }
        @{ Name = 'Invoke-CalendarFederationPlan' }
        @{ Name = 'Test-CalendarFederationPlan' }
        @{ Name = 'Export-CalendarFederationPlan' }
        @{ Name = 'Export-CalendarFederationReport' }
    ) {
        $help = Get-Help $Name -Full
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        # Without a help file, Get-Help shows the syntax as the synopsis.
        "$($help.Synopsis)".Trim() | Should -Not -BeLike "$Name *"
        @($help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($example in $help.examples.example) { "$($example.code)".Trim() | Should -Match ([regex]::Escape($Name)) }
    }
}
