using System.Diagnostics;
using Xunit;

namespace CalendarFederation.Tests.Fleet;

/// <summary>
/// Headless Chromium for the federation map's browser test, kept offline: no proxy, every host name resolves to nothing,
/// background services (updates, sync, safe browsing lists, extensions) off, and a profile of its own per run. Each run is
/// bounded: past the timeout the process it started (and its children) is ended.
/// </summary>
internal static class HeadlessChromium
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>CF_CHROMIUM, else chromium, chromium-browser or google-chrome on PATH; null when none.</summary>
    public static string? Path { get; } = Find();

    /// <summary>
    /// Set by .ci/run only where no package manager could install Chromium; then the test skips (loudly) even in CI.
    /// Anywhere else in CI a missing Chromium fails the test.
    /// </summary>
    public static bool SkipAllowed =>
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || string.Equals(Environment.GetEnvironmentVariable("CF_BROWSER_TESTS"), "skip", StringComparison.OrdinalIgnoreCase);

    private static readonly string[] OfflineFlags =
    {
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        "--no-first-run", "--no-default-browser-check", "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
    };

    /// <summary>Runs Chromium with the offline flags plus <paramref name="arguments"/>; returns its standard output.</summary>
    public static string Run(params string[] arguments)
    {
        string chromium = Path ?? throw new InvalidOperationException("Chromium is not installed (set CF_CHROMIUM or put chromium on PATH).");
        string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cf-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in OfflineFlags) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--user-data-dir=" + profile);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        try
        {
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"Chromium did not finish within {Timeout.TotalSeconds:n0} s: {string.Join(' ', arguments)}");
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("CF_CHROMIUM");
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in new[] { "chromium", "chromium-browser", "google-chrome", "chrome" })
        {
            foreach (string dir in dirs)
            {
                string candidate = System.IO.Path.Combine(dir, OperatingSystem.IsWindows() ? name + ".exe" : name);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}

/// <summary>A fact that needs Chromium: skipped, with the reason in the run's output, only where that is allowed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Path == null && HeadlessChromium.SkipAllowed)
            Skip = "SKIPPED: headless Chromium is not installed, so the federation map's browser test did not run (install chromium, or set CF_CHROMIUM).";
    }
}
