using System;
using System.Threading;
using System.Threading.Tasks;

namespace CalendarFederation.Engine.Diagnostics
{
    /// <summary>
    /// Something checks need that may take a request to learn (a fresh discovery, a scope group, the probe's answer).
    /// <see cref="DiagnosticsContext.GetAsync{T}"/> loads each fact at most once per run, however many checks read it.
    /// New kinds of checks bring their own facts (declared where their checks are), so the context needs no change.
    /// </summary>
    public sealed class DiagnosticsFact<T>
    {
        public DiagnosticsFact(string name, Func<DiagnosticsContext, CancellationToken, Task<T>> load)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Load = load ?? throw new ArgumentNullException(nameof(load));
        }

        public string Name { get; }

        internal Func<DiagnosticsContext, CancellationToken, Task<T>> Load { get; }

        public override string ToString() => Name;
    }
}
