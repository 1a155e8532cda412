using System;
using System.Net.Http;
using CalendarFederation.Engine.Auth;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Seams for the hosted-runspace tests only (internal, reached through InternalsVisibleTo): a handler that trusts
    /// the sandbox's root, and a browser stand-in. Nothing in the module's public surface can set them.
    /// </summary>
    internal static class TestHooks
    {
        public static Func<HttpMessageHandler>? HandlerFactory { get; set; }

        public static IBrowser? Browser { get; set; }

        /// <summary>Replaces the fleet file loader (hosted plan tests build their fleet in memory).</summary>
        public static Func<string, Engine.Fleet.FleetDefinition>? FleetLoader { get; set; }
    }
}
