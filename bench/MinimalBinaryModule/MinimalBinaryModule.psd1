@{
    RootModule           = 'MinimalBinaryModule.dll'
    ModuleVersion        = '1.0.0'
    GUID                 = '6a3c1c36-1d6e-4a51-9b44-3b1f0d6f0a01'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    CmdletsToExport      = @('Get-Minimal')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
