# N domains through one of three ways of discovering them, timed inside the process (start-up and import excluded):
#   Module     this module: the domains piped into one Get-FederationInformation -ThrottleLimit T
#   Sequential what Exchange's one-domain cmdlet gives: one Get-FederationInformation call per domain, in a loop
#   PowerUser  ForEach-Object -Parallel -ThrottleLimit T, Invoke-RestMethod posting the SOAP request (AutodiscoverSoap.BuildRequest's body)
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxUrl,
    [Parameter(Mandatory)] [ValidateSet('Module', 'Sequential', 'PowerUser')] [string] $Mode,
    [Parameter(Mandatory)] [int] $Count,
    [int] $ThrottleLimit = 50,
    [Parameter(Mandatory)] [string] $Domains
)
. (Join-Path $PSScriptRoot 'Common.ps1')

$endpoint = "$SandboxUrl/autodiscover/autodiscover.svc"
$pool = @($Domains -split ',')
$list = [string[]]::new($Count)
for ($i = 0; $i -lt $Count; $i++) { $list[$i] = $pool[$i % $pool.Count] }

$powerUser = {
    $domain = $_
    $to = $using:endpoint
    # The body AutodiscoverSoap.BuildRequest writes: SOAP 1.1, WS-Addressing Action/To/ReplyTo/MessageID.
    $body = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing">' +
        '<soap:Header><a:Action soap:mustUnderstand="1">http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation</a:Action>' +
        '<a:To soap:mustUnderstand="1">' + [System.Security.SecurityElement]::Escape($to) + '</a:To>' +
        '<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>' +
        '<a:MessageID>urn:uuid:' + [guid]::NewGuid().ToString('D') + '</a:MessageID></soap:Header>' +
        '<soap:Body><GetFederationInformationRequestMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover"><Request><Domain>' +
        [System.Security.SecurityElement]::Escape($domain) + '</Domain></Request></GetFederationInformationRequestMessage></soap:Body></soap:Envelope>'
    try {
        $xml = Invoke-RestMethod -Method Post -Uri $to -Body $body -ContentType 'text/xml; charset=utf-8' -UserAgent 'AutodiscoverClient' `
            -Headers @{ SOAPAction = '"http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetFederationInformation"' } -TimeoutSec 30
    }
    catch {
        return [pscustomobject]@{ DomainName = $domain; ErrorCode = 'Exception'; ApplicationUri = $null; Error = $_.Exception.Message }
    }
    $r = $xml.Envelope.Body.GetFederationInformationResponseMessage.Response
    [pscustomobject]@{
        DomainName      = $domain
        ErrorCode       = $r.ErrorCode
        ApplicationUri  = $r.ApplicationUri
        DomainNames     = @($r.Domains.Domain)
        TokenIssuerUris = @($r.TokenIssuers.TokenIssuer.Uri)
    }
}

# Warm-up outside the timing: the first call's JIT and, for PowerUser, the first runspace's module auto-loading.
if ($Mode -eq 'PowerUser') {
    $null = 'contoso.com' | ForEach-Object -Parallel $powerUser -ThrottleLimit 1
}
else {
    Import-Module $ModulePath
    $null = Get-FederationInformation -DomainName contoso.com -AutodiscoverUri $endpoint
}
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/requests" | Out-Null
Invoke-RestMethod -Method Delete -Uri "$SandboxUrl/_sandbox/load" | Out-Null

$ok = 0
$failed = 0
$cpu0 = Get-CpuMilliseconds
$sw = [System.Diagnostics.Stopwatch]::StartNew()
switch ($Mode) {
    'Module' {
        $list | Get-FederationInformation -AutodiscoverUri $endpoint -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue -ErrorVariable +errs |
            ForEach-Object { $ok++ }
    }
    'Sequential' {
        foreach ($d in $list) {
            $r = Get-FederationInformation -DomainName $d -AutodiscoverUri $endpoint -ErrorAction SilentlyContinue -ErrorVariable +errs
            if ($r) { $ok++ }
        }
    }
    'PowerUser' {
        $list | ForEach-Object -Parallel $powerUser -ThrottleLimit $ThrottleLimit |
            ForEach-Object { if ($_.ErrorCode -eq 'NoError' -and $_.ApplicationUri) { $ok++ } }
    }
}
$sw.Stop()
$cpu = (Get-CpuMilliseconds) - $cpu0
$failed = $Count - $ok
$requests = @(Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/requests" | ForEach-Object { $_ })
$load = Invoke-RestMethod -Uri "$SandboxUrl/_sandbox/load"
Write-BenchResult ([ordered]@{
    Mode          = $Mode
    Count         = $Count
    ThrottleLimit = $ThrottleLimit
    ElapsedMs     = $sw.Elapsed.TotalMilliseconds
    Succeeded     = $ok
    Failed        = $failed
    Requests      = $requests.Count
    MaxInFlight   = $load.maxInFlight
    ClientCpuMs   = $cpu
    DomainsPerSecond = $Count / $sw.Elapsed.TotalSeconds
})
