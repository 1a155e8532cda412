using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace CalendarFederation.Engine.Fleet
{
    /// <summary>
    /// The apply's checkpoint (docs/fleet.md §3): one JSON line per change done, {"changeId", "outcome", "at"} (and a
    /// "Started" line before its first write, so a re-run knows a half-made change is its own), appended
    /// and flushed to disk before the change is reported done, so a re-run after Ctrl+C or a crash skips it. It holds
    /// change ids only (hashes of tenant, object and settings), never a secret. Appends from parallel pairs share one lock.
    /// </summary>
    public sealed class FleetCheckpoint
    {
        private const string Undone = "Undone";
        private const string Started = "Started";
        private static readonly byte[] NewLine = { (byte)'\n' };
        private readonly object _lock = new object();
        private readonly Dictionary<string, string> _done = new Dictionary<string, string>(StringComparer.Ordinal);
        // Changes a run began writing but did not record done: their tenant may show a half-made change of our own.
        private readonly HashSet<string> _started = new HashSet<string>(StringComparer.Ordinal);
        // Where the last complete line ends: a torn last line after it is cut off before the first append.
        private long _validLength;
        private bool _needsTruncate;
        private bool _needsNewLine;

        private FleetCheckpoint(string path) { Path = path; }

        public string Path { get; }

        /// <summary>How many changes it records.</summary>
        public int Count { get { lock (_lock) return _done.Count; } }

        /// <summary>
        /// Reads a checkpoint; a missing file is an empty one (nothing is created until the first append). A line that is not
        /// a record is FleetCheckpointInvalid naming it, except the last one: a crash mid-append leaves it torn, and it is
        /// dropped with a warning (its change is read again before any write, so nothing is repeated).
        /// </summary>
        public static FleetCheckpoint Load(string path, IEngineEvents events)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A checkpoint needs a path.", nameof(path));
            if (events == null) throw new ArgumentNullException(nameof(events));
            var checkpoint = new FleetCheckpoint(System.IO.Path.GetFullPath(path));
            byte[] bytes;
            try
            {
                if (!File.Exists(checkpoint.Path)) return checkpoint;
                bytes = File.ReadAllBytes(checkpoint.Path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Invalid($"The checkpoint {checkpoint.Path} could not be read: {ex.Message}", checkpoint.Path, ex);
            }
            checkpoint.Parse(bytes, events);
            return checkpoint;
        }

        private void Parse(byte[] bytes, IEngineEvents events)
        {
            int start = 0;
            int lineNumber = 0;
            while (start < bytes.Length)
            {
                int end = Array.IndexOf(bytes, (byte)'\n', start);
                bool last = end < 0 || end == bytes.Length - 1;
                int stop = end < 0 ? bytes.Length : end;
                lineNumber++;
                string line = Encoding.UTF8.GetString(bytes, start, stop - start).Trim();
                if (line.Length > 0)
                {
                    if (TryRecord(line, out string? id, out string? outcome))
                    {
                        Note(id!, outcome!);
                        _validLength = end < 0 ? bytes.Length : end + 1;
                        _needsNewLine = end < 0;
                    }
                    else if (last)
                    {
                        events.Warning($"The last line ({lineNumber}) of the checkpoint {Path} is incomplete, as a stopped run leaves it; it is ignored, and its change is read again before anything is written.");
                        _needsTruncate = true;
                    }
                    else
                    {
                        throw Invalid($"Line {lineNumber} of the checkpoint {Path} is not a checkpoint record; nothing was changed. Repair or delete the file (a run without it reads every change again before writing).", Path);
                    }
                }
                else
                {
                    _validLength = end < 0 ? bytes.Length : end + 1;
                }
                if (end < 0) break;
                start = end + 1;
            }
        }

        private static bool TryRecord(string line, out string? id, out string? outcome)
        {
            id = null;
            outcome = null;
            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind != JsonValueKind.Object) return false;
                if (!document.RootElement.TryGetProperty("changeId", out JsonElement idElement) || idElement.ValueKind != JsonValueKind.String) return false;
                id = idElement.GetString();
                outcome = document.RootElement.TryGetProperty("outcome", out JsonElement o) && o.ValueKind == JsonValueKind.String ? o.GetString() : FleetOutcome.Applied.ToString();
                return !string.IsNullOrEmpty(id);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        public bool Contains(string changeId)
        {
            if (string.IsNullOrEmpty(changeId)) return false;
            lock (_lock) return _done.ContainsKey(changeId);
        }

        /// <summary>True when a run began writing the change and did not finish it (a "Started" line without a later outcome).</summary>
        public bool WasStarted(string changeId)
        {
            if (string.IsNullOrEmpty(changeId)) return false;
            lock (_lock) return _started.Contains(changeId);
        }

        /// <summary>Records, before the first write of a change, that it is being written (it is not done until appended).</summary>
        public void Begin(string changeId, DateTimeOffset at) => Write(changeId, Started, at);

        /// <summary>Records a change as done and returns once the line is on disk (FileStream.Flush(true)).</summary>
        public void Append(string changeId, FleetOutcome outcome, DateTimeOffset at) => Write(changeId, outcome.ToString(), at);

        /// <summary>Records that a change was undone (a cut-over the other side could not follow): it is no longer done.</summary>
        public void Forget(string changeId, DateTimeOffset at) => Write(changeId, Undone, at);

        private void Write(string changeId, string outcome, DateTimeOffset at)
        {
            if (string.IsNullOrEmpty(changeId)) throw new ArgumentException("A change needs an id.", nameof(changeId));
            byte[] line = Encoding.UTF8.GetBytes(Line(changeId, outcome, at));
            lock (_lock)
            {
                try
                {
                    string? directory = System.IO.Path.GetDirectoryName(Path);
                    if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
                    using var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
                    if (_needsTruncate)
                    {
                        stream.SetLength(_validLength);
                        _needsTruncate = false;
                    }
                    stream.Seek(0, SeekOrigin.End);
                    if (_needsNewLine && stream.Length > 0) stream.Write(NewLine, 0, 1);
                    _needsNewLine = false;
                    stream.Write(line, 0, line.Length);
                    stream.Flush(true);
                    _validLength = stream.Length;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw Invalid($"The checkpoint {Path} could not be written: {ex.Message}", Path, ex);
                }
                Note(changeId, outcome);
            }
        }

        private void Note(string changeId, string outcome)
        {
            if (outcome == Started) { _started.Add(changeId); return; }
            _started.Remove(changeId);
            if (outcome == Undone) _done.Remove(changeId);
            else _done[changeId] = outcome;
        }

        private static string Line(string changeId, string outcome, DateTimeOffset at)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("changeId", changeId);
                writer.WriteString("outcome", outcome);
                writer.WriteString("at", at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
        }

        private static EngineException Invalid(string message, string path, Exception? inner = null) =>
            new EngineException(ErrorIds.FleetCheckpointInvalid, ErrorKind.InvalidData, message, path, inner: inner);
    }
}
