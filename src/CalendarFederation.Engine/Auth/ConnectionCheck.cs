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
        public static readonly AdminApiCallLimits Limits = new AdminApiCallLimits(attemptTimeout: TimeSpan.FromSeconds(10), overallTimeout: TimeSpan.FromSeconds(30), maxRetries: 2);

        /// <summary>The organization's display name; throws with ConnectionCheckFailed or AccessDenied, saying what happened.</summary>
        public static async Task<string?> RunAsync(TenantSession session, IEngineEvents events, CancellationToken cancellationToken, AdminApiCallLimits? limits = null)
        {
            limits ??= Limits;
            events.Progress(new ProgressUpdate("Connect-CalendarFederation", $"Checking the admin API at {session.AdminApiBase.Host}", lane: ProgressLanes.Step));
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
