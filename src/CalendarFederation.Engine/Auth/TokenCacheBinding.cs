using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// The opt-in persistent user token cache, through Microsoft.Identity.Client.Extensions.Msal: DPAPI on Windows,
    /// Keychain on macOS, libsecret on Linux. A plain file only when the admin explicitly asks, with owner-only
    /// permissions and a warning. A cache that cannot be set up is a warning, never a failed sign-in.
    /// </summary>
    internal sealed class TokenCacheBinding
    {
        private TokenCacheBinding(string description) => Description = description;

        public string Description { get; }

        public const string CacheFileName = "calendarfederation.msalcache";

        public static string DefaultDirectory()
        {
            string? baseDir = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(baseDir)) baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(baseDir)) baseDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseDir!, "CalendarFederation");
        }

        public static async Task<TokenCacheBinding?> TryAttachAsync(ITokenCache cache, SignInRequest request)
        {
            string directory = request.CacheDirectory ?? DefaultDirectory();
            bool unprotected = request.Cache == TokenCacheMode.PersistentUnprotected;
            try
            {
                Directory.CreateDirectory(directory);
                var builder = new StorageCreationPropertiesBuilder(CacheFileName, directory);
                if (unprotected)
                {
                    builder = builder.WithUnprotectedFile();
                }
                else
                {
                    builder = builder
                        .WithMacKeyChain("CalendarFederation.TokenCache", "MSALCache")
                        .WithLinuxKeyring("com.calendarfederation.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection,
                            "CalendarFederation token cache", new System.Collections.Generic.KeyValuePair<string, string>("Product", "CalendarFederation"),
                            new System.Collections.Generic.KeyValuePair<string, string>("Version", "1"));
                }
                MsalCacheHelper helper = await MsalCacheHelper.CreateAsync(builder.Build()).ConfigureAwait(false);
                if (!unprotected) helper.VerifyPersistence();
                helper.RegisterCache(cache);
                string path = Path.Combine(directory, CacheFileName);
                if (unprotected)
                {
                    request.Events.Warning($"The token cache is a plain file, readable by anyone who can read {path}. " +
                        "It has owner-only permissions; prefer the OS-protected cache (-PersistTokenCache without -AllowUnprotectedTokenCache).");
                    return new TokenCacheBinding("Unprotected file " + path);
                }
                return new TokenCacheBinding("Protected by the operating system (" + path + ")");
            }
            catch (Exception ex) when (ex is MsalCachePersistenceException || ex is IOException || ex is UnauthorizedAccessException
                || ex is PlatformNotSupportedException || ex is DllNotFoundException || ex is TypeLoadException)
            {
                request.Events.Warning("The persistent token cache could not be set up, so tokens stay in memory for this session: "
                    + Redaction.Apply(ex.Message) + (unprotected ? "" : " On Linux this needs libsecret and a running keyring; -AllowUnprotectedTokenCache writes an owner-only plain file instead."));
                return null;
            }
        }
    }
}
