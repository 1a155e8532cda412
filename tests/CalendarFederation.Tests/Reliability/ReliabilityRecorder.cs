using System.Text.Json;
using System.Text.Json.Serialization;

namespace CalendarFederation.Tests.Reliability;

/// <summary>
/// One row of the reliability table (issue 6), in the shape tests/Pester/Reliability.Tests.ps1 writes, so the hosted-
/// runspace cases join the same artifacts/reliability/results.json (Pester merges artifacts/reliability/xunit/*.json).
/// </summary>
public sealed class ReliabilityRow
{
    public string Id { get; set; } = "";
    public string Section { get; set; } = "";
    public string Area { get; set; } = "";
    public string Case { get; set; } = "";
    public string Injected { get; set; } = "";
    public string Expected { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string ErrorId { get; set; } = "";
    public double Seconds { get; set; }
    public int Requests { get; set; }
    public int Violations { get; set; }
    public ReliabilityState State { get; set; } = new();
    public string Result { get; set; } = "Failed";
    public bool Passed { get; set; }
    public string? KnownBug { get; set; }
    public string? Failure { get; set; }
    public Dictionary<string, object?> Data { get; set; } = new();
    public string Source { get; set; } = "tests/CalendarFederation.Tests/Reliability/SecretsAndCacheReliabilityTests.cs";
}

public sealed class ReliabilityState
{
    public bool Checked { get; set; } = true;
    public int Lost { get; set; }
    public int Duplicated { get; set; }
    public int HalfWritten { get; set; }
    public string Detail { get; set; } = "";
}

public static class ReliabilityRecorder
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>artifacts/reliability/xunit under the repository (the folder holding build.ps1), or null outside one.</summary>
    public static string? Folder
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "build.ps1"))) return Path.Combine(d.FullName, "artifacts", "reliability", "xunit");
            }
            return null;
        }
    }

    /// <summary>Runs the case's assertions and writes the row whatever they say: Passed, or Failed with the reason.</summary>
    public static void Check(ReliabilityRow row, Action assertions)
    {
        try
        {
            assertions();
            row.Result = "Passed";
            row.Passed = true;
        }
        catch (Exception ex)
        {
            row.Result = "Failed";
            row.Passed = false;
            row.Failure = ex.Message;
            throw;
        }
        finally
        {
            Write(row);
        }
    }

    public static void Write(ReliabilityRow row)
    {
        string? folder = Folder;
        if (folder == null) return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, row.Id + ".json"), JsonSerializer.Serialize(row, Json));
    }
}
