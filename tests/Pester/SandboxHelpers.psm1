# Starts and drives the sandbox for Pester tests and the demo. Windows PowerShell 5.1 compatible.
Set-StrictMode -Version 3.0

function Start-CFSandbox {
    [CmdletBinding()]
    param(
        [string] $SandboxDll = $env:CF_SANDBOX_DLL,
        [string] $ConfigPath,
        [int] $LatencyMs = -1,
        [switch] $Https,
        [string] $CaOut,
        # The stable root build.ps1 creates (artifacts/sandbox-ca); https listeners then chain to a root the test process trusts.
        [string] $CaDirectory = $env:CF_SANDBOX_CA,
        # Also run the loopback forward proxy; -ProxyCredential 'user:pass' makes it demand Basic authentication.
        [switch] $Proxy,
        [string] $ProxyCredential,
        # A generated fleet of this many tenants (fleet01..), its seed, and where to write its fleet file (tests/CalendarFederation.Sandbox/README.md, "A fleet").
        [int] $Fleet = 0,
        [int] $FleetSeed = 1,
        [string] $FleetFile,
        [int] $TimeoutSec = 60
    )
    if (-not $SandboxDll -or -not (Test-Path -LiteralPath $SandboxDll)) {
        throw "Sandbox not found at '$SandboxDll'. Run ./build.ps1 Build first, or set CF_SANDBOX_DLL."
    }
    $arguments = @('"' + $SandboxDll + '"', '--exit-with-stdin')
    # Parentheses matter: the comma binds tighter than +.
    if ($ConfigPath) { $arguments += @('--config', ('"' + $ConfigPath + '"')) }
    if ($LatencyMs -ge 0) { $arguments += @('--latency-ms', "$LatencyMs") }
    if ($Https) { $arguments += '--https' }
    if ($CaOut) { $arguments += @('--ca-out', ('"' + $CaOut + '"')) }
    if ($CaDirectory) { $arguments += @('--ca', ('"' + $CaDirectory + '"')) }
    if ($Proxy) { $arguments += '--proxy' }
    if ($ProxyCredential) { $arguments += @('--proxy-auth', $ProxyCredential) }
    if ($Fleet -gt 0) { $arguments += @('--fleet', "$Fleet", '--fleet-seed', "$FleetSeed") }
    if ($FleetFile) { $arguments += @('--fleet-file', ('"' + $FleetFile + '"')) }

    $psi = New-Object System.Diagnostics.ProcessStartInfo
    $psi.FileName = 'dotnet'
    $psi.Arguments = $arguments -join ' '
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($psi)

    $url = $null
    $fleetPath = $null
    $proxyUrl = $null
    $httpsUrls = @{}
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not $url) {
        $lineTask = $process.StandardOutput.ReadLineAsync()
        $remaining = [int][Math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
        if (-not $lineTask.Wait($remaining)) {
            $process.Kill()
            throw "The sandbox did not start within $TimeoutSec s."
        }
        $line = $lineTask.Result
        if ($null -eq $line) {
            $stderr = $process.StandardError.ReadToEnd()
            throw "The sandbox exited before it was ready: $stderr"
        }
        if ($line -match '^SANDBOX_HTTPS_(\w+)=(.+)$') { $httpsUrls[$Matches[1].ToLowerInvariant()] = $Matches[2] }
        if ($line -match '^SANDBOX_PROXY=(.+)$') { $proxyUrl = $Matches[1] }
        if ($line -match '^SANDBOX_FLEET_FILE=(.+)$') { $fleetPath = $Matches[1] }
        if ($line -match '^SANDBOX_URL=(.+)$') { $url = $Matches[1] }
    }
    # The https lines come after SANDBOX_URL; read them too when asked for.
    if ($Https -or $CaOut -or $CaDirectory -or $Proxy) {
        while ($httpsUrls.Count -lt 4) {
            $line = $process.StandardOutput.ReadLine()
            if ($null -eq $line) { break }
            if ($line -match '^SANDBOX_HTTPS_(\w+)=(.+)$') { $httpsUrls[$Matches[1].ToLowerInvariant()] = $Matches[2] }
        }
    }
    $info = Invoke-RestMethod -Uri "$url/_sandbox/info" -TimeoutSec 10
    [pscustomobject]@{
        Process         = $process
        Url             = $url
        AutodiscoverUri = "$url/autodiscover/autodiscover.svc"
        Ports           = @($info.ports)
        HttpsUrls       = $httpsUrls
        ProxyUrl        = $proxyUrl
        Tenants         = @($info.tenants)
        FleetFile       = $fleetPath
    }
}

