using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CalendarFederation.Sandbox.Model;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>Who a token is for: a user (delegated) or an application / managed identity (app-only).</summary>
public sealed record TokenSubject
{
    public required bool IsApp { get; init; }
    public required Guid ObjectId { get; init; }
    /// <summary>The tenant the subject belongs to (its home), which differs from the token's tid for a GDAP partner user.</summary>
    public required Guid HomeTenantId { get; init; }
    public string? Upn { get; init; }
    public string? Name { get; init; }
    /// <summary>Users: Entra directory roles; apps: application permissions.</summary>
    public IReadOnlyList<string> Roles { get; init; } = Array.Empty<string>();
    /// <summary>appidacr: "0" public client, "1" secret, "2" certificate.</summary>
    public string ClientAuthentication { get; init; } = "0";
    /// <summary>Managed identities: their Azure resource id (xms_mirid).</summary>
    public string? ManagedIdentityResourceId { get; init; }
}

/// <summary>A validated access token's claims the admin API needs.</summary>
public sealed record AccessTokenInfo(JwtParts Jwt, Guid TenantId, Guid ObjectId, bool IsApp, IReadOnlyList<string> Audiences, IReadOnlyList<string> Roles, string? Upn, string? AppId);

public enum TokenProblem
{
    None,
    Missing,
    Malformed,
    BadSignature,
    Expired,
    NotYetValid,
}

