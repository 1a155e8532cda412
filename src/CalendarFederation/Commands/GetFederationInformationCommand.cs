using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Completion;
using CalendarFederation.Engine;
using CalendarFederation.Engine.Concurrency;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Engine.Http;
using CalendarFederation.Engine.Tenants;
using CalendarFederation.Infrastructure;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Discovers a partner organization's federation information anonymously through Autodiscover, many domains at once,
    /// streaming each result as it arrives, with the partner's Entra tenant id looked up after each success. The engine
    /// does the work (alternates and the admin's answers included); this class binds, shows progress and writes results.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FederationInformation")]
    [OutputType(typeof(FederationInformation))]
    public sealed class GetFederationInformationCommand : PSCmdlet, IDisposable
    {
        private const int ProgressActivityId = 0x4346; // stable, so progress from nested calls does not collide

        private CancellationTokenSource? _cancellation;
        private FederationDiscoveryClient? _client;
        private PartnerTenantResolver? _tenants;
        private Uri? _signInHost;
        private EngineEventQueue.Pump? _pump;
        private BoundedRunner<Completed>? _runner;
        private Progress? _progress;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
            HelpMessage = "The partner's domain, for example fabrikam.com.")]
        [ValidateNotNullOrEmpty]
        public string[] DomainName { get; set; } = Array.Empty<string>();

        [Parameter(HelpMessage = "Host names you trust for unsecured redirects and certificate name mismatches. '*.example.com' also matches example.com.")]
        [ValidateNotNull]
        public string[] TrustedHostnames { get; set; } = Array.Empty<string>();

        [Parameter(HelpMessage = "Keep every returned domain without re-discovering each one.")]
        public SwitchParameter BypassAdditionalDomainValidation { get; set; }

        [Parameter(HelpMessage = "Suppress confirmation prompts. Untrusted hosts are still refused.")]
        public SwitchParameter Force { get; set; }

        [Parameter(HelpMessage = "Ask only this Autodiscover endpoint. Redirect, certificate and response rules still apply.")]
        [ValidateNotNull]
        public Uri? AutodiscoverUri { get; set; }

        [Parameter(HelpMessage = "The cloud whose Microsoft-hosted Autodiscover endpoint is asked first.")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ExchangeEnvironmentCompleter))]
        public string ExchangeEnvironmentName { get; set; } = "O365Default";

        [Parameter(HelpMessage = "Seconds each request may take, headers and body together. Exchange uses 30.")]
        [ValidateRange(1, 900)]
        public int TimeoutSec { get; set; } = 30;

        [Parameter(HelpMessage = "An explicit proxy for discovery; by default the system's.")]
        [ValidateNotNull]
        public Uri? Proxy { get; set; }

        [Parameter(HelpMessage = "Credentials for -Proxy.")]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter(HelpMessage = "How many domains are discovered at once.")]
        [ValidateRange(1, 512)]
        public int ThrottleLimit { get; set; } = 16;

        protected override void BeginProcessing()
        {
            var options = new DiscoveryOptions
            {
                TrustedHostnames = TrustedHostnames,
                AttemptTimeout = TimeSpan.FromSeconds(TimeoutSec),
                BypassAdditionalDomainValidation = BypassAdditionalDomainValidation.IsPresent,
                // -ThrottleLimit caps requests, not only domains: additional validation shares the same slots.
                MaxConcurrentRequests = ThrottleLimit,
            };
            if (Proxy != null)
            {
                var proxy = new System.Net.WebProxy(Proxy);
                if (ProxyCredential != null) proxy.Credentials = ProxyCredential.GetNetworkCredential();
                options.Proxy = proxy;
            }
            ExchangeEnvironment? environment = ResolveEndpoints(options);

            _cancellation = new CancellationTokenSource();
            _client = new FederationDiscoveryClient(options);
            if (environment != null)
            {
                _signInHost = PartnerTenantResolver.SignInHost(environment);
                _tenants = new PartnerTenantResolver(new HttpSettings { Proxy = options.Proxy, HandlerFactory = TestHooks.HandlerFactory },
                    new PartnerTenantLookupOptions { Timeout = options.AttemptTimeout });
            }
            // -Force: nobody is asked, and an untrusted host is refused (Exchange's rule), never accepted.
            var queue = new EngineEventQueue(this, ProgressActivityId) { FixedAnswer = Force ? false : (bool?)null };
            _pump = queue.OpenPump();
            _runner = new BoundedRunner<Completed>(ThrottleLimit, _cancellation.Token, _pump.WaitFor);
            // An array given as -DomainName has a known count; input from the pipeline does not.
            _progress = new Progress(this, MyInvocation.ExpectingInput ? (int?)null : DomainName.Length);

            WriteVerbose(DiscoveryMessages.VerboseRetrievingFederationInformation);
            if (TrustedHostnames.Length > 0)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.VerboseUsingTrustedHostnames, string.Join(", ", TrustedHostnames)));
            }
            WriteVerbose(_signInHost != null ? string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.VerboseTenantLookupAt, _signInHost) : DiscoveryMessages.VerboseTenantNotLookedUp);
        }

        // -AutodiscoverUri or the cloud's endpoint; the environment whose sign-in host the tenant lookup asks, if any.
        private ExchangeEnvironment? ResolveEndpoints(DiscoveryOptions options)
        {
            if (AutodiscoverUri != null)
            {
                if (!AutodiscoverUri.IsAbsoluteUri || !Loopback.IsAllowedScheme(AutodiscoverUri))
                {
                    ThrowTerminatingError(ErrorRecords.Create(
                        new ArgumentException(string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ErrorInvalidAutodiscoverUri, AutodiscoverUri)),
                        ErrorIds.InvalidAutodiscoverUri, ErrorCategory.InvalidArgument, AutodiscoverUri));
                }
                options.AutodiscoverUri = AutodiscoverUri;
                // The admin named the one endpoint to ask: the tenant lookup asks a cloud only when one is named as well.
                if (!MyInvocation.BoundParameters.ContainsKey(nameof(ExchangeEnvironmentName))) return null;
            }
            ExchangeEnvironment? environment = EnvironmentRegistry.Find(ExchangeEnvironmentName);
            if (environment == null)
            {
                ThrowTerminatingError(ErrorRecords.Create(
                    new ArgumentException(string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ErrorUnknownEnvironment, ExchangeEnvironmentName,
                        string.Join(", ", EnvironmentRegistry.All.Select(e => e.Name)))),
                    ErrorIds.UnknownExchangeEnvironment, ErrorCategory.InvalidArgument, ExchangeEnvironmentName));
            }
            if (AutodiscoverUri == null) options.CloudEndpoint = environment!.AutodiscoverEndpoint;
            return environment;
        }

        protected override void ProcessRecord()
        {
            foreach (string input in DomainName)
            {
                string domain;
                try
                {
                    domain = SmtpDomain.Normalize(input);
                }
                catch (EngineException ex)
                {
                    WriteError(ErrorRecords.InvalidInput(ex, input, DiscoveryMessages.ActionInvalidDomain));
                    _progress!.Done(_runner!.InFlight);
                    continue;
                }

                WriteVerbose(string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.VerboseRetrievingDataForDomain, domain));
                Run(() => _runner!.Add(token => DiscoverOneAsync(input, token)));
                _progress!.Started(_runner!.InFlight);
            }
        }

        protected override void EndProcessing()
        {
            Run(() => _runner!.Drain());
            _pump!.WritePending();
            _pump.CompleteProgress();
            _progress!.Complete();
        }

        protected override void StopProcessing()
        {
            _cancellation?.Cancel();
        }

        public void Dispose()
        {
            // The pipeline may end early (an error with -ErrorAction Stop, Select-Object -First): stop what is still in flight.
            _cancellation?.Cancel();
            _runner?.WaitForShutdown(TimeSpan.FromSeconds(2));
            _pump?.Dispose();
            _client?.Dispose();
            _tenants?.Dispose();
            _cancellation?.Dispose();
        }

        // Consumes results on the pipeline thread, writing the engine's events while it waits; turns Ctrl+C into a clean stop.
        private void Run(Func<IEnumerable<Completed>> step)
        {
            try
            {
                foreach (Completed completed in step())
                {
                    Emit(completed);
                    _progress!.Done(_runner!.InFlight);
                }
                _pump!.WritePending();
            }
            catch (OperationCanceledException) when (_cancellation!.IsCancellationRequested)
            {
                // In-flight requests were cancelled with the token; give them a moment to unwind so nothing outlives the pipeline.
                _runner!.WaitForShutdown(TimeSpan.FromSeconds(1));
                throw new PipelineStoppedException();
            }
        }

        // Runs on the thread pool: discovery (asking the admin through the pump when an alternate needs trust), then the tenant.
        private async Task<Completed> DiscoverOneAsync(string input, CancellationToken token)
        {
            IEngineEvents events = _pump!.Events;
            try
            {
                DiscoveryOutcome outcome = await _client!.DiscoverAsync(input, events, token).ConfigureAwait(false);
                if (!outcome.Succeeded) return new Completed(input, outcome, null, null, null);
                if (_tenants == null) return new Completed(input, outcome, null, null, null);
                try
                {
                    PartnerTenant tenant = await _tenants.ResolveAsync(_signInHost!, outcome.Domain, events, token).ConfigureAwait(false);
                    return new Completed(input, outcome, tenant, null, null);
                }
                catch (EngineException ex)
                {
                    // Autodiscover's answer stands; the tenant id stays empty and the verbose output says why.
                    return new Completed(input, outcome, null, ex.Message, null);
                }
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // A defect for one domain must not stop the others.
                return new Completed(input, null, null, null, ex);
            }
        }

        private void Emit(Completed completed)
        {
            // What the work reported before it finished comes before its result.
            _pump!.WritePending();
            if (completed.Unexpected != null)
            {
                string message = string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ErrorUnexpected, completed.Input, completed.Unexpected.Message);
                WriteError(ErrorRecords.Create(new InvalidOperationException(message, completed.Unexpected), ErrorIds.FederationInformationUnexpectedError,
                    ErrorCategory.NotSpecified, completed.Input));
                return;
            }

            DiscoveryOutcome outcome = completed.Outcome!;
            if (!outcome.Succeeded)
            {
                WriteError(ToError(outcome, completed.Input));
                return;
            }
            if (completed.TenantFailure != null)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.VerboseTenantNotResolved, outcome.Domain, completed.TenantFailure));
            }
            FederationInformation output;
            try
            {
                output = ToOutput(outcome, completed.Tenant);
            }
            catch (UriFormatException ex)
            {
                WriteError(ErrorRecords.Create(ex, ErrorIds.MalformedResponse, ErrorCategory.InvalidData, completed.Input));
                return;
            }
            WriteObject(output);
        }

        private static FederationInformation ToOutput(DiscoveryOutcome outcome, PartnerTenant? tenant)
        {
            FederationInfo info = outcome.Result!;
            return new FederationInformation(
                info.DomainName,
                new Uri(info.ApplicationUri, UriKind.RelativeOrAbsolute),
                info.DomainNames.ToArray(),
                new Uri(info.TargetAutodiscoverEpr),
                info.TokenIssuerUris.Select(u => new Uri(u, UriKind.RelativeOrAbsolute)).ToArray(), // already checked well-formed
                info.AnsweredBy,
                info.Candidate.ToString(),
                outcome.Elapsed,
                info.ServerVersion,
                tenant?.TenantId,
                tenant?.CloudInstanceName,
                tenant?.TenantRegionScope,
                tenant?.TenantRegionSubScope,
                tenant?.MsGraphHost);
        }

        // The engine decides the id and kind (DiscoveryErrors); the cmdlet adds the advice, which may name its parameters.
        private ErrorRecord ToError(DiscoveryOutcome outcome, string input)
        {
            EngineException engine = outcome.ToException();
            var exception = new FederationInformationException(engine.Message, outcome.Domain, outcome.FailureKind.ToString(),
                outcome.Attempts.Select(a => a.ToString()).ToArray(), engine)
            {
                RequestIds = engine.RequestIds,
            };
            return new ErrorRecord(exception, engine.ErrorId, ErrorRecords.Category(engine.Kind), input)
            {
                ErrorDetails = new ErrorDetails(engine.Message) { RecommendedAction = Recommend(outcome) },
            };
        }

        private string Recommend(DiscoveryOutcome outcome) => outcome.FailureKind switch
        {
            DiscoveryFailureKind.NotFederated => DiscoveryMessages.ActionNotFederated,
            DiscoveryFailureKind.UntrustedRedirect => string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ActionTrustHost, outcome.Alternates.FirstOrDefault()?.Host ?? DiscoveryMessages.LabelUnnamedHost),
            DiscoveryFailureKind.CertificateValidationFailed => DiscoveryMessages.ActionCertificate,
            DiscoveryFailureKind.ServerBusy => DiscoveryMessages.ActionTimeout,
            DiscoveryFailureKind.Timeout => DiscoveryMessages.ActionTimeout,
            // Someone who named the endpoint is not told to name one.
            _ => AutodiscoverUri != null ? DiscoveryMessages.ActionNotFoundExplicit : DiscoveryMessages.ActionNotFound,
        };

        /// <summary>
        /// Write-Progress from the first request: "3 of 62 domains done, 16 in flight" with a percentage when the count is
        /// known (an array given as -DomainName), "3 domains done, 16 in flight" without one when input streams in.
        /// </summary>
        private sealed class Progress
        {
            private readonly Cmdlet _cmdlet;
            private readonly int? _total;
            private readonly Stopwatch _clock = new Stopwatch();
            private int _done;
            private bool _shown;

            public Progress(Cmdlet cmdlet, int? total)
            {
                _cmdlet = cmdlet;
                _total = total;
            }

            public void Started(int inFlight) => Write(inFlight);

            public void Done(int inFlight)
            {
                _done++;
                Write(inFlight);
            }

            public void Complete()
            {
                if (!_shown) return;
                _cmdlet.WriteProgress(new ProgressRecord(ProgressActivityId, DiscoveryMessages.ProgressActivity, Messages.ProgressDone) { RecordType = ProgressRecordType.Completed });
            }

            // The first record at once; then at most five a second, and the last one when the known count is reached.
            private void Write(int inFlight)
            {
                bool last = _total is int t && _done >= t;
                if (_shown && !last && _clock.ElapsedMilliseconds < 200) return;
                _shown = true;
                _clock.Restart();
                string status = _total is int total
                    ? string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ProgressStatus, _done, total, inFlight)
                    : string.Format(CultureInfo.CurrentCulture, DiscoveryMessages.ProgressStatusStreaming, _done, inFlight);
                int percent = _total is int all ? (int)Math.Min(100, 100L * _done / Math.Max(1, all)) : -1;
                _cmdlet.WriteProgress(new ProgressRecord(ProgressActivityId, DiscoveryMessages.ProgressActivity, status) { PercentComplete = percent });
            }
        }

        private sealed class Completed
        {
            public Completed(string input, DiscoveryOutcome? outcome, PartnerTenant? tenant, string? tenantFailure, Exception? unexpected)
            {
                Input = input;
                Outcome = outcome;
                Tenant = tenant;
                TenantFailure = tenantFailure;
                Unexpected = unexpected;
            }

            public string Input { get; }
            public DiscoveryOutcome? Outcome { get; }
            public PartnerTenant? Tenant { get; }
            public string? TenantFailure { get; }
            public Exception? Unexpected { get; }
        }
    }
}
