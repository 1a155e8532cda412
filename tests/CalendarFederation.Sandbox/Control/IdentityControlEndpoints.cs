using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CalendarFederation.Sandbox.AdminApi;
using CalendarFederation.Sandbox.Identity;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Control;

/// <summary>Knobs for the Entra ID stand-in and the admin API. {tenant} may be a GUID, any domain or the name.</summary>
public static class IdentityControlEndpoints
{
    public static void Map(WebApplication app, SandboxState state, EntraEndpoints entra)
    {
        RouteGroupBuilder g = app.MapGroup("/_sandbox");
        JsonSerializerOptions json = ControlEndpoints.SandboxJson;
        IdentityState id = state.Identity;

        g.MapGet("/signins", (long? since) => Results.Json(id.SignIns.Where(r => since == null || r.Sequence > since), json));
        g.MapDelete("/signins", () => { id.ClearSignIns(); return Results.NoContent(); });

        g.MapGet("/token-lifetime", () => Results.Json(new { Seconds = id.TokenLifetimeSeconds }, json));
        g.MapPut("/token-lifetime", (int seconds) =>
        {
            if (seconds < 1) return Results.BadRequest("seconds must be at least 1.");
            id.TokenLifetimeSeconds = seconds;
            return Results.NoContent();
        });

        g.MapPut("/device-flow", (string? mode, string? upn, int? expiresIn) =>
        {
            if (mode != null)
            {
                if (!Enum.TryParse(mode, true, out DeviceFlowMode m)) return Results.BadRequest("mode must be auto, manual or deny.");
                id.DeviceFlowMode = m;
            }
            id.DeviceFlowUpn = upn;
            if (expiresIn != null) id.DeviceCodeLifetimeSeconds = Math.Max(1, expiresIn.Value);
            return Results.NoContent();
        });
        g.MapGet("/device/pending", () => Results.Json(id.DeviceCodes.Values.Where(e => e.Status == "pending").Select(e => new
        {
            e.UserCode,
            e.ClientId,
            Tenant = e.Tenant?.Name,
            e.ExpiresAt,
            e.Polls,
        }), json));
        g.MapPost("/device/approve", (string user_code, string? upn) =>
        {
            string? problem = entra.DecideDeviceCode(user_code, upn, approve: true);
            return problem == null ? Results.NoContent() : Results.BadRequest(problem);
        });
        g.MapPost("/device/deny", (string user_code) =>
        {
            string? problem = entra.DecideDeviceCode(user_code, null, approve: false);
            return problem == null ? Results.NoContent() : Results.BadRequest(problem);
        });

        g.MapPut("/authorize", (string? mode, string? upn) =>
        {
            if (mode != null)
            {
                if (!Enum.TryParse(mode, true, out AuthorizeMode m)) return Results.BadRequest("mode must be auto, deny or cancel.");
                id.AuthorizeMode = m;
            }
            id.AuthorizeUpn = upn;
            return Results.NoContent();
        });

        g.MapDelete("/refresh-tokens", (string? upn) =>
        {
            if (upn == null)
            {
                id.RevokeRefreshTokens();
                return Results.NoContent();
            }
            (UserConfig User, TenantConfig Home)? user = id.ResolveUser(null, upn);
            if (user == null) return Results.NotFound($"No user {upn}.");
            id.RevokeRefreshTokens(user.Value.User.ObjectId);
            return Results.NoContent();
        });

        g.MapGet("/tenants/{tenant}", (string tenant) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound();
            lock (t.Apps)
            lock (t.Users)
            {
                return Results.Json(new
                {
                    t.Name,
                    t.Id,
                    t.InitialDomain,
                    t.Domains,
                    t.DelegatedAdmins,
                    IsDehydrated = state.AdminApi.Exchange(t).IsDehydrated,
                    IsHydrating = state.AdminApi.Exchange(t).IsHydrating,
                    HydrationEndsAt = state.AdminApi.Exchange(t).HydrationEndsAt,
                    HydrationSeconds = state.AdminApi.Exchange(t).HydrationSeconds,
                    CustomizationUnavailable = state.AdminApi.Exchange(t).CustomizationUnavailable,
                    DomainCapMode = state.AdminApi.Exchange(t).DomainCapMode,
                    DomainCap = state.AdminApi.Exchange(t).DomainCap,
                    Mailboxes = TenantDirectory.Mailboxes(t).Select(m => m.Address),
                    Groups = TenantDirectory.Groups(t).Select(x => x.Name),
                    Users = t.Users.Select(u => new { u.Upn, u.DisplayName, u.ObjectId, u.Roles }),
                    Apps = t.Apps.Select(PublicView),
                }, json);
            }
        });

