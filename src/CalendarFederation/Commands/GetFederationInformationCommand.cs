using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using CalendarFederation.Engine.Concurrency;
using CalendarFederation.Engine.Discovery;
using CalendarFederation.Engine.Environments;
using CalendarFederation.Completion;
using CalendarFederation.Engine.Http;
using CalendarFederation.Resources;

namespace CalendarFederation.Commands
{
    /// <summary>
    /// Discovers a partner organization's federation information anonymously through Autodiscover,
    /// many domains at once, streaming each result as it arrives.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "FederationInformation")]
    [OutputType(typeof(FederationInformation))]
    public sealed class GetFederationInformationCommand : PSCmdlet, IDisposable
    {
        private const int ProgressActivityId = 0x4346; // stable, so progress from nested calls does not collide

        private CancellationTokenSource? _cancellation;
        private FederationDiscoveryClient? _client;
        private BoundedRunner<Completed>? _runner;
        private readonly Stopwatch _progressClock = new Stopwatch();
        private int _queued;
        private int _done;
        private bool _yesToAll;
        private bool _noToAll;

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

            if (AutodiscoverUri != null)
            {
                if (!AutodiscoverUri.IsAbsoluteUri || !Loopback.IsAllowedScheme(AutodiscoverUri))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.InvalidAutodiscoverUri, AutodiscoverUri)),
                        "InvalidAutodiscoverUri", ErrorCategory.InvalidArgument, AutodiscoverUri));
                }
                options.AutodiscoverUri = AutodiscoverUri;
            }
            else
            {
                ExchangeEnvironment? environment = EnvironmentRegistry.Find(ExchangeEnvironmentName);
                if (environment == null)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.UnknownEnvironment, ExchangeEnvironmentName,
                            string.Join(", ", EnvironmentRegistry.All.Select(e => e.Name)))),
                        "UnknownExchangeEnvironment", ErrorCategory.InvalidArgument, ExchangeEnvironmentName));
                }
                options.CloudEndpoint = environment!.AutodiscoverEndpoint;
            }

            _cancellation = new CancellationTokenSource();
            _client = new FederationDiscoveryClient(options);
            _runner = new BoundedRunner<Completed>(ThrottleLimit, _cancellation.Token);
            _progressClock.Start();

            WriteVerbose(Messages.RetrievingFederationInformation);
            if (TrustedHostnames.Length > 0)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.UsingTrustedHostnames, string.Join(", ", TrustedHostnames)));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (string input in DomainName)
            {
                string? domain = SmtpDomain.TryNormalize(input, out string? error);
                if (domain == null)
                {
                    var record = new ErrorRecord(new ArgumentException(error), "InvalidDomainName", ErrorCategory.InvalidArgument, input);
                    record.ErrorDetails = new ErrorDetails(error) { RecommendedAction = Messages.ActionInvalidDomain };
                    WriteError(record);
                    continue;
                }

                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.RetrievingDataForDomain, domain));
                _queued++;
                Run(() => _runner!.Add(token => DiscoverOneAsync(domain, input, token)));
            }
        }

        protected override void EndProcessing()
        {
            Run(() => _runner!.Drain());
            if (_queued > 1)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, Messages.DiscoveryProgressActivity, "Done")
                {
                    RecordType = ProgressRecordType.Completed,
                });
            }
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
            _client?.Dispose();
            _cancellation?.Dispose();
        }

        // Consumes results on the pipeline thread; turns Ctrl+C into a prompt, clean stop.
        private void Run(Func<IEnumerable<Completed>> step)
        {
            try
            {
                foreach (Completed completed in step())
                {
                    _done++;
                    Emit(completed);
                    ReportProgress(force: false);
                }
                ReportProgress(force: false);
            }
            catch (OperationCanceledException) when (_cancellation!.IsCancellationRequested)
            {
                // In-flight requests were cancelled with the token; give them a moment to unwind so nothing outlives the pipeline.
                _runner!.WaitForShutdown(TimeSpan.FromSeconds(1));
                throw new PipelineStoppedException();
            }
        }

        private async System.Threading.Tasks.Task<Completed> DiscoverOneAsync(string domain, string input, CancellationToken token)
        {
            try
            {
                DiscoveryOutcome outcome = await _client!.DiscoverAsync(domain, token).ConfigureAwait(false);
                return new Completed(domain, input, outcome, null);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // A defect for one domain must not stop the others.
                return new Completed(domain, input, null, ex);
            }
        }

        private void Emit(Completed completed)
        {
            if (completed.Unexpected != null)
            {
                string message = string.Format(CultureInfo.CurrentCulture, Messages.UnexpectedDiscoveryError, completed.Domain, completed.Unexpected.Message);
                WriteError(new ErrorRecord(new InvalidOperationException(message, completed.Unexpected), "FederationInformationUnexpectedError",
                    ErrorCategory.NotSpecified, completed.Input));
                return;
            }

            DiscoveryOutcome outcome = completed.Outcome!;
            WriteAttempts(outcome);

            if (!outcome.Succeeded && outcome.Alternates.Count > 0 && !Force)
            {
                foreach (DiscoveryAlternate alternate in outcome.Alternates)
                {
                    if (!Confirm(alternate)) continue;
                    DiscoveryOutcome retried = _client!.DiscoverAtAlternateAsync(outcome.Domain, alternate, _cancellation!.Token).GetAwaiter().GetResult();
                    WriteAttempts(retried);
                    if (retried.Succeeded)
                    {
                        outcome = retried;
                        break;
                    }
                }
            }

            if (outcome.Succeeded)
            {
                FederationInformation output;
                try
                {
                    output = ToOutput(outcome);
                }
                catch (UriFormatException ex)
                {
                    WriteError(new ErrorRecord(ex, "MalformedResponse", ErrorCategory.InvalidData, completed.Input));
                    return;
                }
                WriteObject(output);
                return;
            }
            WriteError(ToError(outcome, completed.Input));
        }

        private bool Confirm(DiscoveryAlternate alternate)
        {
            if (_client!.Trust.Matches(alternate.Host)) return true; // confirmed earlier in this call
            try
            {
                if (ShouldContinue(alternate.Prompt, Messages.UntrustedHostCaption, ref _yesToAll, ref _noToAll))
                {
                    _client.TrustHost(alternate.Host);
                    return true;
                }
                return false;
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException || ex is NotImplementedException)
            {
                // A non-interactive host cannot ask; an unconfirmed host is an untrusted host.
                return false;
            }
        }

        private void WriteAttempts(DiscoveryOutcome outcome)
        {
            foreach (DiscoveryAttempt attempt in outcome.Attempts)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.AttemptLine, outcome.Domain, attempt.Method, attempt.Url,
                    attempt.Result, (long)attempt.Elapsed.TotalMilliseconds));
            }
            foreach (string note in outcome.Notes)
            {
                WriteVerbose("[" + outcome.Domain + "] " + note);
            }
            if (outcome.Result != null)
            {
                WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.AnsweredLine, outcome.Domain, outcome.Result.AnsweredBy,
                    outcome.Result.Candidate, (long)outcome.Elapsed.TotalMilliseconds));
            }
        }

        private static FederationInformation ToOutput(DiscoveryOutcome outcome)
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
                info.ServerVersion);
        }

        private static ErrorRecord ToError(DiscoveryOutcome outcome, string input)
        {
            DiscoveryFailureKind kind = outcome.FailureKind;
            (string id, ErrorCategory category, string action) = kind switch
            {
                DiscoveryFailureKind.NotFederated => ("DomainNotFederated", ErrorCategory.ObjectNotFound, Messages.ActionNotFederated),
                DiscoveryFailureKind.UntrustedRedirect => ("UntrustedRedirect", ErrorCategory.SecurityError,
                    string.Format(CultureInfo.CurrentCulture, Messages.ActionTrustHost, outcome.Alternates.FirstOrDefault()?.Host ?? "the host")),
                DiscoveryFailureKind.InsecureRedirect => ("InsecureRedirect", ErrorCategory.SecurityError, Messages.ActionNotFound),
                DiscoveryFailureKind.CertificateValidationFailed => ("CertificateValidationFailed", ErrorCategory.SecurityError, Messages.ActionCertificate),
                DiscoveryFailureKind.InvalidRedirect => ("InvalidRedirect", ErrorCategory.InvalidResult, Messages.ActionNotFound),
                DiscoveryFailureKind.ResponseTooLarge => ("ResponseTooLarge", ErrorCategory.LimitsExceeded, Messages.ActionNotFound),
                DiscoveryFailureKind.MalformedResponse => ("MalformedResponse", ErrorCategory.InvalidData, Messages.ActionNotFound),
                DiscoveryFailureKind.TooManyRedirects => ("TooManyRedirects", ErrorCategory.LimitsExceeded, Messages.ActionNotFound),
                DiscoveryFailureKind.ServerBusy => ("ServerBusy", ErrorCategory.ResourceBusy, Messages.ActionTimeout),
                DiscoveryFailureKind.Timeout => ("DiscoveryTimeout", ErrorCategory.OperationTimeout, Messages.ActionTimeout),
                DiscoveryFailureKind.ConnectionFailed => ("FederationInformationNotFound", ErrorCategory.ConnectionError, Messages.ActionNotFound),
                _ => ("FederationInformationNotFound", ErrorCategory.ObjectNotFound, Messages.ActionNotFound),
            };
            string message = outcome.FailureMessage;
            var exception = new FederationInformationException(message, outcome.Domain, kind.ToString(),
                outcome.Attempts.Select(a => a.ToString()).ToArray());
            return new ErrorRecord(exception, id, category, input)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = action },
            };
        }

        private void ReportProgress(bool force)
        {
            if (_queued < 2) return;
            if (!force && _progressClock.ElapsedMilliseconds < 200) return;
            _progressClock.Restart();
            int total = _queued;
            var record = new ProgressRecord(ProgressActivityId, Messages.DiscoveryProgressActivity,
                string.Format(CultureInfo.CurrentCulture, Messages.DiscoveryProgressStatus, _done, total, _runner!.InFlight))
            {
                PercentComplete = MyInvocation.ExpectingInput ? -1 : (int)(100L * _done / Math.Max(1, total)),
            };
            WriteProgress(record);
        }

        private sealed class Completed
        {
            public Completed(string domain, string input, DiscoveryOutcome? outcome, Exception? unexpected)
            {
                Domain = domain;
                Input = input;
                Outcome = outcome;
                Unexpected = unexpected;
            }

            public string Domain { get; }
            public string Input { get; }
            public DiscoveryOutcome? Outcome { get; }
            public Exception? Unexpected { get; }
        }
    }
}
