using System.Management.Automation;

namespace MinimalBinaryModule
{
    /// <summary>The one cmdlet of the import-cost control module.</summary>
    [Cmdlet(VerbsCommon.Get, "Minimal")]
    [OutputType(typeof(string))]
    public sealed class GetMinimalCommand : PSCmdlet
    {
        protected override void EndProcessing() => WriteObject("minimal");
    }
}
