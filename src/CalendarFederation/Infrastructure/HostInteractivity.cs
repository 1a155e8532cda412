using System;
using System.Management.Automation.Host;

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
            if (host == null || host.UI == null) return "this PowerShell host has no user interface";
            switch (host.Name)
            {
                case "Default Host":
                    return "this runspace has no interactive host";
                case "ServerRemoteHost":
                    return "this is a remote session";
            }
            if (!Environment.UserInteractive) return "the process is not running in an interactive session (a service or scheduled task)";
            if (host.Name == "ConsoleHost")
            {
                foreach (string arg in Environment.GetCommandLineArgs())
                {
                    string a = arg.TrimStart('-', '/').ToLowerInvariant();
                    if (a.Length >= 4 && "noninteractive".StartsWith(a, StringComparison.Ordinal)) return "PowerShell was started with -NonInteractive";
                }
                if (Console.IsInputRedirected) return "console input is redirected";
            }
            return null;
        }
    }
}
