using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// One named check: reads the <see cref="DiagnosticsContext"/> (and, through it, facts that may need a request) and
    /// adds findings. It declares every id it may give; <see cref="FindingSink"/> refuses any other.
    /// </summary>
    public sealed class DiagnosticCheck
    {
        private readonly Func<DiagnosticsContext, FindingSink, CancellationToken, Task> _run;

        public DiagnosticCheck(string name, IEnumerable<string> emits, Func<DiagnosticsContext, FindingSink, CancellationToken, Task> run)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            _run = run ?? throw new ArgumentNullException(nameof(run));
            Emits = (emits ?? throw new ArgumentNullException(nameof(emits))).ToArray();
            foreach (string id in Emits)
            {
                if (!CheckIds.IsKnown(id)) throw new ArgumentException($"The check {name} declares '{id}', which is not in CheckIds.Ranking.", nameof(emits));
            }
        }

        /// <summary>A check that needs no request of its own (everything it reads is in the context).</summary>
        public static DiagnosticCheck Of(string name, Action<DiagnosticsContext, FindingSink> run, params string[] emits) =>
            new DiagnosticCheck(name, emits, (context, findings, _) =>
            {
                run(context, findings);
                return Task.CompletedTask;
            });

        /// <summary>A check that awaits facts (discovery, a group, the probe).</summary>
        public static DiagnosticCheck OfAsync(string name, Func<DiagnosticsContext, FindingSink, CancellationToken, Task> run, params string[] emits) =>
            new DiagnosticCheck(name, emits, run);

        public string Name { get; }

        /// <summary>The ids this check may give.</summary>
        public IReadOnlyList<string> Emits { get; }

        public Task RunAsync(DiagnosticsContext context, FindingSink findings, CancellationToken cancellationToken) => _run(context, findings, cancellationToken);

        public override string ToString() => Name;
    }
}