/// <summary>The sandbox's token signing key (published as JWKS) and the JWTs it issues.</summary>
public sealed class TokenService : IDisposable
{
    /// <summary>Role template ids (the wids claim) of the directory roles the sandbox knows.</summary>
    public static readonly IReadOnlyDictionary<string, string> RoleTemplateIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Global Administrator"] = "62e90394-69f5-4237-9190-012177145e10",
        ["Exchange Administrator"] = "29232cdf-9323-42fd-ade2-1d097af3e4de",
        ["Global Reader"] = "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        ["Security Administrator"] = "194ae4cb-b126-40b2-bd5b-6091b380977d",
        ["Security Reader"] = "5d6b6bb7-de71-4623-b4af-96380a352509",
        ["Teams Administrator"] = "69091246-20e8-4a56-aa4d-066075b2a7a8",
        ["Global Secure Access Administrator"] = "ac434307-12b9-4fa1-a708-88bf58caabc1",
    };

    private readonly RSA _key;
    private readonly SandboxClock _clock;

    public TokenService(SandboxClock clock)
    {
        _clock = clock;
        _key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CalendarFederation Sandbox Token Signing", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        SigningCertificateDer = cert.RawData;
        // Entra ID's kid equals the x5t: base64url of the certificate's SHA-1 thumbprint.
        KeyId = Jwt.Base64UrlEncode(SHA1.HashData(SigningCertificateDer));
    }

    public string KeyId { get; }

    public byte[] SigningCertificateDer { get; }

    public RSA PublicKey
    {
        get
        {
            var rsa = RSA.Create();
            rsa.ImportParameters(_key.ExportParameters(false));
            return rsa;
        }
    }

    public JsonObject Jwks(string origin)
    {
        RSAParameters p = _key.ExportParameters(false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = KeyId,
                ["x5t"] = KeyId,
                ["n"] = Jwt.Base64UrlEncode(p.Modulus!),
                ["e"] = Jwt.Base64UrlEncode(p.Exponent!),
                ["x5c"] = new JsonArray(Convert.ToBase64String(SigningCertificateDer)),
                ["issuer"] = origin + "/{tenantid}/v2.0",
            }),
        };
    }

    public static string Issuer(string origin, Guid tenantId) => $"{origin}/{tenantId}/v2.0";

    /// <summary>
    /// An RS256 access token in the Entra v1 shape that Exchange Online and Graph receive. Delegated tokens carry
    /// <paramref name="scp"/> (omitted when null: nothing was granted); app-only ones the subject's roles.
    /// </summary>
    public string IssueAccessToken(string origin, Guid tenantId, string audience, string clientId, TokenSubject subject, int lifetimeSeconds, out long expiresOn,
        string? scp = "Exchange.Manage")
    {
        long now = _clock.UnixSeconds();
        expiresOn = now + lifetimeSeconds;
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = Issuer(origin, tenantId),
            ["iat"] = now,
            ["nbf"] = now - 5,
            ["exp"] = expiresOn,
            ["aio"] = Jwt.Base64UrlEncode(RandomNumberGenerator.GetBytes(24)),
            ["appid"] = clientId,
            ["azp"] = clientId,
            ["appidacr"] = subject.ClientAuthentication,
            ["idp"] = subject.HomeTenantId != tenantId ? $"https://sts.windows.net/{subject.HomeTenantId}/" : Issuer(origin, tenantId),
            ["oid"] = subject.ObjectId.ToString(),
            ["sub"] = subject.ObjectId.ToString("N"),
            ["tid"] = tenantId.ToString(),
            ["uti"] = Jwt.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = "1.0",
        };
        if (subject.IsApp)
        {
            payload["idtyp"] = "app";
            payload["roles"] = new JsonArray(subject.Roles.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
            if (subject.ManagedIdentityResourceId != null) payload["xms_mirid"] = subject.ManagedIdentityResourceId;
        }
        else
        {
            payload["idtyp"] = "user";
            payload["amr"] = new JsonArray("pwd", "mfa");
            payload["name"] = subject.Name ?? subject.Upn;
            payload["upn"] = subject.Upn;
            payload["unique_name"] = subject.Upn;
            if (scp != null) payload["scp"] = scp;
            if (subject.HomeTenantId != tenantId) payload["home_oid"] = subject.ObjectId.ToString();
            string[] wids = subject.Roles.Select(r => RoleTemplateIds.GetValueOrDefault(r)).Where(w => w != null).Select(w => w!).ToArray();
            if (wids.Length > 0) payload["wids"] = new JsonArray(wids.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        }
        return Sign(payload);
    }

    /// <summary>A v2 id token for the client (MSAL reads oid, tid, preferred_username and name from it).</summary>
    public string IssueIdToken(string origin, Guid tenantId, string clientId, TokenSubject subject, string? nonce, int lifetimeSeconds)
    {
        long now = _clock.UnixSeconds();
        var payload = new JsonObject
        {
            ["aud"] = clientId,
            ["iss"] = Issuer(origin, tenantId),
            ["iat"] = now,
            ["nbf"] = now - 5,
            ["exp"] = now + lifetimeSeconds,
            ["name"] = subject.Name ?? subject.Upn,
            ["oid"] = subject.ObjectId.ToString(),
            ["preferred_username"] = subject.Upn,
            ["sub"] = Jwt.Base64UrlEncode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(subject.ObjectId + "|" + clientId))),
            ["tid"] = tenantId.ToString(),
            ["uti"] = Jwt.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = "2.0",
        };
        if (nonce != null) payload["nonce"] = nonce;
        return Sign(payload);
    }

    private string Sign(JsonObject payload) =>
        Jwt.Sign(new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5t"] = KeyId, ["kid"] = KeyId }, payload, _key);

    /// <summary>Checks the signature and the time window (60 s of clock skew allowed on nbf, none on exp).</summary>
    public TokenProblem Validate(string? token, out AccessTokenInfo? info)
    {
        info = null;
        if (string.IsNullOrEmpty(token)) return TokenProblem.Missing;
        JwtParts? jwt = Jwt.Parse(token);
        if (jwt == null) return TokenProblem.Malformed;
        if (jwt.Alg != "RS256" || !Jwt.Verify(jwt, _key)) return TokenProblem.BadSignature;
        long now = _clock.UnixSeconds();
        long? exp = jwt.NumericClaim("exp");
        long? nbf = jwt.NumericClaim("nbf");
        if (exp == null || exp <= now) return TokenProblem.Expired;
        if (nbf != null && nbf > now + 60) return TokenProblem.NotYetValid;
        if (!Guid.TryParse(jwt.Claim("tid"), out Guid tid) || !Guid.TryParse(jwt.Claim("oid"), out Guid oid)) return TokenProblem.Malformed;
        info = new AccessTokenInfo(jwt, tid, oid, jwt.Claim("idtyp") == "app", jwt.Claims("aud"), jwt.Claims("roles"), jwt.Claim("upn"), jwt.Claim("appid"));
        return TokenProblem.None;
    }

    public void Dispose() => _key.Dispose();
}
