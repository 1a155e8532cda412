namespace CalendarFederation.Engine
{
    /// <summary>Progress lanes the engine uses, so a wait for the service never overwrites the step it interrupts.</summary>
    public static class ProgressLanes
    {
        public const int Main = 0;
        public const int Step = 1;
        /// <summary>Waits before a retry: throttling, an outage, a dropped connection.</summary>
        public const int Retry = 2;
        /// <summary>The fleet apply's first pair lane; each concurrent pair worker reports on its own lane from here up.</summary>
        public const int FirstFleetPair = 10;
    }
}
