using System.Management.Automation;
using System.Reflection;
using CalendarFederation.Commands;
using Xunit;

namespace CalendarFederation.Tests;

/// <summary>The cmdlet's contract: name, output type, and a snapshot of its parameters.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CmdletMetadataTests
{
    private static readonly Type Cmdlet = typeof(GetFederationInformationCommand);

    [Fact]
    public void IsNamedGetFederationInformation()
    {
        CmdletAttribute attribute = Assert.Single(Cmdlet.GetCustomAttributes<CmdletAttribute>());
        Assert.Equal("Get", attribute.VerbName);
        Assert.Equal("FederationInformation", attribute.NounName);
        Assert.True(Cmdlet.IsSealed);
        Assert.True(typeof(PSCmdlet).IsAssignableFrom(Cmdlet));
    }

    [Fact]
    public void DeclaresFederationInformationAsItsOutputType()
    {
        OutputTypeAttribute attribute = Assert.Single(Cmdlet.GetCustomAttributes<OutputTypeAttribute>());
        PSTypeName type = Assert.Single(attribute.Type);
        Assert.Equal(typeof(FederationInformation), type.Type);

        using var host = new CmdletHost();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = host.Runspace;
        var info = (CmdletInfo)ps.AddCommand("Get-Command").AddArgument(CmdletHost.CmdletName).Invoke()[0].BaseObject;
        Assert.Equal(typeof(FederationInformation), Assert.Single(info.OutputType).Type);
    }

    // A change here is a change to the public surface: review it, then update the snapshot.
    [Fact]
    public void ParametersMatchTheSnapshot()
    {
        string[] expected =
        {
            "AutodiscoverUri: Uri, set __AllParameterSets, optional, named, NotNull",
            "BypassAdditionalDomainValidation: SwitchParameter, set __AllParameterSets, optional, named",
            "DomainName: String[], set __AllParameterSets, mandatory, position 0, pipeline by value, pipeline by property name, NotNullOrEmpty",
            "ExchangeEnvironmentName: String, set __AllParameterSets, optional, named, NotNullOrEmpty, completer ExchangeEnvironmentCompleter",
            "Force: SwitchParameter, set __AllParameterSets, optional, named",
            "Proxy: Uri, set __AllParameterSets, optional, named, NotNull",
            "ProxyCredential: PSCredential, set __AllParameterSets, optional, named, CredentialAttribute",
            "ThrottleLimit: Int32, set __AllParameterSets, optional, named, Range 1..512",
            "TimeoutSec: Int32, set __AllParameterSets, optional, named, Range 1..900",
            "TrustedHostnames: String[], set __AllParameterSets, optional, named, NotNull",
        };

        var metadata = new CommandMetadata(Cmdlet);
        string[] actual = metadata.Parameters.Values
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .SelectMany(Describe)
            .ToArray();
        Assert.True(expected.SequenceEqual(actual), "Parameters changed. Actual:" + Environment.NewLine + string.Join(Environment.NewLine, actual));
        Assert.False(metadata.SupportsShouldProcess);
    }

    [Fact]
    public void HasOneParameterSetAndHelpOnEveryParameter()
    {
        using var host = new CmdletHost();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = host.Runspace;
        var info = (CmdletInfo)ps.AddCommand("Get-Command").AddArgument(CmdletHost.CmdletName).Invoke()[0].BaseObject;

        CommandParameterSetInfo set = Assert.Single(info.ParameterSets);
        Assert.Equal("__AllParameterSets", set.Name);

        foreach (PropertyInfo property in Cmdlet.GetProperties().Where(p => p.GetCustomAttribute<ParameterAttribute>() != null))
        {
            ParameterAttribute parameter = property.GetCustomAttribute<ParameterAttribute>()!;
            Assert.False(string.IsNullOrWhiteSpace(parameter.HelpMessage), $"-{property.Name} has no HelpMessage.");
        }
    }

    [Fact]
    public void DomainNameIsMandatory()
    {
        using var host = new CmdletHost();
        using PowerShell ps = host.Command(new Dictionary<string, object?> { ["AutodiscoverUri"] = new Uri("http://127.0.0.1:9/autodiscover/autodiscover.svc") });
        ParameterBindingException ex = Assert.ThrowsAny<ParameterBindingException>(() => ps.Invoke());
        Assert.Equal("MissingMandatoryParameter" + CmdletHost.ErrorIdSuffix, ex.ErrorRecord.FullyQualifiedErrorId);
        Assert.Contains("DomainName", ex.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Describe(ParameterMetadata p)
    {
        foreach ((string set, ParameterSetMetadata meta) in p.ParameterSets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var parts = new List<string>
            {
                $"{p.Name}: {p.ParameterType.Name}",
                "set " + set,
                meta.IsMandatory ? "mandatory" : "optional",
                meta.Position == int.MinValue ? "named" : "position " + meta.Position,
            };
            if (meta.ValueFromPipeline) parts.Add("pipeline by value");
            if (meta.ValueFromPipelineByPropertyName) parts.Add("pipeline by property name");
            if (meta.ValueFromRemainingArguments) parts.Add("remaining arguments");
            parts.AddRange(p.Aliases.Select(a => "alias " + a));
            // Compiler-emitted attributes (NullableAttribute) are not part of the contract.
            foreach (Attribute a in p.Attributes.Where(a => a.GetType().Namespace != "System.Runtime.CompilerServices"))
            {
                switch (a)
                {
                    case ValidateNotNullOrEmptyAttribute: parts.Add("NotNullOrEmpty"); break;
                    case ValidateNotNullAttribute: parts.Add("NotNull"); break;
                    case ValidateRangeAttribute r: parts.Add($"Range {r.MinRange}..{r.MaxRange}"); break;
                    case ArgumentCompleterAttribute c: parts.Add("completer " + c.Type?.Name); break;
                    case ParameterAttribute: break;
                    default: parts.Add(a.GetType().Name); break;
                }
            }
            yield return string.Join(", ", parts);
        }
    }
}
