using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalendarFederation.Engine.AdminApi;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// The call Connect-CalendarFederation makes right after sign-in (Get-OrganizationConfig), with its own short bound so
    /// a service that accepts and never answers is reported in seconds, not after the 15-minute call timeout.
    /// </summary>
    public static class ConnectionCheck
    {
        /// <summary>The check's own bound: three attempts within 30 s.</summary>
        public static readonly AdminApiCallLimits Limits = new AdminApiCallLimits(attemptTimeout: TimeSpan.FromSeconds(10), overallTimeout: TimeSpan.FromSeconds(30), maxRetries: 2);

        /// <summary>
        /// <see cref="Limits"/>, or shorter when the session's own call timeout is shorter: an admin who asks for 20 s
        /// never waits 30 s for the check.
        /// </summary>
        public static AdminApiCallLimits For(TimeSpan sessionTimeout)
        {
            if (sessionTimeout >= Limits.OverallTimeout || sessionTimeout <= TimeSpan.Zero) return Limits;
            // An attempt keeps its 10 s (or the whole bound, when shorter): splitting a short bound into slivers would
            // time out a merely slow first answer.
            TimeSpan attempt = sessionTimeout < Limits.AttemptTimeout ? sessionTimeout : Limits.AttemptTimeout;
            return new AdminApiCallLimits(attempt, sessionTimeout, Limits.MaxRetries);
        }

        /// <summary>The organization's display name; throws with ConnectionCheckFailed or AccessDenied, saying what happened.</summary>
        public static async Task<string?> RunAsync(TenantSession session, IEngineEvents events, CancellationToken cancellationToken, AdminApiCallLimits? limits = null)
        {
            limits ??= For(session.AdminApi.Options.OverallTimeout);
            // The retry lane carries the later attempts ("...; retrying in 3 s (attempt 2 of 3)"), this line the first.
            events.Progress(new ProgressUpdate("Connect-CalendarFederation",
                $"Checking the admin API at {session.AdminApiBase.Host} (attempt 1 of {limits.MaxRetries + 1}, at most {limits.OverallTimeout.TotalSeconds:0} s)", lane: ProgressLanes.Step));
            try
            {
                AdminApiResult config = await session.AdminApi.InvokeAsync("Get-OrganizationConfig", Array.Empty<KeyValuePair<string, object?>>(), events,
                    cancellationToken, limits).ConfigureAwait(false);
                AdminObject? org = config.Values.FirstOrDefault();
                return org?.GetString("DisplayName") ?? org?.GetString("Name");
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.AccessDenied || ex.Failure == AdminApiErrorKind.Unauthorized)
            {
                // The service's text says whom it refused when it can (AdminApiException.Advice); otherwise the session does.
                string advice = ex.Advice != null ? "" : " " + (session.IsAppOnly ? AdminApiErrorParser.AppOnlyAccessAdvice : AdminApiErrorParser.DelegatedAccessAdvice);
                throw new EngineException(ErrorIds.AccessDenied, ErrorKind.PermissionDenied,
                    $"Signed in, but the admin API of {session.Organization} refused access: {ex.Message}{advice}", session.Organization, inner: ex);
            }
            catch (AdminApiException ex) when (ex.Failure == AdminApiErrorKind.Timeout)
            {
                throw new EngineException(ErrorIds.ConnectionCheckFailed, ErrorKind.OperationTimeout,
                    $"Signed in, but the admin API at {session.AdminApiBase.Host} did not answer the connection check: {ex.Message}", session.Organization, isRetryable: true, inner: ex);
            }
            catch (AdminApiException ex)
            {
                throw new EngineException(ErrorIds.ConnectionCheckFailed, ex.Kind,
                    $"Signed in, but the connection check against the admin API at {session.AdminApiBase.Host} failed: {ex.Message}", session.Organization, ex.IsRetryable, ex);
            }
        }
    }
}
