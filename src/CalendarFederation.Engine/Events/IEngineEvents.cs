using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine
{
    /// <summary>
    /// The one channel from engine work back to the cmdlet that asked for it. Every engine operation takes it as a
    /// parameter; nothing is routed through statics or the async flow. Called from any thread: the cmdlet queues what
    /// arrives and writes it on the pipeline thread (src/CalendarFederation/Infrastructure/EngineEventQueue.cs).
    /// </summary>
    public interface IEngineEvents
    {
        /// <summary>Tracing, already free of secrets.</summary>
        void Verbose(string message);

        /// <summary>Library diagnostics (MSAL), already free of secrets.</summary>
        void Debug(string message);

        void Warning(string message);

        /// <summary>Text the admin must see now, whatever the preferences say: a device code and its URL.</summary>
        void Prompt(string message);

        /// <summary>Where long work stands: a step, a count, or a wait the service asked for.</summary>
        void Progress(ProgressUpdate update);

        /// <summary>A question only the admin can answer (trust a host, go on with a change). False when nobody can answer.</summary>
        Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken);
    }

    /// <summary>One progress report. Lane tells concurrent activities of one call apart (0 is the call's own).</summary>
    public sealed class ProgressUpdate
    {
        public ProgressUpdate(string activity, string status, int percentComplete = -1, int lane = 0, bool completed = false)
        {
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            Lane = lane;
            Completed = completed;
        }

        public string Activity { get; }
        public string Status { get; }
        /// <summary>0..100, or -1 when the total is not known.</summary>
        public int PercentComplete { get; }
        public int Lane { get; }
        public bool Completed { get; }
    }

    /// <summary>A yes/no question for the admin. <see cref="Key"/> lets a "yes to all" answer cover later questions of the same kind.</summary>
    public sealed class ConfirmRequest
    {
        public ConfirmRequest(string query, string caption, string key)
        {
            Query = query;
            Caption = caption;
            Key = key;
        }

        public string Query { get; }
        public string Caption { get; }
        public string Key { get; }
    }

    /// <summary>Discards everything and answers no; for callers that do not listen.</summary>
    public sealed class NullEngineEvents : IEngineEvents
    {
        public static readonly NullEngineEvents Instance = new NullEngineEvents();
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
        public void Prompt(string message) { }
        public void Progress(ProgressUpdate update) { }
        public Task<bool> ConfirmAsync(ConfirmRequest request, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
