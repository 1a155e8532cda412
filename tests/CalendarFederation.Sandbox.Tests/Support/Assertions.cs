using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace CalendarFederation.Sandbox.Tests.Support;

/// <summary>Client assertions and PKCE built here, independently of the sandbox's own JWT code.</summary>
public static class Hand
{
    public static string B64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromB64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }

    /// <summary>A client assertion: header alg + x5t or x5t#S256, claims aud, iss, sub, jti, nbf, exp.</summary>
    public static string Assertion(RSA signingKey, X509Certificate2 namedCert, string clientId, string audience, string alg = "RS256",
        bool sha256Thumbprint = false, long? exp = null, string? issuer = null)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (sha256Thumbprint) header["x5t#S256"] = B64Url(SHA256.HashData(namedCert.RawData));
        else header["x5t"] = B64Url(SHA1.HashData(namedCert.RawData));
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = issuer ?? clientId,
            ["sub"] = clientId,
            ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = now - 10,
            ["exp"] = exp ?? now + 600,
        };
        string input = B64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        RSASignaturePadding padding = alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return input + "." + B64Url(signingKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, padding));
    }

    public static JsonObject Claims(string jwt) => JsonNode.Parse(FromB64Url(jwt.Split('.')[1]))!.AsObject();

    public static JsonObject Header(string jwt) => JsonNode.Parse(FromB64Url(jwt.Split('.')[0]))!.AsObject();

    public static (string Verifier, string Challenge) Pkce()
    {
        string verifier = B64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, B64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>Asserts an Entra ID error: status, error, AADSTS code in error_codes and in the description, ids present.</summary>
    public static void AadError(HttpStatusCode expectedStatus, string error, long code, (HttpStatusCode Status, JsonObject Body) actual)
    {
        Assert.True(expectedStatus == actual.Status, $"Expected {expectedStatus}, got {actual.Status}: {actual.Body.ToJsonString()}");
        Assert.Equal(error, (string?)actual.Body["error"]);
        Assert.Equal(code, (long)actual.Body["error_codes"]![0]!);
        Assert.StartsWith($"AADSTS{code}: ", (string?)actual.Body["error_description"]);
        Assert.True(Guid.TryParse((string?)actual.Body["trace_id"], out _));
        Assert.True(Guid.TryParse((string?)actual.Body["correlation_id"], out _));
        Assert.False(string.IsNullOrEmpty((string?)actual.Body["timestamp"]));
    }

    /// <summary>Signs in interactively by raw HTTP (authorize without a UI, then the code with PKCE) and returns the token response.</summary>
    public static async Task<JsonObject> DelegatedTokenAsync(AuthSandbox sandbox, string tenant, string? loginHint, string? resource = null)
    {
        (string verifier, string challenge) = Pkce();
        string redirect = "http://localhost:1234/cb";
        string scope = (resource ?? sandbox.Origin) + "/.default offline_access openid profile";
        string url = $"{sandbox.Origin}/{tenant}/oauth2/v2.0/authorize?client_id={IdentityDefaults.PublicClient}&response_type=code" +
            $"&redirect_uri={Uri.EscapeDataString(redirect)}&scope={Uri.EscapeDataString(scope)}&state=s1&code_challenge={challenge}&code_challenge_method=S256" +
            (loginHint != null ? "&login_hint=" + Uri.EscapeDataString(loginHint) : "");
        using HttpResponseMessage authz = await sandbox.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Found, authz.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(authz.Headers.Location!.Query);
        Assert.Equal("s1", query["state"]);
        string code = query["code"] ?? throw new InvalidOperationException("No code: " + authz.Headers.Location);
        (HttpStatusCode status, JsonObject body) = await sandbox.PostFormAsync($"/{tenant}/oauth2/v2.0/token", new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = IdentityDefaults.PublicClient,
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["code_verifier"] = verifier,
            ["scope"] = scope,
            ["client_info"] = "1",
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }
}

public static class IdentityDefaults
{
    public const string PublicClient = Known.DefaultPublicClient;
}
