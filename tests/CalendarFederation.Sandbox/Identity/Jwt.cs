using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalendarFederation.Sandbox.Identity;

/// <summary>Compact JWS by hand (RS256 and PS256), enough for the tokens the sandbox issues and the assertions it checks.</summary>
public static class Jwt
{
    /// <summary>How the sandbox writes JSON on the wire: apostrophes and the like unescaped, as Microsoft's services do.</summary>
    public static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Base64UrlEncode(string text) => Base64UrlEncode(Encoding.UTF8.GetBytes(text));

    public static byte[] Base64UrlDecode(string text)
    {
        string s = text.Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4)
        {
            case 2: s += "=="; break;
            case 3: s += "="; break;
            case 1: throw new FormatException("Not base64url.");
        }
        return Convert.FromBase64String(s);
    }

    /// <summary>Signs header.payload; the header's "alg" is set from <paramref name="alg"/>.</summary>
    public static string Sign(JsonObject header, JsonObject payload, RSA key, string alg = "RS256")
    {
        header["alg"] = alg;
        string signingInput = Base64UrlEncode(header.ToJsonString(WireJson)) + "." + Base64UrlEncode(payload.ToJsonString(WireJson));
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, Padding(alg));
        return signingInput + "." + Base64UrlEncode(signature);
    }

    /// <summary>Splits and decodes a compact JWS without checking anything; null when it is not one.</summary>
    public static JwtParts? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        string[] parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using JsonDocument header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
            using JsonDocument payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object) return null;
            return new JwtParts(
                header.RootElement.Clone(),
                payload.RootElement.Clone(),
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
                Base64UrlDecode(parts[2]));
        }
        catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
        {
            return null;
        }
    }

    /// <summary>True when the signature is valid for <paramref name="key"/> under the header's alg (RS256 or PS256 only).</summary>
    public static bool Verify(JwtParts jwt, RSA key)
    {
        RSASignaturePadding? padding = jwt.Alg switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        if (padding == null || jwt.Signature.Length == 0) return false;
        try
        {
            return key.VerifyData(jwt.SigningInput, jwt.Signature, HashAlgorithmName.SHA256, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static RSASignaturePadding Padding(string alg) => alg switch
    {
        "RS256" => RSASignaturePadding.Pkcs1,
        "PS256" => RSASignaturePadding.Pss,
        _ => throw new ArgumentException($"Unsupported alg {alg}.", nameof(alg)),
    };

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}

public sealed record JwtParts(JsonElement Header, JsonElement Payload, byte[] SigningInput, byte[] Signature)
{
    public string? Alg => HeaderString("alg");

    public string? HeaderString(string name) =>
        Header.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public string? Claim(string name) =>
        Payload.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public long? NumericClaim(string name)
    {
        if (!Payload.TryGetProperty(name, out JsonElement v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)) return n;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d)) return (long)d;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), out long s)) return s;
        return null;
    }

    /// <summary>A claim that may be a string or an array of strings (aud, roles).</summary>
    public IReadOnlyList<string> Claims(string name)
    {
        if (!Payload.TryGetProperty(name, out JsonElement v)) return Array.Empty<string>();
        if (v.ValueKind == JsonValueKind.String) return new[] { v.GetString()! };
        if (v.ValueKind == JsonValueKind.Array) return v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray();
        return Array.Empty<string>();
    }
}
