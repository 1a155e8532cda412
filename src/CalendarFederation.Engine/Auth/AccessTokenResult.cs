using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>A token ready to send, with what it says about who is calling.</summary>
    public sealed class AccessTokenResult
    {
        public AccessTokenResult(string token, DateTimeOffset expiresOn, string? tenantId, string? account)
        {
            Token = token;
            ExpiresOn = expiresOn;
            TenantId = tenantId;
            Account = account;
        }

        public string Token { get; }
        public DateTimeOffset ExpiresOn { get; }
        public string? TenantId { get; }
        /// <summary>The user principal name for delegated sign-in; null for app-only.</summary>
        public string? Account { get; }

        // Never print the token itself.
        public override string ToString() => $"access token for {Account ?? "app"} in {TenantId}, expires {ExpiresOn:u}";
    }

    /// <summary>Hands out a valid token before every request, refreshing silently from MSAL's cache when it can.</summary>
    public interface ITokenSource
    {
        /// <summary>A token for <paramref name="scope"/>, or for the admin API when it is null.</summary>
        Task<AccessTokenResult> GetTokenAsync(string? scope, bool forceRefresh, CancellationToken cancellationToken);
    }

    /// <summary>Sign-in failed or the session can no longer get a token.</summary>
    public sealed class SignInException : EngineException
    {
        public SignInException(string errorId, string message, Exception? inner = null)
            : base(errorId, ErrorKind.AuthenticationError, message, inner: inner)
        {
        }
    }
}
