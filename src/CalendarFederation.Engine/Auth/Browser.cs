using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// The browser step of interactive sign-in: open the authorization URL and return the URL the identity
    /// provider redirected to. Production uses the system browser; tests plug in their own.
    /// </summary>
    public interface IBrowser
    {
        Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken);
    }
}
