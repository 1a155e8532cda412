#Requires -Version 5.1
<#
.SYNOPSIS
    Compiles the cmdlet help in docs/cmdlets/*.md (platyPS v1 markdown) into MAML, the XML that Get-Help reads.

.DESCRIPTION
    Dot-sourced by build.ps1; no module needed (platyPS is not used). Plain PowerShell that runs in Windows PowerShell 5.1
    and PowerShell 7 under Set-StrictMode 3.0.

      ConvertFrom-HelpMarkdown -Path <file.md>
          Parses one platyPS v1 file into an object (name, synopsis, syntax per parameter set, description, examples,
          parameters with their yaml metadata, inputs, outputs, notes, related links). Anything it cannot read stops with
          "<file>:<line>: <what is wrong>".

      ConvertTo-HelpMaml -Help <parsed help objects>
          Returns the MAML document (helpItems with one command:command per cmdlet) as a string.

      Export-HelpMaml -MarkdownFolder <docs/cmdlets> -OutputPath <...\en-US\X.dll-Help.xml> [-ExpectedCommand <names>]
          Parses every *.md in the folder, checks that the files match the cmdlets the module exports (when given), and
          writes the MAML file.

      Test-AboutHelpFile -Path <about_X.help.txt>
          Checks an about_ topic's layout (TOPIC, SHORT DESCRIPTION, LONG DESCRIPTION).
#>

# Constants come from functions, not script variables, so the functions work wherever this file is dot-sourced
# (build.ps1, a Pester test file).
function Get-HelpSectionName { @('SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') }
function Get-HelpYamlKey { @('Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters') }
function Get-MamlNamespace {
    # maml, command and dev, in that order.
    'http://schemas.microsoft.com/maml/2004/10'
    'http://schemas.microsoft.com/maml/dev/command/2004/10'
    'http://schemas.microsoft.com/maml/dev/2004/10'
}

function New-HelpFormatError {
    param([string] $File, [int] $Line, [string] $Message)
    $leaf = Split-Path -Leaf $File
    if ($Line -gt 0) { return "Malformed help markdown: ${leaf}:${Line}: $Message" }
    return "Malformed help markdown: ${leaf}: $Message"
}

function Split-HelpBlocks {
    # Splits section lines into blocks: paragraphs (blank-line separated text), and fenced code blocks.
    # Returns objects with Kind ('Text' or 'Code'), Language, Lines and Line (the first line's number).
    param([object[]] $Lines, [string] $File)
    $blocks = New-Object System.Collections.ArrayList
    $current = $null
    $fence = $null
    foreach ($entry in $Lines) {
        $text = [string] $entry.Text
        if ($null -ne $fence) {
            if ($text -match '^\s*```\s*$') {
                [void] $blocks.Add($fence)
                $fence = $null
            }
            else {
                [void] $fence.Lines.Add($text)
            }
            continue
        }
        if ($text -match '^\s*```\s*([A-Za-z0-9_+-]*)\s*$') {
            if ($null -ne $current) { [void] $blocks.Add($current); $current = $null }
            $fence = [pscustomobject]@{ Kind = 'Code'; Language = $Matches[1]; Lines = (New-Object System.Collections.ArrayList); Line = $entry.Number }
            continue
        }
        if ($text.Trim().Length -eq 0) {
            if ($null -ne $current) { [void] $blocks.Add($current); $current = $null }
            continue
        }
        if ($null -eq $current) {
            $current = [pscustomobject]@{ Kind = 'Text'; Language = ''; Lines = (New-Object System.Collections.ArrayList); Line = $entry.Number }
        }
        [void] $current.Lines.Add($text)
    }
    if ($null -ne $fence) { throw (New-HelpFormatError $File $fence.Line 'a code fence (```) is never closed.') }
    if ($null -ne $current) { [void] $blocks.Add($current) }
    # Unrolled: callers collect with @(...).
    return $blocks.ToArray()
}

function ConvertTo-HelpPlainText {
    # Markdown inline syntax to the plain text Get-Help prints: [text](uri) -> text (uri), no backticks or emphasis markers.
    param([string] $Text)
    $t = [regex]::Replace($Text, '\[([^\]]+)\]\((https?://[^)\s]+)\)', '$1 ($2)')
    $t = [regex]::Replace($t, '\[([^\]]+)\]\(([^)\s]+)\)', '$1')
    $t = [regex]::Replace($t, '\*\*([^*]+)\*\*', '$1')
    $t = $t.Replace('`', '')
    $t = [regex]::Replace($t, '\\([`*_\[\]#|])', '$1')
    return $t
}

function ConvertTo-HelpParagraphs {
    # Blocks to MAML paragraphs. A text block becomes one paragraph; in a list, each item starts a new line;
    # a code block keeps its lines. Returns a string array.
    param([object[]] $Blocks)
    $paragraphs = New-Object System.Collections.ArrayList
    foreach ($block in $Blocks) {
        if ($block.Kind -eq 'Code') {
            [void] $paragraphs.Add((@($block.Lines) -join [Environment]::NewLine))
            continue
        }
        $lines = @($block.Lines | ForEach-Object { ([string] $_).TrimEnd() })
        $isList = $lines[0] -match '^\s*([-*]|\d+\.)\s+'
        if ($isList) {
            $items = New-Object System.Collections.ArrayList
            foreach ($line in $lines) {
                if ($line -match '^\s*([-*]|\d+\.)\s+(.*)$') {
                    $marker = $Matches[1]
                    if ($marker -eq '*') { $marker = '-' }
                    $indent = ''
                    if ($line -match '^(\s+)') { $indent = $Matches[1] }
                    [void] $items.Add($indent + $marker + ' ' + (ConvertTo-HelpPlainText $Matches[2]))
                }
                elseif ($items.Count -gt 0) {
                    $items[$items.Count - 1] = $items[$items.Count - 1] + ' ' + (ConvertTo-HelpPlainText $line.Trim())
                }
            }
            [void] $paragraphs.Add((@($items) -join [Environment]::NewLine))
        }
        else {
            [void] $paragraphs.Add((ConvertTo-HelpPlainText ((@($lines | ForEach-Object { $_.Trim() })) -join ' ')))
        }
    }
    return , $paragraphs.ToArray()
}

function Read-HelpYamlBlock {
    param($Block, [string] $File, [string] $Parameter)
    $yamlKeys = Get-HelpYamlKey
    $values = @{}
    $offset = 0
    foreach ($line in $Block.Lines) {
        $offset++
        $text = [string] $line
        if ($text.Trim().Length -eq 0) { continue }
        if ($text -notmatch '^([A-Za-z ]+):\s*(.*)$') {
            throw (New-HelpFormatError $File ($Block.Line + $offset) "-${Parameter}: '$text' is not a 'Key: value' line.")
        }
        $key = $Matches[1].Trim()
        $value = $Matches[2].Trim()
        if ($yamlKeys -notcontains $key) {
            throw (New-HelpFormatError $File ($Block.Line + $offset) "-${Parameter}: unknown key '$key'. Expected: $($yamlKeys -join ', ').")
        }
        if ($values.ContainsKey($key)) {
            throw (New-HelpFormatError $File ($Block.Line + $offset) "-${Parameter}: '$key' appears twice.")
        }
        $values[$key] = $value
    }
    foreach ($key in $yamlKeys) {
        if (-not $values.ContainsKey($key)) {
            throw (New-HelpFormatError $File $Block.Line "-${Parameter}: the yaml block has no '$key'.")
        }
    }
    if ($values['Type'].Length -eq 0) { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Type' is empty.") }
    if ($values['Parameter Sets'].Length -eq 0) { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Parameter Sets' is empty; use (All).") }
    if ($values['Required'] -notmatch '^(True|False)$') { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Required' must be True or False, not '$($values['Required'])'.") }
    if ($values['Position'] -notmatch '^(Named|\d+)$') { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Position' must be Named or a number, not '$($values['Position'])'.") }
    if ($values['Accept pipeline input'] -notmatch '^(False|True \((ByValue|ByPropertyName|ByPropertyName, ByValue)\))$') {
        throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Accept pipeline input' must be False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue), not '$($values['Accept pipeline input'])'.")
    }
    if ($values['Accept wildcard characters'] -notmatch '^(True|False)$') { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Accept wildcard characters' must be True or False.") }
    if ($values['Default value'].Length -eq 0) { throw (New-HelpFormatError $File $Block.Line "-${Parameter}: 'Default value' is empty; write None when there is none.") }

    $sets = @($values['Parameter Sets'] -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    $aliases = @($values['Aliases'] -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    return [pscustomobject]@{
        Type                = $values['Type']
        ParameterSets       = $sets
        Aliases             = $aliases
        Required            = ($values['Required'] -eq 'True')
        Position            = $values['Position']
        DefaultValue        = $values['Default value']
        PipelineInput       = $values['Accept pipeline input']
        Wildcard            = ($values['Accept wildcard characters'] -eq 'True')
    }
}

function ConvertFrom-HelpMarkdown {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string] $Path)

    $helpSections = Get-HelpSectionName
    $file = (Resolve-Path -LiteralPath $Path).ProviderPath
    $raw = [System.IO.File]::ReadAllText($file)
    $allLines = $raw -split "\r?\n"

    # Front matter.
    if ($allLines.Count -lt 3 -or $allLines[0].Trim() -ne '---') { throw (New-HelpFormatError $file 1 'the file must start with YAML front matter (---).') }
    $front = @{}
    $i = 1
    while ($i -lt $allLines.Count -and $allLines[$i].Trim() -ne '---') {
        if ($allLines[$i] -match '^([A-Za-z ]+):\s*(.*)$') { $front[$Matches[1].Trim()] = $Matches[2].Trim() }
        elseif ($allLines[$i].Trim().Length -gt 0) { throw (New-HelpFormatError $file ($i + 1) "front matter line '$($allLines[$i])' is not 'key: value'.") }
        $i++
    }
    if ($i -ge $allLines.Count) { throw (New-HelpFormatError $file 1 'the front matter is never closed (---).') }
    foreach ($key in 'external help file', 'Module Name', 'online version', 'schema') {
        if (-not $front.ContainsKey($key)) { throw (New-HelpFormatError $file 1 "the front matter has no '$key'.") }
    }
    if ($front['schema'] -ne '2.0.0') { throw (New-HelpFormatError $file 1 "schema must be 2.0.0, not '$($front['schema'])'.") }
    if ($front['external help file'] -notmatch '-Help\.xml$') { throw (New-HelpFormatError $file 1 "'external help file' must name a *-Help.xml file.") }

    # Title and H2 sections, with H3 subsections; code fences are skipped when looking for headings.
    $name = $null
    $nameLine = 0
    $sections = [ordered]@{}
    $sectionLines = @{}
    $currentSection = $null
    $inFence = $false
    for ($n = $i + 1; $n -lt $allLines.Count; $n++) {
        $line = $allLines[$n]
        $number = $n + 1
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^# (\S.*)$') {
            if ($null -ne $name) { throw (New-HelpFormatError $file $number 'a second level-1 heading (# ...).') }
            $name = $Matches[1].Trim()
            $nameLine = $number
            continue
        }
        if (-not $inFence -and $line -match '^## (\S.*)$') {
            $title = $Matches[1].Trim()
            if ($helpSections -notcontains $title) {
                throw (New-HelpFormatError $file $number "unknown section '## $title'. Sections: $($helpSections -join ', ').")
            }
            if ($sections.Contains($title)) { throw (New-HelpFormatError $file $number "section '## $title' appears twice.") }
            if ($null -eq $name) { throw (New-HelpFormatError $file $number "'## $title' comes before the '# <cmdlet name>' heading.") }
            $sections[$title] = $number
            $sectionLines[$title] = New-Object System.Collections.ArrayList
            $currentSection = $title
            continue
        }
        if ($null -eq $currentSection) {
            if ($line.Trim().Length -gt 0 -and $null -eq $name) { throw (New-HelpFormatError $file $number "text before the '# <cmdlet name>' heading.") }
            if ($line.Trim().Length -gt 0 -and $null -ne $name) { throw (New-HelpFormatError $file $number 'text between the title and ## SYNOPSIS.') }
            continue
        }
        [void] $sectionLines[$currentSection].Add([pscustomobject]@{ Text = $line; Number = $number })
    }
    if ($inFence) { throw (New-HelpFormatError $file 0 'a code fence (```) is never closed.') }
    if ($null -eq $name) { throw (New-HelpFormatError $file 0 "there is no '# <cmdlet name>' heading.") }
    $expectedName = [System.IO.Path]::GetFileNameWithoutExtension($file)
    if ($name -cne $expectedName) { throw (New-HelpFormatError $file $nameLine "the heading '# $name' does not match the file name '$expectedName'.") }
    $order = @($sections.Keys)
    for ($k = 0; $k -lt $helpSections.Count; $k++) {
        if ($k -ge $order.Count -or $order[$k] -ne $helpSections[$k]) {
            throw (New-HelpFormatError $file 0 "sections must be, in this order: $($helpSections -join ', '). Missing or out of order: '## $($helpSections[$k])'.")
        }
    }

    # Splits a section's lines at '### ' headings (outside code fences).
    $splitH3 = {
        param([string] $Section)
        $parts = New-Object System.Collections.ArrayList
        $head = [pscustomobject]@{ Title = $null; Line = $sections[$Section]; Lines = (New-Object System.Collections.ArrayList) }
        [void] $parts.Add($head)
        $fenced = $false
        foreach ($entry in $sectionLines[$Section]) {
            if ($entry.Text -match '^\s*```') { $fenced = -not $fenced }
            if (-not $fenced -and $entry.Text -match '^### (.+)$') {
                $head = [pscustomobject]@{ Title = $Matches[1].Trim(); Line = $entry.Number; Lines = (New-Object System.Collections.ArrayList) }
                [void] $parts.Add($head)
                continue
            }
            if (-not $fenced -and $entry.Text -match '^#{4,} ') { throw (New-HelpFormatError $file $entry.Number 'headings deeper than ### are not used in help markdown.') }
            [void] $head.Lines.Add($entry)
        }
        return , $parts.ToArray()
    }
    $textOf = {
        param([string] $Section, [switch] $AllowEmpty)
        $parts = & $splitH3 $Section
        if ($parts.Count -gt 1) { throw (New-HelpFormatError $file $parts[1].Line "'## $Section' takes text only, no ### headings.") }
        $blocks = @(Split-HelpBlocks -Lines @($parts[0].Lines) -File $file)
        if ($blocks.Count -eq 0 -and -not $AllowEmpty) { throw (New-HelpFormatError $file $sections[$Section] "'## $Section' is empty.") }
        foreach ($b in $blocks) {
            if (($b.Lines -join ' ') -match '\{\{.*\}\}') { throw (New-HelpFormatError $file $b.Line "'## $Section' still holds a platyPS placeholder ({{ ... }}).") }
        }
        return , (ConvertTo-HelpParagraphs $blocks)
    }

    $synopsis = & $textOf 'SYNOPSIS'
    $description = & $textOf 'DESCRIPTION'
    $notes = & $textOf 'NOTES' -AllowEmpty

    # SYNTAX: one fenced block per parameter set, under '### SetName' or '### SetName (Default)'; a single set may omit the heading.
    $syntax = New-Object System.Collections.ArrayList
    foreach ($part in (& $splitH3 'SYNTAX')) {
        $blocks = @(Split-HelpBlocks -Lines @($part.Lines) -File $file)
        if ($null -eq $part.Title -and $blocks.Count -eq 0) { continue }
        $setName = '__AllParameterSets'
        $isDefault = $false
        if ($null -ne $part.Title) {
            if ($part.Title -notmatch '^([A-Za-z0-9_]+)( \(Default\))?$') { throw (New-HelpFormatError $file $part.Line "'### $($part.Title)' is not a parameter set name ('### Name' or '### Name (Default)').") }
            $setName = $Matches[1]
            $isDefault = [bool] $Matches[2]
        }
        $code = @($blocks | Where-Object { $_.Kind -eq 'Code' })
        $text = @($blocks | Where-Object { $_.Kind -eq 'Text' })
        if ($code.Count -ne 1 -or $text.Count -gt 0) { throw (New-HelpFormatError $file $part.Line "each parameter set in '## SYNTAX' needs exactly one fenced block and nothing else.") }
        $syntaxLines = @($code[0].Lines | Where-Object { ([string] $_).Trim().Length -gt 0 })
        if ($syntaxLines.Count -ne 1) { throw (New-HelpFormatError $file $code[0].Line 'a syntax block holds exactly one line, as Get-Command -Syntax prints it.') }
        $syntaxLine = ([string] $syntaxLines[0]).Trim()
        if (-not $syntaxLine.StartsWith($name + ' ') -and $syntaxLine -ne $name) { throw (New-HelpFormatError $file $code[0].Line "the syntax line does not start with '$name'.") }
        [void] $syntax.Add([pscustomobject]@{ SetName = $setName; IsDefault = $isDefault; Text = $syntaxLine; Line = $code[0].Line })
    }
    if ($syntax.Count -eq 0) { throw (New-HelpFormatError $file $sections['SYNTAX'] "'## SYNTAX' has no syntax block.") }
    if ($syntax.Count -gt 1 -and @($syntax | Where-Object { $_.SetName -eq '__AllParameterSets' }).Count -gt 0) {
        throw (New-HelpFormatError $file $sections['SYNTAX'] "with several parameter sets every syntax block needs a '### SetName' heading.")
    }

    # EXAMPLES: '### Example N: Title', a ```powershell block, then remarks.
    $examples = New-Object System.Collections.ArrayList
    $exampleParts = & $splitH3 'EXAMPLES'
    if (@(Split-HelpBlocks -Lines @($exampleParts[0].Lines) -File $file).Count -gt 0) { throw (New-HelpFormatError $file $sections['EXAMPLES'] "text in '## EXAMPLES' before the first '### Example'.") }
    foreach ($part in @($exampleParts | Select-Object -Skip 1)) {
        if ($part.Title -notmatch '^Example (\d+)(: (.+))?$') { throw (New-HelpFormatError $file $part.Line "'### $($part.Title)' must read '### Example N: Title'.") }
        $number = [int] $Matches[1]
        if ($number -ne $examples.Count + 1) { throw (New-HelpFormatError $file $part.Line "examples must be numbered 1, 2, 3 ...; this is Example $number.") }
        $title = "Example $number"
        if ($Matches[3]) { $title = "Example ${number}: $($Matches[3].Trim())" }
        $blocks = @(Split-HelpBlocks -Lines @($part.Lines) -File $file)
        if ($blocks.Count -eq 0 -or $blocks[0].Kind -ne 'Code' -or $blocks[0].Language -ne 'powershell') {
            throw (New-HelpFormatError $file $part.Line "'### $($part.Title)' must start with a ``````powershell code block.")
        }
        $codeLines = @($blocks[0].Lines)
        if (@($codeLines | Where-Object { ([string] $_).Trim().Length -gt 0 }).Count -eq 0) { throw (New-HelpFormatError $file $blocks[0].Line "the code block of '### $($part.Title)' is empty.") }
        $remarks = ConvertTo-HelpParagraphs @($blocks | Select-Object -Skip 1)
        [void] $examples.Add([pscustomobject]@{ Title = $title; Code = ($codeLines -join [Environment]::NewLine); Remarks = $remarks; Line = $part.Line })
    }

    # PARAMETERS: '### -Name', description, one or more ```yaml blocks; then '### CommonParameters'.
    $parameters = New-Object System.Collections.ArrayList
    $hasCommon = $false
    $paramParts = & $splitH3 'PARAMETERS'
    if (@(Split-HelpBlocks -Lines @($paramParts[0].Lines) -File $file).Count -gt 0) { throw (New-HelpFormatError $file $sections['PARAMETERS'] "text in '## PARAMETERS' before the first '### -Name'.") }
    foreach ($part in @($paramParts | Select-Object -Skip 1)) {
        if ($part.Title -eq 'CommonParameters') { $hasCommon = $true; continue }
        if ($hasCommon) { throw (New-HelpFormatError $file $part.Line "'### CommonParameters' must come last in '## PARAMETERS'.") }
        if ($part.Title -notmatch '^-([A-Za-z][A-Za-z0-9]*)$') { throw (New-HelpFormatError $file $part.Line "'### $($part.Title)' must read '### -ParameterName'.") }
        $parameterName = $Matches[1]
        if (@($parameters | Where-Object { $_.Name -eq $parameterName }).Count -gt 0) { throw (New-HelpFormatError $file $part.Line "-$parameterName is documented twice.") }
        $blocks = @(Split-HelpBlocks -Lines @($part.Lines) -File $file)
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        if ($yaml.Count -eq 0) { throw (New-HelpFormatError $file $part.Line "-$parameterName has no ``````yaml block.") }
        $descriptionBlocks = @($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -eq 'yaml') })
        $firstYaml = [array]::IndexOf($blocks, $yaml[0])
        for ($b = $firstYaml; $b -lt $blocks.Count; $b++) {
            if (-not ($blocks[$b].Kind -eq 'Code' -and $blocks[$b].Language -eq 'yaml')) { throw (New-HelpFormatError $file $blocks[$b].Line "-${parameterName}: text after the yaml block; the description goes before it.") }
        }
        if ($descriptionBlocks.Count -eq 0) { throw (New-HelpFormatError $file $part.Line "-$parameterName has no description.") }
        foreach ($d in $descriptionBlocks) {
            if (($d.Lines -join ' ') -match '\{\{.*\}\}') { throw (New-HelpFormatError $file $d.Line "-$parameterName still holds a platyPS placeholder ({{ ... }}).") }
        }
        $metadata = @($yaml | ForEach-Object { Read-HelpYamlBlock -Block $_ -File $file -Parameter $parameterName })
        $types = @($metadata | ForEach-Object { $_.Type } | Select-Object -Unique)
        if ($types.Count -ne 1) { throw (New-HelpFormatError $file $part.Line "-$parameterName has different types in its yaml blocks.") }
        [void] $parameters.Add([pscustomobject]@{
                Name        = $parameterName
                Description = (ConvertTo-HelpParagraphs $descriptionBlocks)
                Metadata    = $metadata
                Line        = $part.Line
            })
    }
    if (-not $hasCommon) { throw (New-HelpFormatError $file $sections['PARAMETERS'] "'## PARAMETERS' needs a '### CommonParameters' entry.") }

    # Every parameter named in a syntax line is documented, and every documented parameter is in some syntax line.
    $syntaxParameters = @{}
    foreach ($s in $syntax) {
        foreach ($m in [regex]::Matches($s.Text, '(?<![\w-])-([A-Za-z][A-Za-z0-9]*)')) { $syntaxParameters[$m.Groups[1].Value] = $true }
    }
    foreach ($p in $parameters) {
        if (-not $syntaxParameters.ContainsKey($p.Name)) { throw (New-HelpFormatError $file $p.Line "-$($p.Name) is documented but appears in no syntax block.") }
        foreach ($md in $p.Metadata) {
            foreach ($set in $md.ParameterSets) {
                if ($set -ne '(All)' -and @($syntax | Where-Object { $_.SetName -eq $set }).Count -eq 0) {
                    throw (New-HelpFormatError $file $p.Line "-$($p.Name) names the parameter set '$set', which has no syntax block.")
                }
            }
        }
    }
    foreach ($key in $syntaxParameters.Keys) {
        if (@($parameters | Where-Object { $_.Name -eq $key }).Count -eq 0) { throw (New-HelpFormatError $file $sections['PARAMETERS'] "-$key appears in the syntax but has no '### -$key' entry.") }
    }

    # INPUTS and OUTPUTS: '### TypeName' and an optional description.
    $readTypes = {
        param([string] $Section)
        $list = New-Object System.Collections.ArrayList
        $parts = & $splitH3 $Section
        if (@(Split-HelpBlocks -Lines @($parts[0].Lines) -File $file).Count -gt 0) { throw (New-HelpFormatError $file $sections[$Section] "text in '## $Section' before the first '### TypeName'.") }
        foreach ($part in @($parts | Select-Object -Skip 1)) {
            $blocks = @(Split-HelpBlocks -Lines @($part.Lines) -File $file)
            [void] $list.Add([pscustomobject]@{ Type = $part.Title; Description = (ConvertTo-HelpParagraphs $blocks) })
        }
        if ($list.Count -eq 0) { throw (New-HelpFormatError $file $sections[$Section] "'## $Section' needs at least one '### TypeName' (### None when there is none).") }
        return , $list.ToArray()
    }
    $inputs = & $readTypes 'INPUTS'
    $outputs = & $readTypes 'OUTPUTS'

    # RELATED LINKS: list items, '[text](uri)' or plain text.
    $links = New-Object System.Collections.ArrayList
    foreach ($entry in $sectionLines['RELATED LINKS']) {
        $text = $entry.Text.Trim()
        if ($text.Length -eq 0) { continue }
        if ($text -match '^###') { throw (New-HelpFormatError $file $entry.Number "'## RELATED LINKS' takes a list of links, no headings.") }
        $text = $text -replace '^[-*]\s+', ''
        if ($text -match '^\[([^\]]+)\]\(([^)]*)\)$') {
            # A link to another markdown file becomes the cmdlet's name; only absolute URLs are kept as URIs.
            $uri = $Matches[2]
            if ($uri -notmatch '^https?://') { $uri = '' }
            [void] $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $uri })
        }
        elseif ($text -match '\]\(') {
            throw (New-HelpFormatError $file $entry.Number "'$text' is not a link of the form [text](uri).")
        }
        else {
            [void] $links.Add([pscustomobject]@{ Text = $text; Uri = '' })
        }
    }

    $verb, $noun = $name -split '-', 2
    return [pscustomobject]@{
        Name             = $name
        Verb             = $verb
        Noun             = $noun
        File             = $file
        ExternalHelpFile = $front['external help file']
        ModuleName       = $front['Module Name']
        OnlineVersion    = $front['online version']
        Synopsis         = $synopsis
        Syntax           = $syntax.ToArray()
        Description      = $description
        Examples         = $examples.ToArray()
        Parameters       = $parameters.ToArray()
        Inputs           = $inputs
        Outputs          = $outputs
        Notes            = $notes
        Links            = $links.ToArray()
    }
}

function Write-MamlParagraphs {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $MamlNs = @(Get-MamlNamespace)[0]
    $any = $false
    foreach ($p in $Paragraphs) {
        $Writer.WriteElementString('maml', 'para', $MamlNs, $p)
        $any = $true
    }
    if (-not $any) { $Writer.WriteElementString('maml', 'para', $MamlNs, '') }
}

function Write-MamlParameter {
    # One command:parameter element; $Meta is the yaml block that applies (for a syntax item, the one naming its set).
    param([System.Xml.XmlWriter] $Writer, $Parameter, $Meta)
    $MamlNs, $CommandNs, $DevNs = Get-MamlNamespace
    $w = $Writer
    $position = 'named'
    if ($Meta.Position -ne 'Named') { $position = $Meta.Position }
    $aliases = 'none'
    if ($Meta.Aliases.Count -gt 0) { $aliases = $Meta.Aliases -join ', ' }
    $w.WriteStartElement('command', 'parameter', $CommandNs)
    $w.WriteAttributeString('required', ([string] $Meta.Required).ToLowerInvariant())
    $w.WriteAttributeString('variableLength', 'true')
    $w.WriteAttributeString('globbing', ([string] $Meta.Wildcard).ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $Meta.PipelineInput)
    $w.WriteAttributeString('position', $position)
    $w.WriteAttributeString('aliases', $aliases)
    $w.WriteElementString('maml', 'name', $MamlNs, $Parameter.Name)
    $w.WriteStartElement('maml', 'description', $MamlNs)
    Write-MamlParagraphs $w $Parameter.Description
    $w.WriteEndElement()
    if ($Meta.Type -ne 'SwitchParameter') {
        $w.WriteStartElement('command', 'parameterValue', $CommandNs)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', ([string] $Meta.Type.EndsWith('[]')).ToLowerInvariant())
        $w.WriteString($Meta.Type)
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $DevNs)
    $w.WriteElementString('maml', 'name', $MamlNs, $Meta.Type)
    $w.WriteElementString('maml', 'uri', $MamlNs, '')
    $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $DevNs, $Meta.DefaultValue)
    $w.WriteEndElement()
}

function Get-HelpParameterMeta {
    # The yaml block of $Parameter that covers $SetName, or $null when the parameter is not in that set.
    param($Parameter, [string] $SetName)
    foreach ($meta in $Parameter.Metadata) {
        if ($meta.ParameterSets -contains '(All)' -or $meta.ParameterSets -contains $SetName) { return $meta }
    }
    return $null
}

function ConvertTo-HelpMaml {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [object[]] $Help)

    $MamlNs, $CommandNs, $DevNs = Get-MamlNamespace
    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = New-Object System.Text.UTF8Encoding($false)
    $settings.NewLineChars = "`n"
    $buffer = New-Object System.IO.StringWriter
    $w = [System.Xml.XmlWriter]::Create($buffer, $settings)
    try {
        $w.WriteStartDocument()
        $w.WriteStartElement('helpItems', 'http://msh')
        $w.WriteAttributeString('schema', 'maml')
        foreach ($h in $Help) {
            $w.WriteStartElement('command', 'command', $CommandNs)
            $w.WriteAttributeString('xmlns', 'maml', $null, $MamlNs)
            $w.WriteAttributeString('xmlns', 'command', $null, $CommandNs)
            $w.WriteAttributeString('xmlns', 'dev', $null, $DevNs)
            $w.WriteAttributeString('xmlns', 'MSHelp', $null, 'http://msdn.microsoft.com/mshelp')

            $w.WriteStartElement('command', 'details', $CommandNs)
            $w.WriteElementString('command', 'name', $CommandNs, $h.Name)
            $w.WriteElementString('command', 'verb', $CommandNs, $h.Verb)
            $w.WriteElementString('command', 'noun', $CommandNs, $h.Noun)
            $w.WriteStartElement('maml', 'description', $MamlNs)
            Write-MamlParagraphs $w $h.Synopsis
            $w.WriteEndElement()
            $w.WriteEndElement() # details

            $w.WriteStartElement('maml', 'description', $MamlNs)
            Write-MamlParagraphs $w $h.Description
            $w.WriteEndElement()

            # One syntax item per parameter set, its parameters in the order of the syntax line.
            $w.WriteStartElement('command', 'syntax', $CommandNs)
            foreach ($s in $h.Syntax) {
                $w.WriteStartElement('command', 'syntaxItem', $CommandNs)
                $w.WriteElementString('maml', 'name', $MamlNs, $h.Name)
                $seen = @{}
                foreach ($m in [regex]::Matches($s.Text, '(?<![\w-])-([A-Za-z][A-Za-z0-9]*)')) {
                    $pname = $m.Groups[1].Value
                    if ($seen.ContainsKey($pname)) { continue }
                    $seen[$pname] = $true
                    $parameter = @($h.Parameters | Where-Object { $_.Name -eq $pname })[0]
                    $meta = Get-HelpParameterMeta $parameter $s.SetName
                    if ($null -eq $meta) {
                        throw (New-HelpFormatError $h.File $s.Line "-$pname is in the syntax of '$($s.SetName)', but its yaml does not list that parameter set.")
                    }
                    Write-MamlParameter $w $parameter $meta
                }
                $w.WriteEndElement()
            }
            $w.WriteEndElement() # syntax

            # Each parameter once; 'required' when it is mandatory in any set, the details per set are in the syntax.
            $w.WriteStartElement('command', 'parameters', $CommandNs)
            foreach ($p in $h.Parameters) {
                $meta = $p.Metadata[0]
                $required = @($p.Metadata | Where-Object { $_.Required }).Count -gt 0
                $merged = [pscustomobject]@{
                    Type = $meta.Type; ParameterSets = $meta.ParameterSets; Aliases = $meta.Aliases; Required = $required
                    Position = $meta.Position; DefaultValue = $meta.DefaultValue; PipelineInput = $meta.PipelineInput; Wildcard = $meta.Wildcard
                }
                Write-MamlParameter $w $p $merged
            }
            $w.WriteEndElement()

            $typeList = {
                param([string] $Outer, [string] $Inner, [object[]] $Items)
                $w.WriteStartElement('command', $Outer, $CommandNs)
                foreach ($item in $Items) {
                    $w.WriteStartElement('command', $Inner, $CommandNs)
                    $w.WriteStartElement('dev', 'type', $DevNs)
                    $w.WriteElementString('maml', 'name', $MamlNs, $item.Type)
                    $w.WriteEndElement()
                    $w.WriteStartElement('maml', 'description', $MamlNs)
                    Write-MamlParagraphs $w $item.Description
                    $w.WriteEndElement()
                    $w.WriteEndElement()
                }
                $w.WriteEndElement()
            }
            & $typeList 'inputTypes' 'inputType' $h.Inputs
            & $typeList 'returnValues' 'returnValue' $h.Outputs

            $w.WriteStartElement('maml', 'alertSet', $MamlNs)
            $w.WriteStartElement('maml', 'alert', $MamlNs)
            Write-MamlParagraphs $w $h.Notes
            $w.WriteEndElement()
            $w.WriteEndElement()

            $w.WriteStartElement('command', 'examples', $CommandNs)
            foreach ($e in $h.Examples) {
                $w.WriteStartElement('command', 'example', $CommandNs)
                $w.WriteElementString('maml', 'title', $MamlNs, "---------- $($e.Title) ----------")
                $w.WriteElementString('dev', 'code', $DevNs, $e.Code)
                $w.WriteStartElement('dev', 'remarks', $DevNs)
                Write-MamlParagraphs $w $e.Remarks
                # An empty paragraph: Get-Help then leaves a blank line before the next example's title.
                $w.WriteElementString('maml', 'para', $MamlNs, '')
                $w.WriteEndElement()
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            # The online version first: Get-Help -Online opens the first link with a URI.
            $w.WriteStartElement('command', 'relatedLinks', $CommandNs)
            $allLinks = @()
            if ($h.OnlineVersion) { $allLinks += [pscustomobject]@{ Text = 'Online Version:'; Uri = $h.OnlineVersion } }
            $allLinks += @($h.Links)
            foreach ($l in $allLinks) {
                $w.WriteStartElement('maml', 'navigationLink', $MamlNs)
                $w.WriteElementString('maml', 'linkText', $MamlNs, $l.Text)
                $w.WriteElementString('maml', 'uri', $MamlNs, $l.Uri)
                $w.WriteEndElement()
            }
            $w.WriteEndElement()

            $w.WriteEndElement() # command
        }
        $w.WriteEndElement() # helpItems
        $w.WriteEndDocument()
    }
    finally {
        $w.Close()
    }
    # StringWriter reports UTF-16 in the declaration; the file is written as UTF-8.
    return $buffer.ToString() -replace '^<\?xml version="1.0" encoding="utf-16"\?>', '<?xml version="1.0" encoding="utf-8"?>'
}

function Export-HelpMaml {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)] [string] $MarkdownFolder,
        [Parameter(Mandatory = $true)] [string] $OutputPath,
        [string[]] $ExpectedCommand
    )
    $files = @(Get-ChildItem -LiteralPath $MarkdownFolder -Filter '*.md' -File | Sort-Object Name)
    if ($files.Count -eq 0) { throw "No help markdown in '$MarkdownFolder'." }
    $help = @($files | ForEach-Object { ConvertFrom-HelpMarkdown -Path $_.FullName })

    $externalFile = Split-Path -Leaf $OutputPath
    foreach ($h in $help) {
        if ($h.ExternalHelpFile -ne $externalFile) {
            throw (New-HelpFormatError $h.File 1 "'external help file' is '$($h.ExternalHelpFile)', but the help is built into '$externalFile'.")
        }
    }
    if ($PSBoundParameters.ContainsKey('ExpectedCommand')) {
        $documented = @($help | ForEach-Object { $_.Name })
        $missing = @($ExpectedCommand | Where-Object { $documented -notcontains $_ })
        $extra = @($documented | Where-Object { $ExpectedCommand -notcontains $_ })
        if ($missing.Count -gt 0) { throw "Help markdown is missing for: $($missing -join ', '). Add docs/cmdlets/<Cmdlet-Name>.md for each exported cmdlet." }
        if ($extra.Count -gt 0) { throw "Help markdown documents cmdlets the module does not export: $($extra -join ', ')." }
    }

    $xml = ConvertTo-HelpMaml -Help $help
    # Must parse back: a broken document would make Get-Help silently fall back to the placeholder help.
    $check = New-Object System.Xml.XmlDocument
    $check.LoadXml($xml)
    $directory = Split-Path -Parent $OutputPath
    if (-not (Test-Path -LiteralPath $directory)) { New-Item -ItemType Directory -Path $directory -Force | Out-Null }
    [System.IO.File]::WriteAllText($OutputPath, $xml, (New-Object System.Text.UTF8Encoding($false)))
    return $help
}

function Test-AboutHelpFile {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)] [string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) { throw "The about topic '$Path' does not exist." }
    $lines = @([System.IO.File]::ReadAllLines((Resolve-Path -LiteralPath $Path).ProviderPath))
    $leaf = Split-Path -Leaf $Path
    $topic = $leaf -replace '\.help\.txt$', ''
    if ($lines.Count -lt 2 -or $lines[0].Trim() -ne 'TOPIC') { throw "Malformed about topic: ${leaf}: the first line must be 'TOPIC'." }
    if ($lines[1].Trim() -ne $topic) { throw "Malformed about topic: ${leaf}: the line after TOPIC must be '    $topic'." }
    foreach ($heading in 'SHORT DESCRIPTION', 'LONG DESCRIPTION') {
        if (@($lines | Where-Object { $_ -ceq $heading }).Count -ne 1) { throw "Malformed about topic: ${leaf}: needs one '$heading' heading at the start of a line." }
    }
    $n = 0
    foreach ($line in $lines) {
        $n++
        if ($line.Length -gt 120) { throw "Malformed about topic: ${leaf}:${n}: lines are at most 120 characters (Get-Help prints them as they are)." }
    }
}
