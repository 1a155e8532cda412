using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CalendarFederation.Benchmarks
{
    /// <summary>
    /// Engine micro-benchmarks, kept short for ./build.ps1 Bench: one in-process job with 3 warm-up and 5 measured
    /// iterations (ShortRun's shape without a separate build), time and allocations, a full JSON report for the harness.
    /// Pass --artifacts DIR to choose where the results go; any other BenchmarkDotNet argument works too.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            IConfig config = ManualConfig.CreateEmpty()
                .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
                .AddLogger(DefaultConfig.Instance.GetLoggers().ToArray())
                .AddJob(Job.ShortRun
                    .WithToolchain(InProcessEmitToolchain.Instance)
                    .WithWarmupCount(3)
                    .WithIterationCount(5)
                    .WithId("Short"))
                .AddDiagnoser(MemoryDiagnoser.Default)
                .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
                .WithOptions(ConfigOptions.DisableLogFile);
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Contains("--filter") ? args : args.Concat(new[] { "--filter", "*" }).ToArray(), config);
            foreach (var summary in summaries)
            {
                if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success)) return 1;
            }
            return 0;
        }
    }
}
