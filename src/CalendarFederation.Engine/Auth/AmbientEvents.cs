using System.Threading;

namespace CalendarFederation.Engine.Auth
{
    /// <summary>
    /// Routes engine events to whichever cmdlet call is running on this async flow. A session outlives the cmdlet
    /// that created it, so it reports to this relay, and each call sets <see cref="Current"/> to its own queue.
    /// </summary>
    public sealed class AmbientEvents : IEngineEvents
    {
        public static readonly AmbientEvents Relay = new AmbientEvents();

        private static readonly AsyncLocal<IEngineEvents?> CurrentTarget = new AsyncLocal<IEngineEvents?>();

        private AmbientEvents() { }

        public static IEngineEvents? Current
        {
            get => CurrentTarget.Value;
            set => CurrentTarget.Value = value;
        }

        public void Prompt(string message) => (CurrentTarget.Value ?? NullEngineEvents.Instance).Prompt(message);
        public void Warning(string message) => (CurrentTarget.Value ?? NullEngineEvents.Instance).Warning(message);
        public void Verbose(string message) => (CurrentTarget.Value ?? NullEngineEvents.Instance).Verbose(message);
        public void Debug(string message) => (CurrentTarget.Value ?? NullEngineEvents.Instance).Debug(message);
    }
}
