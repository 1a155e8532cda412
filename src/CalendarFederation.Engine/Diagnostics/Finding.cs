using System;
using System.Collections.Generic;
using System.Linq;

namespace CalendarFederation.Engine.Diagnostics
{
    public enum FindingSeverity
    {
        /// <summary>Free/busy cannot work until this is fixed.</summary>
        Blocking = 0,
        /// <summary>Free/busy works for some people or some of the time, or will break.</summary>
        Warning = 1,
        Info = 2,
        Pass = 3,
    }

    public sealed class Finding
    {
        public Finding(FindingSeverity severity, string side, string check, string message, string? recommendation = null)
        {
            Severity = severity;
            Side = side;
            Check = check;
            Message = message;
            Recommendation = recommendation;
        }

        public int Rank { get; internal set; }
        public FindingSeverity Severity { get; }
        /// <summary>The tenant the finding is about, or "Probe".</summary>
        public string Side { get; }
        /// <summary>A stable id from <see cref="CheckIds"/>, e.g. PartnerRelationshipMissing.</summary>
        public string Check { get; }
        /// <summary>What is wrong, in the admin's terms; never names a cmdlet parameter.</summary>
        public string Message { get; }
        /// <summary>What to do: often a whole command to run.</summary>
        public string? Recommendation { get; }

        public override string ToString() => $"{Rank}. [{Severity}] {Check}: {Message}";
    }

    /// <summary>
    /// Where checks put their findings. A check may give only the ids it declared (<see cref="DiagnosticCheck.Emits"/>),
    /// so the declarations the ranking test reads are the truth.
    /// </summary>
    public sealed class FindingSink
    {
        private readonly List<Finding> _findings = new List<Finding>();
        private DiagnosticCheck? _current;

        /// <summary>Everything found so far, in the order it was found.</summary>
        public IReadOnlyList<Finding> All => _findings;

        public bool HasBlocking => _findings.Any(f => f.Severity == FindingSeverity.Blocking);

        /// <summary>True when anything Blocking or Warning was found.</summary>
        public bool HasProblems => _findings.Any(f => f.Severity == FindingSeverity.Blocking || f.Severity == FindingSeverity.Warning);

        public bool Contains(string check) => _findings.Any(f => f.Check == check);

        public void Add(FindingSeverity severity, string side, string check, string message, string? recommendation = null)
        {
            if (_current == null) throw new InvalidOperationException("Findings are added by a running check.");
            if (!_current.Emits.Contains(check))
            {
                throw new InvalidOperationException($"The check {_current.Name} gave '{check}', which it does not declare.");
            }
            _findings.Add(new Finding(severity, side, check, message, recommendation));
        }

        internal void Begin(DiagnosticCheck check) => _current = check;

        internal void End() => _current = null;
    }
}
