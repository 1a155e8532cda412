namespace CalendarFederation.Engine.Auth
{
    public enum SignInMode
    {
        /// <summary>Delegated, through the system browser.</summary>
        Interactive,
        /// <summary>Delegated, with a code entered on another device.</summary>
        DeviceCode,
        /// <summary>App-only, with a certificate (thumbprint, file or object).</summary>
        Certificate,
        /// <summary>App-only, with a client secret.</summary>
        ClientSecret,
        /// <summary>App-only, as the managed identity of the Azure resource this runs on.</summary>
        ManagedIdentity,
        /// <summary>A token the caller already holds; it cannot be refreshed.</summary>
        AccessToken,
    }

    public enum TokenCacheMode
    {
        /// <summary>Tokens live in memory for the life of the connection (the default).</summary>
        Memory,
        /// <summary>Persisted, protected by the OS: DPAPI on Windows, Keychain on macOS, libsecret on Linux.</summary>
        Persistent,
        /// <summary>Persisted, protected by the OS where possible; otherwise a plain file with owner-only permissions. Only when the admin explicitly allows it.</summary>
        PersistentUnprotected,
    }
}
