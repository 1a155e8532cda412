using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// What sign-in and the admin API tell the admin while they work. Called from any thread: the cmdlet
    /// queues these and writes them on the pipeline thread.
    /// </summary>
    public interface IEngineEvents
    {
        /// <summary>Text the admin must see now, e.g. the device code and URL.</summary>
        void Prompt(string message);

        void Warning(string message);

        /// <summary>Tracing, already free of secrets.</summary>
        void Verbose(string message);

        /// <summary>Library diagnostics (MSAL), already free of secrets.</summary>
        void Debug(string message);
    }

    /// <summary>Discards everything; for callers that do not listen.</summary>
    public sealed class NullEngineEvents : IEngineEvents
    {
        public static readonly NullEngineEvents Instance = new NullEngineEvents();
        public void Prompt(string message) { }
        public void Warning(string message) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
    }

    /// <summary>
    /// The browser step of interactive sign-in: open the authorization URL and return the URL the identity
    /// provider redirected to. Production uses the system browser; tests plug in their own.
    /// </summary>
    public interface IBrowser
    {
        Task<Uri> AuthorizeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken);
    }
}
