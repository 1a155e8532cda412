using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace CalendarFederation.Engine.Tenants
{
    /// <summary>The fields of a tenant's OpenID configuration the lookup uses, read tolerantly.</summary>
    internal sealed class OpenIdConfiguration
    {
        public string? Issuer;
        public string? CloudInstanceName;
        public string? TenantRegionScope;
        public string? TenantRegionSubScope;
        public string? MsGraphHost;

        /// <summary>Parses the document; null when the body is not a JSON object.</summary>
        public static OpenIdConfiguration? Parse(byte[] body, int length)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(body, 0, length));
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
                JsonElement root = doc.RootElement;
                return new OpenIdConfiguration
                {
                    Issuer = String(root, "issuer"),
                    CloudInstanceName = String(root, "cloud_instance_name"),
                    TenantRegionScope = String(root, "tenant_region_scope"),
                    TenantRegionSubScope = String(root, "tenant_region_sub_scope"),
                    MsGraphHost = String(root, "msgraph_host"),
                };
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// The tenant id in an issuer: the first path segment of https://login.microsoftonline.com/{tid}/v2.0 (or of the v1
        /// https://sts.windows.net/{tid}/). Null for a template ("{tenantid}") or anything else.
        /// </summary>
        public static Guid? TenantIdFromIssuer(string? issuer)
        {
            if (issuer == null || !Uri.TryCreate(issuer, UriKind.Absolute, out Uri? uri)) return null;
            if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) return null;
            string first = uri.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            return Guid.TryParseExact(first, "D", out Guid tid) && tid != Guid.Empty ? tid : (Guid?)null;
        }

        internal static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;
    }

    /// <summary>An Entra error body: {"error":"invalid_tenant","error_description":"AADSTS90002: Tenant '...' not found. ...","error_codes":[90002],...}.</summary>
    internal sealed class EntraError
    {
        public string? Error;
        public string? Description;
        public List<long> Codes = new List<long>();
        public string? TraceId;
        public string? CorrelationId;

        public static EntraError? Parse(byte[] body, int length)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(new ReadOnlyMemory<byte>(body, 0, length));
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                var error = new EntraError
                {
                    Error = OpenIdConfiguration.String(root, "error"),
                    Description = OpenIdConfiguration.String(root, "error_description"),
                    TraceId = OpenIdConfiguration.String(root, "trace_id"),
                    CorrelationId = OpenIdConfiguration.String(root, "correlation_id"),
                };
                if (root.TryGetProperty("error_codes", out JsonElement codes) && codes.ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement c in codes.EnumerateArray())
                    {
                        if (c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out long code)) error.Codes.Add(code);
                    }
                }
                return error.Error == null && error.Codes.Count == 0 ? null : error;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>The description's first part, without the trace and correlation ids and the timestamp Entra appends.</summary>
        public string? ShortDescription
        {
            get
            {
                if (Description == null) return null;
                string d = Description.Replace("\r", " ").Replace("\n", " ");
                int cut = d.IndexOf(" Trace ID:", StringComparison.Ordinal);
                if (cut < 0) cut = d.IndexOf("Trace ID:", StringComparison.Ordinal);
                if (cut > 0) d = d.Substring(0, cut);
                d = d.Trim();
                return d.Length > 300 ? d.Substring(0, 300) + "..." : d;
            }
        }
    }
}
