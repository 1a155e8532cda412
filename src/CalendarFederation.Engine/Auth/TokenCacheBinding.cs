using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// The opt-in persistent user token cache, through Microsoft.Identity.Client.Extensions.Msal: DPAPI on Windows,
    /// Keychain on macOS, libsecret on Linux. A plain file only when the admin explicitly allows it and no OS protection
    /// is available, with owner-only permissions and a warning. A cache that cannot be set up is a warning, never a
    /// failed sign-in.
    /// </summary>
    internal sealed class TokenCacheBinding
    {
        private TokenCacheBinding(string description, MsalCacheHelper helper)
        {
            Description = description;
            Helper = helper;
        }

        public string Description { get; }

        public MsalCacheHelper Helper { get; }

        public const string CacheFileName = "calendarfederation.msalcache";

        public static string DefaultDirectory()
        {
            string? baseDir = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(baseDir)) baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(baseDir)) baseDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseDir!, "CalendarFederation");
        }

        public static async Task<TokenCacheBinding?> TryAttachAsync(ITokenCache cache, SignInRequest request, IEngineEvents events)
        {
            string directory = request.CacheDirectory ?? DefaultDirectory();
            string path = Path.Combine(directory, CacheFileName);
            string? protectedFailure = null;
            try
            {
                Directory.CreateDirectory(directory);
                var builder = new StorageCreationPropertiesBuilder(CacheFileName, directory)
                    .WithMacKeyChain("CalendarFederation.TokenCache", "MSALCache")
                    .WithLinuxKeyring("com.calendarfederation.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection,
                        "CalendarFederation token cache", new KeyValuePair<string, string>("Product", "CalendarFederation"),
                        new KeyValuePair<string, string>("Version", "1"));
                MsalCacheHelper helper = await MsalCacheHelper.CreateAsync(builder.Build()).ConfigureAwait(false);
                helper.VerifyPersistence();
                helper.RegisterCache(cache);
                return new TokenCacheBinding("Protected by the operating system (" + path + ")", helper);
            }
            catch (Exception ex) when (IsCacheFailure(ex))
            {
                protectedFailure = Redaction.Apply(ex.Message);
            }

            if (request.Cache != TokenCacheMode.PersistentUnprotected)
            {
                events.Warning("The persistent token cache could not be protected by the operating system, so tokens stay in memory for this session: "
                    + protectedFailure + " On Linux this needs libsecret and a running keyring; add -AllowUnprotectedTokenCache to accept an owner-only plain file instead.");
                return null;
            }
            try
            {
                var builder = new StorageCreationPropertiesBuilder(CacheFileName, directory).WithUnprotectedFile();
                MsalCacheHelper helper = await MsalCacheHelper.CreateAsync(builder.Build()).ConfigureAwait(false);
                helper.RegisterCache(cache);
                events.Warning($"No OS protection is available ({protectedFailure}), so the token cache is a plain file that anyone who can read {path} can use. " +
                    "It has owner-only permissions; remove it with Disconnect-CalendarFederation when done.");
                return new TokenCacheBinding("Unprotected file " + path, helper);
            }
            catch (Exception ex) when (IsCacheFailure(ex))
            {
                events.Warning("The persistent token cache could not be set up, so tokens stay in memory for this session: " + Redaction.Apply(ex.Message));
                return null;
            }
        }

        private static bool IsCacheFailure(Exception ex) =>
            ex is MsalCachePersistenceException || ex is IOException || ex is UnauthorizedAccessException || ex is PlatformNotSupportedException
            || ex is DllNotFoundException || ex is TypeLoadException || ex is EntryPointNotFoundException || ex is InvalidOperationException;
    }
}
