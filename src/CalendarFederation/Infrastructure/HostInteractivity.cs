using System;
using System.Management.Automation.Host;
using CalendarFederation.Resources;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// Whether a person can answer a sign-in prompt here. Not in a scheduled task, a service, a remote or hosted
    /// runspace without a UI, 'pwsh -NonInteractive', or a console whose input is redirected.
    /// </summary>
    internal static class HostInteractivity
    {
        public static string? WhyNotInteractive(PSHost? host)
        {
            if (host == null || host.UI == null) return ConnectionMessages.StateNoUserInterface;
            switch (host.Name)
            {
                case "Default Host":
                    return ConnectionMessages.StateNoInteractiveHost;
                case "ServerRemoteHost":
                    return ConnectionMessages.StateRemoteSession;
            }
            if (!Environment.UserInteractive) return ConnectionMessages.StateNotInteractiveSession;
            if (host.Name == "ConsoleHost")
            {
                foreach (string arg in Environment.GetCommandLineArgs())
                {
                    string a = arg.TrimStart('-', '/').ToLowerInvariant();
                    if (a.Length >= 4 && "noninteractive".StartsWith(a, StringComparison.Ordinal)) return ConnectionMessages.StateNonInteractiveSwitch;
                }
                if (Console.IsInputRedirected) return ConnectionMessages.StateInputRedirected;
            }
            return null;
        }
    }
}