function Get-CFSandbox {
    # The sandbox a test file uses: the one tests/Pester/Invoke-PesterSuite.ps1 started for the whole run
    # (CF_SANDBOX_URL), reset, or, for a file run on its own, a new one (stopped by Stop-CFSandbox; the shared one is not).
    [CmdletBinding()]
    param([switch] $Proxy)
    if (-not $env:CF_SANDBOX_URL) { return Start-CFSandbox -Proxy:$Proxy }
    $url = $env:CF_SANDBOX_URL
    $info = Invoke-RestMethod -Uri "$url/_sandbox/info" -TimeoutSec 10
    $httpsUrls = @{}
    foreach ($p in $info.httpsPorts.PSObject.Properties) { $httpsUrls[$p.Name.ToLowerInvariant()] = "https://localhost:$($p.Value)" }
    $sandbox = [pscustomobject]@{
        Process         = $null
        Url             = $url
        AutodiscoverUri = "$url/autodiscover/autodiscover.svc"
        Ports           = @($info.ports)
        HttpsUrls       = $httpsUrls
        ProxyUrl        = $env:CF_SANDBOX_PROXY
        Tenants         = @($info.tenants)
    }
    if ($Proxy -and -not $sandbox.ProxyUrl) { throw 'The shared sandbox runs no proxy; Invoke-PesterSuite.ps1 starts it with -Proxy.' }
    Reset-CFSandbox -Sandbox $sandbox
    $sandbox
}

function Stop-CFSandbox {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    if (-not $Sandbox -or -not $Sandbox.Process) { return }
    try { $Sandbox.Process.StandardInput.Close() } catch { }
    if (-not $Sandbox.Process.WaitForExit(10000)) {
        try { $Sandbox.Process.Kill() } catch { }
    }
}

function Add-CFSandboxFault {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [hashtable] $Rule)
    $body = $Rule | ConvertTo-Json -Depth 5 -Compress
    (Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/_sandbox/faults" -Body $body -ContentType 'application/json').id
}

function Reset-CFSandbox {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/_sandbox/reset" | Out-Null
}

function Get-CFSandboxRequests {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    # Invoke-RestMethod emits a JSON array as one object; unroll it.
    Invoke-RestMethod -Uri "$($Sandbox.Url)/_sandbox/requests" | ForEach-Object { $_ }
}

function Get-CFSandboxViolations {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-RestMethod -Uri "$($Sandbox.Url)/_sandbox/violations" | ForEach-Object { $_ }
}

function Wait-CFSandbox {
    # Waits for the sandbox to reach a state (GET /_sandbox/wait: it answers when the state is reached, no polling) and
    # returns {satisfied, inFlight, maxInFlight, requests, held}; satisfied is false after -TimeoutMs, a hang guard.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [int] $InFlight = -1,
        [int] $InFlightAtLeast = -1,
        [int] $RequestsAtLeast = -1,
        [string] $Gate,
        [int] $HeldAtLeast = 1,
        [int] $TimeoutMs = 30000
    )
    $query = @("timeoutMs=$TimeoutMs")
    if ($InFlight -ge 0) { $query += "inFlight=$InFlight" }
    if ($InFlightAtLeast -ge 0) { $query += "inFlightAtLeast=$InFlightAtLeast" }
    if ($RequestsAtLeast -ge 0) { $query += "requestsAtLeast=$RequestsAtLeast" }
    if ($Gate) { $query += "gate=$([uri]::EscapeDataString($Gate))"; $query += "heldAtLeast=$HeldAtLeast" }
    Invoke-RestMethod -Uri "$($Sandbox.Url)/_sandbox/wait?$($query -join '&')" -TimeoutSec ([Math]::Ceiling($TimeoutMs / 1000) + 10)
}

