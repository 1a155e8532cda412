using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CalendarFederation.Engine.Http;

namespace CalendarFederation.Engine.Tenants
{
    /// <summary>Reads a tenant lookup's answer: a tenant, or the <see cref="EngineException"/> that says why not.</summary>
    internal static class TenantAnswer
    {
        // Entra's codes for "no such tenant" (docs/cross-tenant-access.md §2.1): 90002 tenant not found, 50059 no tenant information, 90013 invalid input.
        private static readonly long[] NotFoundCodes = { 90002, 50059, 90013 };

        public static PartnerTenant Read(string domain, string asTyped, Uri url, BoundedResponse response, PartnerTenantLookupOptions options)
        {
            string host = url.Authority;
            string seconds = options.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            switch (response.Failure)
            {
                case BoundedFailure.Timeout:
                case BoundedFailure.BodyTimeout:
                    throw Failed(ErrorKind.OperationTimeout, $"{host} did not answer within {seconds} s.", asTyped, response, retryable: true);
                case BoundedFailure.Connection:
                    throw Failed(ErrorKind.ConnectionError, $"{host} could not be reached: {NetworkErrors.Describe(response.Error!)}.", asTyped, response, retryable: true);
                case BoundedFailure.DeclaredTooLarge:
                case BoundedFailure.TooLarge:
                    throw Failed(ErrorKind.LimitsExceeded, $"the answer is larger than the limit of {options.MaxResponseBytes} bytes.", asTyped, response);
            }
            int status = response.Status!.Value;
            if (response.IsRedirect)
            {
                string where = response.Location!.Length == 0 ? "nowhere" : NetworkErrors.OneLine(response.Location);
                string why = where.StartsWith("http:", StringComparison.OrdinalIgnoreCase) ? " (to plain http)" : "";
                throw Failed(ErrorKind.InvalidResult, $"{host} answered with a redirect{why} ({status} to {where}), and the lookup follows none.", asTyped, response);
            }
            if (status >= 200 && status < 300) return FromConfiguration(domain, asTyped, url, response);
            throw FromError(domain, asTyped, host, status, response);
        }

        private static PartnerTenant FromConfiguration(string domain, string asTyped, Uri url, BoundedResponse response)
        {
            OpenIdConfiguration? config = OpenIdConfiguration.Parse(response.Body, response.Length);
            if (config == null) throw Failed(ErrorKind.InvalidData, $"{url.Authority} answered with something that is not an OpenID configuration.", asTyped, response);
            Guid? tid = OpenIdConfiguration.TenantIdFromIssuer(config.Issuer);
            if (tid == null)
            {
                string issuer = config.Issuer == null ? "no issuer" : "the issuer '" + NetworkErrors.OneLine(config.Issuer) + "'";
                throw Failed(ErrorKind.InvalidData, $"the configuration names no tenant ({issuer}).", asTyped, response);
            }
            if (tid.Value == PartnerTenantResolver.MicrosoftAccountTenantId)
            {
                throw new EngineException(ErrorIds.PartnerTenantIsConsumer, ErrorKind.InvalidArgument,
                    $"'{asTyped}' belongs to personal Microsoft accounts (the consumer tenant {tid.Value}), not to a Microsoft 365 organization: " +
                    "there is no partner tenant to share calendars with.", asTyped)
                { RequestIds = Ids(response, null) };
            }
            return new PartnerTenant(domain, tid.Value, config.Issuer!, url, config.CloudInstanceName, config.TenantRegionScope, config.TenantRegionSubScope, config.MsGraphHost);
        }

        private static EngineException FromError(string domain, string asTyped, string host, int status, BoundedResponse response)
        {
            EntraError? error = EntraError.Parse(response.Body, response.Length);
            bool notFound = error != null && (error.Codes.Any(c => NotFoundCodes.Contains(c)) || error.Error == "invalid_tenant");
            if (notFound && status >= 400 && status < 500)
            {
                return new EngineException(ErrorIds.PartnerTenantNotFound, ErrorKind.ObjectNotFound,
                    $"Microsoft Entra ID at {host} knows no organization with the domain '{asTyped}' ({error!.ShortDescription ?? error.Error}).", asTyped)
                { RequestIds = Ids(response, error) };
            }
            string said = error?.ShortDescription ?? error?.Error ?? "no error description";
            bool retryable = status == 429 || status >= 500;
            ErrorKind kind = status == 429 ? ErrorKind.ResourceBusy : status >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidResult;
            return Failed(kind, $"{host} answered HTTP {status} ({said}).", asTyped, response, retryable, error);
        }

        private static EngineException Failed(ErrorKind kind, string why, string asTyped, BoundedResponse response, bool retryable = false, EntraError? error = null) =>
            new EngineException(ErrorIds.PartnerTenantLookupFailed, kind, $"The tenant of '{asTyped}' could not be looked up: {why}", asTyped, retryable, response.Error)
            {
                RequestIds = Ids(response, error),
            };

        private static string? Ids(BoundedResponse response, EntraError? error)
        {
            var ids = new List<string>(response.RequestIds);
            if (error?.TraceId != null) ids.Add("trace id " + error.TraceId);
            if (error?.CorrelationId != null) ids.Add("correlation id " + error.CorrelationId);
            return ids.Count == 0 ? null : string.Join(", ", ids.Distinct());
        }
    }
}
