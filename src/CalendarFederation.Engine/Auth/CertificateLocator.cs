using System.IO;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>Finds the certificate for app-only sign-in: a file (PFX or PEM with its key) or a thumbprint in the user's or machine's store.</summary>
    public static class CertificateLocator
    {
        public static X509Certificate2 FromFile(string path, System.Security.SecureString? password)
        {
            try
            {
                return password != null
                    ? new X509Certificate2(path, password, X509KeyStorageFlags.DefaultKeySet)
                    : new X509Certificate2(path, (string?)null, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (CryptographicException ex)
            {
                // The message never includes the password.
                throw new EngineException(ErrorIds.CertificateLoadFailed, ErrorKind.InvalidData,
                    $"The certificate file '{path}' could not be read: {ex.Message} Check the file and its password.", path, inner: ex);
            }
            catch (IOException ex)
            {
                throw new EngineException(ErrorIds.CertificateLoadFailed, ErrorKind.InvalidData, $"The certificate file '{path}' could not be read: {ex.Message}", path, inner: ex);
            }
        }

        /// <summary>The certificate with this thumbprint (spaces and colons ignored) in CurrentUser\My, then LocalMachine\My.</summary>
        public static X509Certificate2 FromThumbprint(string thumbprint)
        {
            string normalized = thumbprint.Replace(" ", "").Replace(":", "").ToUpperInvariant();
            foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                try
                {
                    using var store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                    X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, normalized, validOnly: false);
                    if (found.Count > 0) return found[0];
                }
                catch (CryptographicException)
                {
                    // That store does not exist on this platform (LocalMachine\My on Linux): try the next.
                }
            }
            throw new EngineException(ErrorIds.CertificateNotFound, ErrorKind.ObjectNotFound,
                $"No certificate with thumbprint {normalized} is in the CurrentUser or LocalMachine 'My' store.", normalized);
        }
    }
}