        g.MapPost("/tenants/{tenant}/apps", async (string tenant, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            AppConfig? app;
            try
            {
                app = await JsonSerializer.DeserializeAsync<AppConfig>(request.Body, json);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest("Not an app registration: " + ex.Message);
            }
            if (app == null) return Results.BadRequest("An app registration is required.");
            try
            {
                app.Certificates = app.Certificates.Select(NormalizeCertificate).ToList();
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return Results.BadRequest("A certificate is neither base64 DER nor PEM: " + ex.Message);
            }
            lock (t.Apps)
            {
                if (t.Apps.Any(a => a.AppId == app.AppId)) return Results.Conflict($"App {app.AppId} is already registered in {t.Name}.");
                t.Apps.Add(app);
            }
            return Results.Json(PublicView(app), json, statusCode: 201);
        });

        g.MapPost("/tenants/{tenant}/apps/{appId}/certificates", async (string tenant, string appId, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            AppConfig? app = Guid.TryParse(appId, out Guid g) ? t.Apps.ToArray().FirstOrDefault(a => a.AppId == g) : null;
            if (app == null) return Results.NotFound($"No app {appId} in {t.Name}.");
            using var reader = new StreamReader(request.Body);
            string text = await reader.ReadToEndAsync();
            string der;
            try
            {
                der = NormalizeCertificate(text);
            }
            catch (Exception ex) when (ex is FormatException || ex is CryptographicException)
            {
                return Results.BadRequest("The body is neither base64 DER nor PEM: " + ex.Message);
            }
            lock (app.Certificates)
            {
                if (!app.Certificates.Contains(der)) app.Certificates.Add(der);
            }
            using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der));
            return Results.Json(new { cert.Thumbprint, cert.Subject, cert.NotAfter }, json, statusCode: 201);
        });

        g.MapPost("/tenants/{tenant}/users", async (string tenant, HttpRequest request) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            UserConfig? user = await JsonSerializer.DeserializeAsync<UserConfig>(request.Body, json);
            if (user == null || string.IsNullOrWhiteSpace(user.Upn)) return Results.BadRequest("A user with a upn is required.");
            if (id.ResolveUser(null, user.Upn) != null) return Results.Conflict($"User {user.Upn} exists.");
            lock (t.Users) t.Users.Add(user);
            return Results.Json(user, json, statusCode: 201);
        });

        g.MapPut("/tenants/{tenant}/budget", (string tenant, double? requestsPerSecond, int? maxConcurrent) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            state.AdminApi.Throttle(t).SetBudget(requestsPerSecond, maxConcurrent);
            return Results.NoContent();
        });
        g.MapDelete("/tenants/{tenant}/budget", (string tenant) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            state.AdminApi.Throttle(t).SetBudget(null, null);
            return Results.NoContent();
        });
        g.MapGet("/tenants/{tenant}/load", (string tenant) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            TenantThrottle th = state.AdminApi.Throttle(t);
            return Results.Json(new { th.InFlight, th.MaxInFlight, th.Throttled, th.RequestsPerSecond, th.MaxConcurrent }, json);
        });
        g.MapPut("/tenants/{tenant}/dehydrated", (string tenant, bool value) =>
        {
            TenantConfig? t = state.Config.FindTenant(tenant);
            if (t == null) return Results.NotFound($"No tenant {tenant}.");
            state.AdminApi.Exchange(t).IsDehydrated = value;
            return Results.NoContent();
        });

        g.MapGet("/cmdlets", () => Results.Json(state.AdminApi.Cmdlets.Names, json));
    }

    private static object PublicView(AppConfig a) => new
    {
        a.AppId,
        a.DisplayName,
        a.ObjectId,
        HasSecret = a.Secret != null,
        Certificates = IdentityState.AppCertificates(a).Select(Thumbprint).ToArray(),
        a.Roles,
        a.DirectoryRoles,
        a.PublicClient,
        a.RedirectUris,
    };

    private static string Thumbprint(string der)
    {
        try
        {
            return Convert.ToHexString(SHA1.HashData(Convert.FromBase64String(der)));
        }
        catch (FormatException)
        {
            return "?";
        }
    }

    /// <summary>PEM or base64 DER in, base64 DER out (checked to be a certificate).</summary>
    public static string NormalizeCertificate(string text)
    {
        text = text.Trim().Trim('"');
        byte[] der;
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            using X509Certificate2 pem = X509Certificate2.CreateFromPem(text);
            der = pem.RawData;
        }
        else
        {
            der = Convert.FromBase64String(text);
        }
        using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(der);
        return Convert.ToBase64String(cert.RawData);
    }
}
