using System;
using System.Management.Automation;

namespace CalendarFederation.Infrastructure
{
    /// <summary>
    /// A message an admin should see, written the way Write-Host writes: to the information stream with the PSHOST tag,
    /// so it shows by default and can still be captured (6>&amp;1) or silenced (-InformationAction Ignore).
    /// </summary>
    internal static class HostInformation
    {
        public static void Write(Cmdlet cmdlet, string message)
        {
            cmdlet.WriteInformation(new HostInformationMessage { Message = message, ForegroundColor = ConsoleColor.Green, NoNewLine = false },
                new[] { "PSHOST", "CalendarFederation" });
        }
    }
}
