using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalendarFederation.Commands;
using CalendarFederation.Sandbox;
using CalendarFederation.Sandbox.Faults;
using CalendarFederation.Sandbox.Model;
using Xunit;

// The sandbox's fault knobs are process-wide state: run the classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CalendarFederation.Tests;

/// <summary>The sandbox, started in-process once for every test class in the collection.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxServer? _server;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("The sandbox is not started.");

    public SandboxState State => Server.State;

    public Uri AutodiscoverUri => Server.AutodiscoverUri;

    public async Task InitializeAsync()
    {
        SandboxConfig config = SandboxConfig.Load(Path.Combine(AppContext.BaseDirectory, "sandbox.json"));
        _server = await SandboxServer.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        if (_server != null) await _server.DisposeAsync();
    }

    /// <summary>What the control endpoint /_sandbox/reset does: no faults, no latency, no held requests, empty logs.</summary>
    public void Reset()
    {
        State.ClearFaults();
        State.Gates.Reset();
        State.ClearRequests();
        State.ClearViolations();
        State.ResetMaxInFlight();
        State.LatencyMs = State.Config.LatencyMs;
    }

    public string AddFault(FaultRule rule) => State.AddFault(rule);

    /// <summary>The http endpoint on the sandbox's Nth listening port.</summary>
    public Uri EndpointOnPort(int index) => new($"http://127.0.0.1:{State.Ports[index]}/autodiscover/autodiscover.svc");

    /// <summary>
    /// Blocks until the condition on the sandbox holds, re-checked whenever a request starts, ends, is logged or waits
    /// at a gate (no polling); false if it still does not hold after <paramref name="timeout"/>, a hang guard.
    /// </summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout) => State.WaitUntilAsync(condition, timeout).GetAwaiter().GetResult();
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox";
}

/// <summary>
/// A runspace that knows Get-FederationInformation from the cmdlet type itself (no module import), the way a host
/// application would add it.
/// </summary>
public sealed class CmdletHost : IDisposable
{
    public const string CmdletName = "Get-FederationInformation";
    public const string ErrorIdSuffix = ",CalendarFederation.Commands.GetFederationInformationCommand";

    private static readonly Lazy<InitialSessionState> SessionState = new(() =>
    {
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry(CmdletName, typeof(GetFederationInformationCommand), null));
        return iss;
    });

    public CmdletHost()
    {
        Runspace = RunspaceFactory.CreateRunspace(SessionState.Value);
        Runspace.Open();
    }

    public Runspace Runspace { get; }

    /// <summary>A PowerShell on this runspace with Get-FederationInformation and the given parameters added.</summary>
    public PowerShell Command(IDictionary<string, object?> parameters)
    {
        PowerShell ps = PowerShell.Create();
        ps.Runspace = Runspace;
        ps.AddCommand(CmdletName);
        foreach (KeyValuePair<string, object?> p in parameters)
        {
            if (p.Value is bool b && b) ps.AddParameter(p.Key);
            else ps.AddParameter(p.Key, p.Value);
        }
        return ps;
    }

    /// <summary>Runs Get-FederationInformation and returns its output and non-terminating errors.</summary>
    public (List<FederationInformation> Output, List<ErrorRecord> Errors) Invoke(IDictionary<string, object?> parameters, IEnumerable<object>? input = null)
    {
        using PowerShell ps = Command(parameters);
        Collection<PSObject> output = input == null ? ps.Invoke() : ps.Invoke(input);
        return (output.Select(o => (FederationInformation)o.BaseObject).ToList(), ps.Streams.Error.ToList());
    }

    public void Dispose() => Runspace.Dispose();
}

/// <summary>Error ids of records, as scripts see them.</summary>
public static class ErrorRecordIds
{
    /// <summary>The record's id: its FullyQualifiedErrorId less the ",&lt;cmdlet type&gt;" PowerShell appends (never a split on commas).</summary>
    public static string Of(ErrorRecord record)
    {
        string id = record.FullyQualifiedErrorId;
        string? type = (record.InvocationInfo?.MyCommand as CmdletInfo)?.ImplementingType?.FullName;
        return type != null && id.EndsWith("," + type, StringComparison.Ordinal) ? id.Substring(0, id.Length - type.Length - 1) : id;
    }
}
