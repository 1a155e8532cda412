# Import cost seen from inside one fresh process, then Get-FederationInformation's first and second call against the
# sandbox, and which assemblies each step loaded.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $AutodiscoverUri
)
. (Join-Path $PSScriptRoot 'Common.ps1')

$heavy = '^(Microsoft\.Identity\.|Microsoft\.IdentityModel\.|System\.Text\.Json$|System\.Net\.Http$|System\.Net\.Security$|Polly|CalendarFederation\.Engine$|System\.Xml\.ReaderWriter$|System\.Private\.Xml$)'
$before = Get-LoadedAssemblyNames
$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importMs = $sw.Elapsed.TotalMilliseconds
$afterImport = Get-LoadedAssemblyNames

$sw.Restart()
$first = Get-FederationInformation -DomainName contoso.com -AutodiscoverUri $AutodiscoverUri
$firstMs = $sw.Elapsed.TotalMilliseconds
$afterFirst = Get-LoadedAssemblyNames

$sw.Restart()
$second = Get-FederationInformation -DomainName fabrikam.com -AutodiscoverUri $AutodiscoverUri
$secondMs = $sw.Elapsed.TotalMilliseconds
$afterSecond = Get-LoadedAssemblyNames

$byImport = @($afterImport | Where-Object { $before -notcontains $_ })
$byFirst = @($afterFirst | Where-Object { $afterImport -notcontains $_ })
Write-BenchResult ([ordered]@{
    ImportMs              = $importMs
    FirstCallMs           = $firstMs
    SecondCallMs          = $secondMs
    FirstAnswered         = [bool]($first -and $first.DomainName -eq 'contoso.com')
    SecondAnswered        = [bool]($second -and $second.DomainName -eq 'fabrikam.com')
    AssembliesBeforeImport = $before.Count
    LoadedByImport        = $byImport
    HeavyLoadedByImport   = @($byImport | Where-Object { $_ -match $heavy })
    LoadedByFirstCall     = $byFirst
    LoadedBySecondCall    = @($afterSecond | Where-Object { $afterFirst -notcontains $_ })
    MsalLoadedAfterDiscovery = [bool](@($afterSecond | Where-Object { $_ -like 'Microsoft.Identity.Client*' }).Count)
    HeavyAlreadyInPowerShell = @($before | Where-Object { $_ -match $heavy })
})
