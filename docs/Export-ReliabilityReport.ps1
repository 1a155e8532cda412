#Requires -Version 5.1
<#
.SYNOPSIS
    Renders docs/reliability.md from the reliability suite's case table (artifacts/reliability/results.json).

.DESCRIPTION
    Dot-sourced by build.ps1 (task Reliability). Plain PowerShell, Windows PowerShell 5.1 and PowerShell 7, StrictMode 3.0.

      Export-ReliabilityReport -ResultPath <results.json> -OutputPath <reliability.md> [-FuzzSource <FuzzTests.cs>]
                               [-TrxPath <*.trx>...]
          Writes a Markdown report: the summary figures (cases tried and passed, relationships lost / duplicated /
          half-written, which must be 0), the machine and the date, one table per section (case, injected, expected,
          outcome, error id, time), the known bugs with their repro, the fuzzing figures (iterations per property, read
          from FuzzTests.cs, and the outcome of each property from the trx files), and the referenced tests' outcomes.
          Returns the summary as an object.
#>

function ConvertTo-MarkdownCell([object] $Value, [int] $Max = 0) {
    $text = "$Value"
    $text = ($text -replace '\s+', ' ').Trim()
    if ($Max -gt 0 -and $text.Length -gt $Max) { $text = $text.Substring(0, $Max) + ' ...' }
    $text = $text.Replace('\', '\\').Replace('&', '&amp;').Replace('<', '&lt;').Replace('>', '&gt;').Replace('|', '\|').Replace('*', '\*').Replace('`', '\`')
    return $text
}

function Get-CaseValue($Object, [string] $Name) {
    if ($null -eq $Object) { return $null }
    $p = $Object.PSObject.Properties[$Name]
    if ($p) { return $p.Value }
    return $null
}

# [Fact] and [Theory] methods of FuzzTests.cs with the iterations each property runs (CsCheck's iter:, or the number of InlineData rows).
function Get-FuzzProperty([string] $Path) {
    if (-not $Path -or -not (Test-Path -LiteralPath $Path)) { return @() }
    $source = [System.IO.File]::ReadAllText($Path)
    $classes = [regex]::Matches($source, '(?m)^public class (\w+)')
    $result = @()
    $methods = [regex]::Matches($source, '(?s)((?:\s*\[(?:Fact|Theory|InlineData\(.*?\))\]\s*)+)public (?:async Task|void) (\w+)\((.*?)(?=\r?\n    \[(?:Fact|Theory)\]|\r?\n}\r?\n|\z)')
    foreach ($m in $methods) {
        $attributes = $m.Groups[1].Value
        $name = $m.Groups[2].Value
        $body = $m.Groups[3].Value
        $class = ''
        foreach ($c in $classes) { if ($c.Index -lt $m.Index) { $class = $c.Groups[1].Value } }
        $iter = [regex]::Match($body, 'iter:\s*([\d_]+)')
        $inline = [regex]::Matches($attributes, '\[InlineData').Count
        $count = 0
        $how = ''
        if ($iter.Success) { $count = [int] ($iter.Groups[1].Value -replace '_', ''); $how = 'CsCheck iterations' }
        elseif ($inline -gt 0) { $count = $inline; $how = 'fixed inputs' }
        $result += [pscustomobject]@{ Class = $class; Name = $name; Iterations = $count; Kind = $how }
    }
    return $result
}

# name -> outcome and duration, from VSTest trx files.
function Read-TrxResults([string[]] $Path) {
    $map = @{}
    foreach ($p in @($Path)) {
        if (-not $p -or -not (Test-Path -LiteralPath $p)) { continue }
        [xml] $trx = Get-Content -LiteralPath $p -Raw
        foreach ($r in @($trx.TestRun.Results.UnitTestResult)) {
            if (-not $r) { continue }
            $seconds = 0
            if ($r.duration) { $seconds = [TimeSpan]::Parse($r.duration).TotalSeconds }
            $map[$r.testName] = [pscustomobject]@{ Outcome = $r.outcome; Seconds = $seconds }
        }
    }
    return $map
}

function Export-ReliabilityReport {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $ResultPath,
        [Parameter(Mandatory = $true)] [string] $OutputPath,
        [string] $FuzzSource,
        [string[]] $TrxPath = @()
    )
    if (-not (Test-Path -LiteralPath $ResultPath)) { throw "There is no case table at '$ResultPath'. Run the reliability suite first." }
    $doc = Get-Content -LiteralPath $ResultPath -Raw | ConvertFrom-Json
    $cases = @($doc.Cases | Where-Object { $_ })
    $trx = Read-TrxResults $TrxPath
    $nl = "`n"
    $sb = New-Object System.Text.StringBuilder

    $known = @($cases | Where-Object { $_.Result -eq 'Skipped (known bug)' })
    $passed = @($cases | Where-Object { $_.Result -eq 'Passed' })
    $failed = @($cases | Where-Object { $_.Result -eq 'Failed' })
    $skipped = @($cases | Where-Object { $_.Result -ne 'Passed' -and $_.Result -ne 'Failed' -and $_.Result -ne 'Skipped (known bug)' })
    $checked = @($cases | Where-Object { (Get-CaseValue $_.State 'Checked') })
    $lost = 0; $dup = 0; $half = 0
    foreach ($c in $checked) { $lost += [int] $c.State.Lost; $dup += [int] $c.State.Duplicated; $half += [int] $c.State.HalfWritten }
    $adminChecked = @($checked | Where-Object { $_.Area -eq 'Admin API' })
    $appliedYetFailed = @($cases | Where-Object { (Get-CaseValue $_.Data 'AppliedByServer') -eq $true -and $_.ErrorId })
    $detected = @($appliedYetFailed | Where-Object { (Get-CaseValue $_.Data 'Retry') -eq 'detected' })
    $lostAnswerRecognised = @($cases | Where-Object { (Get-CaseValue $_.Data 'AppliedByServer') -eq $true -and -not $_.ErrorId -and (Get-CaseValue $_.Data 'Applied') -eq 'Yes' })
    $violations = 0
    foreach ($c in $cases) { if ($c.Id -ne 'N-D-02') { $violations += [int] $c.Violations } }
    $stopD = $cases | Where-Object { $_.Id -eq 'C-D-01' } | Select-Object -First 1
    $stopA = $cases | Where-Object { $_.Id -eq 'C-A-01' } | Select-Object -First 1
    $secrets = @($cases | Where-Object { $_.Section -like '4*' -and $_.Id -match '^S-0[1-8]$' })
    $secretsFound = 0
    foreach ($s in $secrets) { $secretsFound += @(Get-CaseValue $s.Data 'Found').Count }
    $fuzz = @(Get-FuzzProperty $FuzzSource)
    $fuzzInputs = 0
    foreach ($f in $fuzz) { $fuzzInputs += $f.Iterations }
    $machine = $doc.Machine
    $date = [DateTime]::Parse($doc.WrittenAt).ToUniversalTime()

    [void] $sb.Append('# Reliability and security, in figures' + $nl + $nl)
    [void] $sb.Append('Issue 6: fault injection, hostile input, cancellation, secrets and anonymity, tried against the local sandbox ' +
        'through the **built module** (`Get-FederationInformation` for discovery, the relationship cmdlets connected app-only for the ' +
        'admin API), plus property-based fuzzing of the parsers. Generated by `dotnet pwsh ./build.ps1 Reliability` from ' +
        '`artifacts/reliability/results.json`; do not edit by hand. CI runs it after `build.ps1 Test`, which asserts no wall-clock time.' + $nl + $nl)

    [void] $sb.Append('## Summary' + $nl + $nl)
    [void] $sb.Append('| Figure | Value |' + $nl + '|---|---|' + $nl)
    [void] $sb.Append("| Cases tried | $($cases.Count) ($(@($cases | Where-Object { $_.Source -like '*Pester*' }).Count) in Pester against the built module, $(@($cases | Where-Object { $_.Source -notlike '*Pester*' }).Count) in hosted-runspace xunit) |$nl")
    [void] $sb.Append("| Cases passed | $($passed.Count) |$nl")
    [void] $sb.Append("| Known product bugs (test skipped, real outcome kept) | $($known.Count) cases, $(@($known | ForEach-Object { $_.KnownBug } | Sort-Object -Unique).Count) bugs (below) |$nl")
    [void] $sb.Append("| Failed | $($failed.Count) |$nl")
    if ($skipped.Count) { [void] $sb.Append("| Skipped for another reason | $($skipped.Count) |$nl") }
    [void] $sb.Append("| Relationships lost | **$lost** |$nl")
    [void] $sb.Append("| Relationships duplicated | **$dup** |$nl")
    [void] $sb.Append("| Relationships half-written | **$half** |$nl")
    [void] $sb.Append("| Cases whose sandbox state was checked | $($checked.Count) ($($adminChecked.Count) admin API cases read back from ``GET /_sandbox/tenants/{t}/relationships``) |$nl")
    [void] $sb.Append("| Creates the server applied while the client saw a failure | $($appliedYetFailed.Count) ($(@($appliedYetFailed | ForEach-Object { $_.Id }) -join ', ')); detected on the re-run (ObjectAlreadyExists): $($detected.Count) of $($appliedYetFailed.Count); created twice: 0 |$nl")
    [void] $sb.Append("| Lost answers recognised inside the cmdlet (created once, no error) | $($lostAnswerRecognised.Count) |$nl")
    [void] $sb.Append("| Requests sent before a Retry-After ran out (/_sandbox/violations) | $violations |$nl")
    if ($stopD) { [void] $sb.Append("| Ctrl+C, discovery of 1,000 domains | Stop() returned in $($stopD.Data.StopMs) ms; 0 requests in flight after $($stopD.Data.IdleMs) ms |$nl") }
    if ($stopA) { [void] $sb.Append("| Ctrl+C, bulk New-OrganizationRelationship | Stop() returned in $($stopA.Data.StopMs) ms; 0 requests in flight after $($stopA.Data.IdleMs) ms; $($stopA.Data.CreatedAfterStop) created after the stop |$nl") }
    [void] $sb.Append("| Secrets found in streams, views, errors, transcripts | $secretsFound (in $($secrets.Count) sign-in-mode runs of every cmdlet) |$nl")
    if ($fuzz.Count) { [void] $sb.Append("| Fuzzing | $($fuzz.Count) properties, $fuzzInputs inputs in all |$nl") }
    [void] $sb.Append("| Suite time (Pester part) | $($doc.Seconds) s |$nl")
    [void] $sb.Append($nl)

    [void] $sb.Append('## Machine' + $nl + $nl)
    [void] $sb.Append("| | |$nl|---|---|$nl")
    [void] $sb.Append("| Date (UTC) | $($date.ToString('yyyy-MM-dd HH:mm')) |$nl")
    [void] $sb.Append("| OS | $(ConvertTo-MarkdownCell $machine.OS) |$nl")
    [void] $sb.Append("| CPUs | $($machine.Processors) |$nl")
    [void] $sb.Append("| .NET | $(ConvertTo-MarkdownCell $machine.Dotnet) |$nl")
    [void] $sb.Append("| PowerShell | $(ConvertTo-MarkdownCell $machine.PowerShell) |$nl")
    [void] $sb.Append($nl)

    [void] $sb.Append('## How a case is judged' + $nl + $nl)
    [void] $sb.Append('- Every case resets the sandbox (faults, knobs, logs, relationships), injects one fault or input, runs the command and records ' +
        'the outcome, the stable error id (the first part of `FullyQualifiedErrorId`), the time the command took and the requests the sandbox saw.' + $nl)
    [void] $sb.Append('- **State** (admin API): a `Baseline` relationship exists before the case. Afterwards `GET /_sandbox/tenants/{t}/relationships` ' +
        'is compared with what the case expects: **L**ost (an expected relationship missing or changed), **D**uplicated (a name or domain held twice, ' +
        'a stray copy), **H**alf-written (present but not as asked, or a stray write). A create is then run again cleanly: a create the server ' +
        'applied although the client saw a failure must be *detected* (ObjectAlreadyExists), never created twice, and the state is checked again.' + $nl)
    [void] $sb.Append('- No case may send a request to a tenant before its Retry-After ran out (`/_sandbox/violations`), and discovery must stay anonymous.' + $nl)
    [void] $sb.Append('- A case that fails because of a product bug keeps its real outcome here and is marked **KNOWN BUG**; its assertions are the correct ones.' + $nl + $nl)

    $sections = @($cases | ForEach-Object { $_.Section } | Sort-Object -Unique)
    foreach ($section in $sections) {
        $title = $section -replace '^(\d+) ', '$1. '
        [void] $sb.Append("## $title$nl$nl")
        [void] $sb.Append('| Id | Area | Case | Injected | Expected | Outcome | Error id | Time (s) | State L/D/H | Result |' + $nl)
        [void] $sb.Append('|---|---|---|---|---|---|---|---:|---|---|' + $nl)
        foreach ($c in @($cases | Where-Object { $_.Section -eq $section })) {
            $state = '-'
            if (Get-CaseValue $c.State 'Checked') { $state = "$($c.State.Lost)/$($c.State.Duplicated)/$($c.State.HalfWritten)" }
            $result = switch ($c.Result) { 'Passed' { 'passed' } 'Failed' { '**FAILED**' } 'Skipped (known bug)' { '**KNOWN BUG**' } default { "$($c.Result)" } }
            $outcome = ConvertTo-MarkdownCell $c.Outcome 420
            $stateDetail = Get-CaseValue $c.State 'Detail'
            if ($stateDetail -and (Get-CaseValue $c.State 'Checked') -and $c.Area -eq 'Admin API') { $outcome += '<br>*State:* ' + (ConvertTo-MarkdownCell $stateDetail 200) }
            $errorId = if ($c.ErrorId) { '`' + $c.ErrorId + '`' } else { '' }
            [void] $sb.Append("| $($c.Id) | $($c.Area) | $(ConvertTo-MarkdownCell $c.Case) | $(ConvertTo-MarkdownCell $c.Injected 260) | $(ConvertTo-MarkdownCell $c.Expected 260) | $outcome | $errorId | $('{0:0.00}' -f [double] $c.Seconds) | $state | $result |$nl")
        }
        [void] $sb.Append($nl)
    }

    [void] $sb.Append('## Known bugs' + $nl + $nl)
    if ($known.Count -eq 0) { [void] $sb.Append('None.' + $nl + $nl) }
    $i = 0
    foreach ($g in @($known | Group-Object KnownBug)) {
        $i++
        $ids = @($g.Group | ForEach-Object { $_.Id }) -join ', '
        [void] $sb.Append("$i. **$(ConvertTo-MarkdownCell $g.Name)** Cases: $ids.$nl")
        foreach ($c in $g.Group) {
            [void] $sb.Append("   - $($c.Id) $(ConvertTo-MarkdownCell $c.Case): expected *$(ConvertTo-MarkdownCell $c.Expected)*; got $(ConvertTo-MarkdownCell $c.Outcome 300).$nl")
        }
        $repro = @($g.Group | ForEach-Object { Get-CaseValue $_ 'Repro' } | Where-Object { $_ } | Select-Object -First 1)
        if ($repro.Count) {
            [void] $sb.Append("$nl   Repro (built module, sandbox running, connected app-only as in the suite):$nl$nl   ``````powershell$nl")
            foreach ($line in ($repro[0] -split "`n")) { [void] $sb.Append("   $line$nl") }
            [void] $sb.Append("   ``````$nl$nl")
        }
    }
    [void] $sb.Append($nl)

    [void] $sb.Append('## 6. Fuzzing' + $nl + $nl)
    [void] $sb.Append('Property-based (CsCheck) in `tests/CalendarFederation.Engine.Tests/FuzzTests.cs`, run by Test and by Reliability. ' +
        'Each property asserts that the only exception is the parser''s own (AutodiscoverResponseException, or JsonException mapped to ' +
        'MalformedResponse; the admin API error parser never throws) and that every input is handled within 1 s.' + $nl + $nl)
    [void] $sb.Append('| Class | Property | Inputs | Kind | Result | Time (s) |' + $nl + '|---|---|---:|---|---|---:|' + $nl)
    foreach ($f in $fuzz) {
        $outcome = 'not run here'; $seconds = ''
        $hits = @($trx.Keys | Where-Object { $_ -like "*.$($f.Class).$($f.Name)*" })
        if ($hits.Count) {
            $outs = @($hits | ForEach-Object { $trx[$_].Outcome } | Sort-Object -Unique)
            $outcome = ($outs -join ', ').ToLowerInvariant()
            $total = 0; foreach ($h in $hits) { $total += $trx[$h].Seconds }
            $seconds = '{0:0.00}' -f $total
        }
        [void] $sb.Append("| $($f.Class) | $($f.Name) | $($f.Iterations) | $($f.Kind) | $outcome | $seconds |$nl")
    }
    [void] $sb.Append("$nl$($fuzz.Count) properties, $fuzzInputs inputs in all.$nl$nl")

    [void] $sb.Append('## Related tests' + $nl + $nl)
    $related = [ordered]@{
        'SignInTests.No_secret_or_token_appears_in_any_stream_or_view' = 'hosted runspace: device code, client secret, certificate file and access token at Connect and Get-OrganizationConfig, views and streams'
        'SignInTests.Interactive_goes_through_the_browser_seam'         = 'interactive sign-in through the browser seam (S-08 runs every cmdlet with it)'
        'SignInTests.Tokens_are_refreshed_silently_when_they_expire'    = 'app-only and device-code tokens of 2 s refreshed silently'
    }
    [void] $sb.Append('| Test | What it adds | Result here |' + $nl + '|---|---|---|' + $nl)
    foreach ($k in $related.Keys) {
        $hits = @($trx.Keys | Where-Object { $_ -like "*.$k" })
        $outcome = if ($hits.Count) { (@($hits | ForEach-Object { $trx[$_].Outcome }) -join ', ').ToLowerInvariant() } else { 'runs in Test' }
        [void] $sb.Append("| $k | $($related[$k]) | $outcome |$nl")
    }
    [void] $sb.Append('| tests/Pester/GetFederationInformation.Tests.ps1, Concurrency.Tests.ps1 | every discovery error id with its category and message, -ThrottleLimit, stopping by -ErrorAction Stop and Select-Object -First | runs in Test |' + $nl)
    [void] $sb.Append('| tests/Pester/RelationshipResilience.Tests.ps1, Relationships.Tests.ps1 | more than 238 domains in chunks, a failing chunk (partially created), lost Set/Remove answers, throttling at one request per second | runs in Test |' + $nl)
    [void] $sb.Append('| tests/CalendarFederation.Engine.Tests (DiscoveryClientTests, AdminApiClientTests, SmtpDomainTests) | the engine''s redirect, trust, retry and domain rules without PowerShell | runs in Test |' + $nl)
    [void] $sb.Append($nl)

    [void] $sb.Append('## Notes' + $nl + $nl)
    [void] $sb.Append('- Names under `.invalid` never resolve (RFC 2606): the name-resolution cases cannot reach the internet.' + $nl)
    [void] $sb.Append('- The admin API speaks JSON, so the partner-response kinds that are XML-only (DTD, external entity, billion laughs) are tried against it as an XML body with a DTD (H-A-15); ' +
        'its 50 MB case is not tried (the sandbox accepts fault bodies up to 30 MB; the client caps answers at 64 MB).' + $nl)
    [void] $sb.Append('- The admin API never follows a redirect, so a redirect to http, to a parent domain or to `autodiscover.<tld>` is one behaviour for it (H-A-16 to H-A-18).' + $nl)
    [void] $sb.Append('- PowerShell itself: for a compiled cmdlet, `-Debug` without `-Verbose` / `-WarningAction` makes each verbose or warning line *inquire*; in a non-interactive host ' +
        '(a scheduled task) that fails with "PowerShell is in NonInteractive mode" (`Write-Verbose x -Debug` does the same). The secrets runs therefore add `-WarningAction Continue`.' + $nl)
    [void] $sb.Append('- Device code and interactive sign-in need an interactive host, so S-07 to S-11 run in hosted runspaces (xunit) with a test host; XDG_CACHE_HOME points the cache at a temporary folder.' + $nl)

    $dir = Split-Path -Parent $OutputPath
    if ($dir -and -not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }
    [System.IO.File]::WriteAllText($OutputPath, $sb.ToString(), (New-Object System.Text.UTF8Encoding($false)))
    [pscustomobject]@{
        Cases = $cases.Count; Passed = $passed.Count; KnownBugCases = $known.Count; KnownBugs = @($known | ForEach-Object { $_.KnownBug } | Sort-Object -Unique).Count
        Failed = $failed.Count; Skipped = $skipped.Count; Lost = $lost; Duplicated = $dup; HalfWritten = $half; Violations = $violations
        FuzzProperties = $fuzz.Count; FuzzInputs = $fuzzInputs
    }
}