function Open-CFSandboxGate {
    # Lets the requests held at a gate (a fault rule with hold = <name>) through, and later ones at once.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name)
    Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/_sandbox/gates/$([uri]::EscapeDataString($Name))/open" | Out-Null
}

function Move-CFSandboxClock {
    # Moves the sandbox's clock forward (token expiry, Retry-After, hydration), so a test need not wait for it.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [double] $Seconds)
    Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/_sandbox/clock/advance?seconds=$([string]::Format([Globalization.CultureInfo]::InvariantCulture, '{0}', $Seconds))" | Out-Null
}

function Skip-CFUntrusted {
    # For a test that needs the sandbox's https root trusted. Trusted: returns $false and the test goes on. Not trusted:
    # the test FAILS, unless the run was started with -SkipUntrusted (CF_SKIP_UNTRUSTED=1), which CI refuses; then it
    # is skipped (Set-ItResult throws, so the caller's 'return' is not reached) and the suite reports it loudly.
    [CmdletBinding()]
    param([Parameter(Mandatory)] [AllowNull()] $Trusted)
    if ($Trusted) { return $false }
    if ($env:CF_SKIP_UNTRUSTED -eq '1') {
        Set-ItResult -Skipped -Because 'UNTRUSTED: this process does not trust the sandbox root, and the run was started with -SkipUntrusted'
        return $true
    }
    throw ('This process does not trust the sandbox''s https root, so this test cannot run. build.ps1 trusts it for the processes ' +
        'it starts (SSL_CERT_FILE on Linux); on Windows and macOS install artifacts/sandbox-ca/root.pem in the OS store ' +
        '(build.ps1 SandboxCa). To skip these tests instead, say so: build.ps1 Test -SkipUntrusted (refused in CI).')
}

function Test-CFSandboxTrust {
    # True when this process trusts the sandbox's https root (SSL_CERT_FILE on Linux, the OS store on Windows/macOS CI).
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    if (-not $Sandbox.HttpsUrls['good']) { return $false }
    try {
        Invoke-RestMethod -Uri "$($Sandbox.HttpsUrls['good'])/common/v2.0/.well-known/openid-configuration" -TimeoutSec 10 | Out-Null
        return $true
    }
    catch {
        return $false
    }
}

function Add-CFSandboxEnvironment {
    # One -ExchangeEnvironmentName that carries the sandbox's Autodiscover, sign-in and admin API endpoints.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $Name = 'Sandbox')
    Add-CalendarFederationEnvironment -Name $Name -AzureADAuthorizationEndpointUri $Sandbox.HttpsUrls['good'] `
        -ConnectionUri $Sandbox.HttpsUrls['good'] -AutodiscoverEndpoint $Sandbox.AutodiscoverUri | Out-Null
}

function New-CFSandboxCertificate {
    # A self-signed certificate registered for an app in the sandbox; returns the certificate with its private key.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tenant, [Parameter(Mandatory)] [string] $AppId)
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $request = New-Object System.Security.Cryptography.X509Certificates.CertificateRequest('CN=CalendarFederation Pester', $rsa,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $cert = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30))
    $der = [Convert]::ToBase64String($cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Cert))
    Invoke-RestMethod -Method Post -Uri "$($Sandbox.Url)/_sandbox/tenants/$Tenant/apps/$AppId/certificates" -Body $der -ContentType 'text/plain' | Out-Null
    $pfx = $cert.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pfx)
    New-Object System.Security.Cryptography.X509Certificates.X509Certificate2(,$pfx)
}

function New-CFAsyncPowerShell {
    # A PowerShell on its own runspace with the module already imported (synchronously), ready for one BeginInvoke.
    # Import-Module is not batched with AddStatement in front of the command: after Stop(), PowerShell's batch worker
    # can still write to streams that Dispose() has closed, and that unhandled exception ends the whole process.
    param([Parameter(Mandatory = $true)][string] $ModulePath)
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $import = [powershell]::Create()
    try {
        $import.Runspace = $runspace
        $null = $import.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddParameter('ErrorAction', 'Stop').Invoke()
    }
    finally {
        $import.Dispose()
    }
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    return $ps
}

function Close-CFAsyncPowerShell {
    # Waits for the invocation to finish (a stopped one ends with PipelineStoppedException), then disposes the
    # PowerShell and its runspace, so nothing writes to them afterwards.
    param([System.Management.Automation.PowerShell] $PowerShell, [System.IAsyncResult] $Handle, [int] $TimeoutMs = 10000)
    if (-not $PowerShell) { return }
    $runspace = $PowerShell.Runspace
    try {
        if ($Handle) {
            if (-not $Handle.IsCompleted) { $PowerShell.Stop() }
            if ($Handle.AsyncWaitHandle.WaitOne($TimeoutMs)) {
                try { $null = $PowerShell.EndInvoke($Handle) } catch { }
            }
        }
    }
    finally {
        $PowerShell.Dispose()
        if ($runspace) { $runspace.Dispose() }
    }
}

function Get-CFErrorId {
    # The error id of a record: its FullyQualifiedErrorId less the ",<cmdlet type>" PowerShell appends (never a split on
    # commas, which would break on an id that holds one).
    param([Parameter(Mandatory, ValueFromPipeline)][System.Management.Automation.ErrorRecord] $Record)
    process {
        $id = $Record.FullyQualifiedErrorId
        $type = $Record.InvocationInfo.MyCommand.ImplementingType
        if ($type -and $id.EndsWith(",$($type.FullName)")) { return $id.Substring(0, $id.Length - $type.FullName.Length - 1) }
        $id
    }
}

function Start-CFFleet {
    # A sandbox of its own holding the generated fleet of -Tenants (tests/CalendarFederation.Sandbox/README.md, "A fleet"),
    # ready for the fleet cmdlets: each tenant's secret in the environment variable the fleet file names, and the file's
    # environment registered. Returns the sandbox with .World (GET /_sandbox/fleet: members, states, expectations).
    [CmdletBinding()]
    param([Parameter(Mandatory)] [int] $Tenants, [int] $Seed = 1, [Parameter(Mandatory)] [string] $FleetFile)
    $fleet = Start-CFSandbox -Fleet $Tenants -FleetSeed $Seed -FleetFile $FleetFile
    $world = Invoke-RestMethod -Uri "$($fleet.Url)/_sandbox/fleet"
    foreach ($m in $world.members) { Set-Item -Path "env:$($m.secretEnvironmentVariable)" -Value "$($m.name)-sandbox-secret" }
    Remove-CalendarFederationEnvironment -Name $world.environmentName -ErrorAction SilentlyContinue
    Add-CFSandboxEnvironment -Sandbox $fleet -Name $world.environmentName
    $fleet | Add-Member -NotePropertyName World -NotePropertyValue $world -PassThru
}

function Stop-CFFleet {
    # Undoes Start-CFFleet: the fleet's connections, secrets and environment, then the sandbox.
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Fleet)
    Get-CalendarFederationConnection | Where-Object { $_.Organization -like 'fleet*' } | Disconnect-CalendarFederation -Confirm:$false
    foreach ($m in $Fleet.World.members) { Remove-Item -Path "env:$($m.secretEnvironmentVariable)" -ErrorAction SilentlyContinue }
    Remove-CalendarFederationEnvironment -Name $Fleet.World.environmentName -ErrorAction SilentlyContinue
    Stop-CFSandbox $Fleet
}

Export-ModuleMember -Function Test-CFSandboxTrust, Skip-CFUntrusted, Add-CFSandboxEnvironment, New-CFSandboxCertificate, Get-CFSandbox, Start-CFSandbox, Stop-CFSandbox, Start-CFFleet, Stop-CFFleet, Add-CFSandboxFault, Reset-CFSandbox, Get-CFSandboxRequests, Get-CFSandboxViolations, Wait-CFSandbox, Open-CFSandboxGate, Move-CFSandboxClock, New-CFAsyncPowerShell, Close-CFAsyncPowerShell, Get-CFErrorId
